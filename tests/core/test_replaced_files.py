"""A file cin-xl replaces is still the user's: the checks follow a symbolic link to the real file, and the
owner and group are kept, or the run says the owner changes.

- The lock file Excel keeps beside an open workbook is ``~$`` + the real file's name: a workbook given
  through a link is seen as open too.
- A save by another program between reading and writing is seen through a link.
- A file replaced by another account (an administrator, a service) keeps its owner and group where the
  process may give them; where it may not, one ``note:`` line says the owner changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.safety.atomic import OwnerChanged, write_atomic
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook

YEAR = CensusYear.parse("2026-27")
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="giving a file to another account needs root")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("made") / "book.xlsx"
    write_workbook(path, generate(8, YEAR, 3), YEAR)
    return path.read_bytes()


@pytest.fixture
def linked(tmp_path, made) -> tuple[Path, Path]:
    """real/book.xlsx and a link to it from another folder, with another name."""
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "book.xlsx"
    real.write_bytes(made)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    return real, link


def test_a_workbook_open_under_its_real_name_is_seen_through_a_link(linked, capsys):
    real, link = linked
    (real.parent / f"~${real.name}").write_bytes(b"Excel's lock")
    before = real.read_bytes()
    assert main(["validate", str(link), "--annotate"]) == 2
    err = capsys.readouterr().err
    assert "is open in Excel" in err and len(err.strip().splitlines()) == 1
    assert real.read_bytes() == before and link.is_symlink()


def test_a_save_meanwhile_is_seen_through_a_link(linked, monkeypatch, capsys):
    import cin_xl.jobs.validate as jobs

    real, link = linked
    validate_file = jobs.validate_file

    def validate_then_save(path, *args, **kwargs):
        report = validate_file(path, *args, **kwargs)
        wb = load_workbook(real)
        wb["Children"]["A2"].value = "saved by Excel meanwhile"
        wb.save(real)
        return report

    monkeypatch.setattr(jobs, "validate_file", validate_then_save)
    assert main(["validate", str(link), "--annotate"]) == 2
    assert "changed by another program" in capsys.readouterr().err
    assert load_workbook(real)["Children"]["A2"].value == "saved by Excel meanwhile" and link.is_symlink()


@as_root
def test_a_replaced_file_keeps_its_owner_and_group(tmp_path):
    path = tmp_path / "theirs.xml"
    path.write_bytes(b"old")
    os.chown(path, 4321, 4322)
    link = tmp_path / "link.xml"
    link.symlink_to(path)
    write_atomic(link, b"new")
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (4321, 4322) and path.read_bytes() == b"new" and link.is_symlink()


@as_root
def test_the_run_says_when_the_owner_cannot_be_kept(tmp_path, made, monkeypatch, capsys):
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(made)
    out = tmp_path / "census.xml"
    out.write_bytes(b"<old/>")
    other = tmp_path / "other.xml"
    other.write_bytes(b"<old/>")
    for path in (out, other):
        os.chown(path, 4321, 4322)

    def refused(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chown", refused)  # as an account that may not give files away
    code = main(["export", str(workbook), "-o", str(out), "--allow-errors", "--force"])
    err = capsys.readouterr().err
    assert code == 0, err
    notes = [line for line in err.splitlines() if line.startswith("cin-xl: note:")]
    assert len(notes) == 1 and "not to its owner" in notes[0] and "4321" in notes[0]
    with pytest.warns(OwnerChanged):
        write_atomic(other, b"<new/>")  # the library says it as a warning


def test_a_file_of_ours_gives_no_note(tmp_path, capsys, made):
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(made)
    out = tmp_path / "census.xml"
    out.write_bytes(b"<old/>")
    assert main(["export", str(workbook), "-o", str(out), "--allow-errors", "--force"]) == 0
    assert "note:" not in capsys.readouterr().err
