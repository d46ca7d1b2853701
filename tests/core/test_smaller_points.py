"""The smaller points of issue 18's hostile hunt, each with its input built here.

- a folder made for an output is named (``export -o a/b/c.xml`` makes ``a``, and says so);
- a part that ends early while it is read says why, not "damaged ()";
- a stop signal that arrives while the finished file is renamed into place says the file is whole.
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.errors import UnusableInput
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.package.limits import BoundedZip
from cin_xl.workbook.writer import write_workbook

YEAR = CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("made") / "book.xlsx"
    write_workbook(path, generate(8, YEAR, 3), YEAR)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv", [
    ["export", "{book}", "-o", "{dir}/a/b/c.xml", "--allow-errors"],
    ["validate", "{book}", "--report", "{dir}/a/b/r.json"],
    ["report", "{book}", "-o", "{dir}/a/r.html"],
    ["template", "-o", "{dir}/a/t.xlsx"],
])
def test_a_folder_made_for_an_output_is_named(made, tmp_path, capsys, argv):
    book = tmp_path / "book.xlsx"
    shutil.copy(made, book)
    code, _, err = run(capsys, *[a.format(book=book, dir=tmp_path) for a in argv])
    assert code in (0, 1), err
    notes = [line for line in err.splitlines() if line.startswith("cin-xl: note:")]
    assert len(notes) == 1 and f"made the folder {tmp_path / 'a'} for " in notes[0], err
    code, _, err = run(capsys, *[a.format(book=book, dir=tmp_path) for a in argv], "--force")
    assert "note:" not in err  # the folder is there now: nothing to say


def test_a_part_that_ends_early_says_why(made, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(made, path)
    package = BoundedZip(path)
    info = max(package.zip.infolist(), key=lambda i: i.compress_size)
    os.truncate(path, info.header_offset + 100 + len(info.filename))  # cut in the middle of its data
    with pytest.raises(UnusableInput) as caught:
        part = package.open(info.filename)
        while part.read():
            pass
    message = str(caught.value)
    assert "()" not in message and "changed while it was read" in message


def test_a_signal_during_the_rename_says_the_file_is_whole(made, tmp_path, capsys, monkeypatch):
    book = tmp_path / "book.xlsx"
    shutil.copy(made, book)
    target = tmp_path / "census.xml"
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        os.kill(os.getpid(), signal.SIGTERM)  # held until the rename step is over, then delivered

    monkeypatch.setattr(os, "replace", replace_then_signal)
    code, _, err = run(capsys, "export", book, "-o", target, "--allow-errors")
    monkeypatch.undo()
    assert code == 128 + signal.SIGTERM
    assert err.strip() == (f"cin-xl: stopped by SIGTERM just after {target} was written whole (it is complete); "
                           "no file was left half-written")
    assert target.read_bytes().startswith(b"<?xml") and b"</Message>" in target.read_bytes()
