"""Every input is protected against every output, and last year's return is opened only where it is safe.

Inputs: the file a command reads, last year's return given with ``--previous``, and the one the
workbook's Return sheet names ("Last year's return"). Outputs: ``-o``, ``--report``, the Export
button's file. An output that is an input by any name (a symlink, a hard link) is refused in one line
and nothing changes. The Return sheet's path comes inside a file that may be anyone's: it is opened
only if it is a regular ``.xml`` file on this machine; a path on another machine only once the person
has said yes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs import validate as validate_job
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.years import generate_years
from cin_xl.validation.findings import Severity
from cin_xl.workbook.writer import write_workbook
from cin_xl.xml.writer import write_xml
from tests.excel_harness import run_excel_function

LAST_YEAR, YEAR = CensusYear.parse("2025-26"), CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """This year's workbook and XML, last year's XML (bytes, made once)."""
    folder = tmp_path_factory.mktemp("made")
    last, this = generate_years(20, LAST_YEAR, seed=5)
    write_xml(last, LAST_YEAR, folder / "last.xml")
    write_xml(this, YEAR, folder / "this.xml", check=False)
    write_workbook(folder / "this.xlsx", this, YEAR)
    return {name: (folder / name).read_bytes() for name in ("last.xml", "this.xml", "this.xlsx")}


@pytest.fixture
def files(tmp_path, made):
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
    return tmp_path


def name_last_year(workbook: Path, text: str) -> str:
    """Type ``text`` into the Return sheet's "Last year's return"; its cell."""
    wb = load_workbook(workbook)
    row = next(r for r in wb["Return"].iter_rows(min_row=2) if r[0].value == "Last year's return")
    row[1].value = text
    wb.save(workbook)
    return row[1].coordinate


def alias(target: Path, name: str, how: str) -> Path:
    path = target.parent / name
    path.symlink_to(target) if how == "symlink" else os.link(target, path)
    return path


def run(capsys, argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_refused_keeping(capsys, argv, kept: Path) -> str:
    before = kept.read_bytes()
    code, _, err = run(capsys, argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "is the input file" in err, err
    assert kept.read_bytes() == before
    return err


# --- --previous is an input ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_previous_is_never_replaced_by_an_output(capsys, files, how):
    last = files / "last.xml"
    html = alias(last, "f.html", how)
    assert_refused_keeping(capsys, ["report", files / "this.xml", "--previous", last, "-o", html, "--force"], last)
    report = alias(last, "r.json", how)
    assert_refused_keeping(capsys, ["validate", files / "this.xml", "--previous", last, "--report", report,
                                    "--force"], last)
    csv = alias(last, "r.csv", how)
    assert_refused_keeping(capsys, ["validate", files / "this.xlsx", "--previous", last, "--report", csv,
                                    "--force"], last)


# --- the return the Return sheet names is an input too --------------------------------------------------


@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_the_named_return_is_never_replaced_by_an_output(capsys, files, how):
    workbook, last = files / "this.xlsx", files / "last.xml"
    name_last_year(workbook, "last.xml")  # relative: from the workbook's folder
    assert_refused_keeping(capsys, ["validate", workbook, "--report", alias(last, "r.json", how), "--force"], last)
    assert_refused_keeping(capsys, ["report", workbook, "-o", alias(last, "f.html", how), "--force"], last)
    out = last if how == "symlink" else alias(last, "out.xml", how)
    assert_refused_keeping(capsys, ["export", workbook, "-o", out, "--allow-errors", "--force"], last)


def test_the_export_button_does_not_replace_the_named_return(files):
    workbook, last = files / "this.xlsx", files / "last.xml"
    name_last_year(workbook, str(last))
    before = last.read_bytes()
    result = run_excel_function(excel.export_xml, workbook, None, last, allow_errors=True, overwrite=True).value
    assert not result.ok and "is the input file" in result.message
    assert last.read_bytes() == before


def test_outputs_elsewhere_still_work_with_a_named_return(capsys, files):
    workbook = files / "this.xlsx"
    name_last_year(workbook, "last.xml")
    code, _, err = run(capsys, ["validate", workbook, "--report", files / "r.json"])
    assert code in (0, 1), err
    assert (files / "r.json").exists()


# --- what the Return sheet's path may be ---------------------------------------------------------------


def named_finding(workbook: Path) -> list:
    report = validate_file(workbook)
    return [f for f in report.findings if f.sheet == "Return" and "Last year's return" in f.message]


@pytest.fixture
def not_opened(monkeypatch):
    """Fail the test if last year's return is opened at all."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"opened {args}")

    monkeypatch.setattr(validate_job, "load_previous", refuse)


@pytest.mark.parametrize("kind", ["fifo", "folder", "device", "not xml"])
def test_only_a_regular_xml_file_is_opened(files, kind, not_opened):
    workbook = files / "this.xlsx"
    target = files / "last-year.xml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    elif kind == "device":
        target.symlink_to("/dev/zero")
    else:
        target = files / "last.csv"
        target.write_bytes((files / "last.xml").read_bytes())
    cell = name_last_year(workbook, str(target))
    found: list = []
    worker = threading.Thread(target=lambda: found.extend(named_finding(workbook)), daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive(), "validation hung on the named return"
    assert [(f.severity, f.cells) for f in found] == [(Severity.QUERY, (cell,))]
    words = {"fifo": "not a file", "folder": "is a folder", "device": "not a file", "not xml": "not census XML"}
    assert words[kind] in found[0].message, found[0].message
    assert "\n" not in found[0].message


@pytest.mark.parametrize("where", [r"\\fileserver\share\last.xml", "//fileserver/share/last.xml",
                                   "https://example.invalid/last.xml", "file:///srv/last.xml",
                                   r"\\?\UNC\fileserver\share\last.xml"])
def test_a_path_on_another_machine_is_not_opened_without_asking(files, where, not_opened):
    workbook = files / "this.xlsx"
    cell = name_last_year(workbook, where)
    found = named_finding(workbook)
    assert [(f.severity, f.cells) for f in found] == [(Severity.QUERY, (cell,))]
    assert "another machine" in found[0].message and "--previous" in found[0].message


def test_the_validate_button_asks_before_opening_a_path_on_another_machine(files, monkeypatch):
    workbook = files / "this.xlsx"
    last = files / "last.xml"
    # "//" + an absolute path: on another machine to Windows, the same local file to Linux
    where = "/" + str(last)
    name_last_year(workbook, where)
    asked: list[str] = []
    declined = run_excel_function(excel.validate, workbook, None,
                                  confirm=lambda q: asked.append(q) or False).value
    assert len(asked) == 1 and "another machine" in asked[0] and where in asked[0]
    assert any("another machine" in f.message for f in declined.findings)
    opened: list = []
    real = validate_job.load_previous
    monkeypatch.setattr(validate_job, "load_previous", lambda p, y: opened.append(p) or real(p, y))
    accepted = run_excel_function(excel.validate, workbook, None, confirm=lambda q: True).value
    assert [str(p) for p in opened] == [where]
    assert not any("Last year's return" in f.message for f in accepted.findings)


def test_the_command_line_opens_another_machine_only_when_given_with_previous(capsys, files):
    workbook, last = files / "this.xlsx", files / "last.xml"
    where = "/" + str(last)
    name_last_year(workbook, where)
    code, out, err = run(capsys, ["validate", workbook])
    assert "another machine" in out and "Traceback" not in err
    code, out, err = run(capsys, ["validate", workbook, "--previous", where])
    assert code in (0, 1), err
    assert "another machine" not in out


def test_a_relative_name_in_a_workbook_without_a_folder_is_not_taken_from_where_we_run(files, monkeypatch):
    from cin_xl.jobs.load import Loaded
    from cin_xl.jobs.validate import validate_loaded
    from cin_xl.workbook.reader import read_workbook

    workbook = files / "this.xlsx"
    cell = name_last_year(workbook, "last.xml")
    monkeypatch.chdir(files)  # last.xml is here, but the workbook (opened from the web, say) has no folder
    found = validate_loaded(Loaded.of_workbook(read_workbook(workbook), None)).findings
    named = [f for f in found if f.sheet == "Return" and "Last year's return" in f.message]
    assert [(f.cells, "full path" in f.message) for f in named] == [((cell,), True)]


def test_annotate_with_a_pipe_named_as_last_years_return_finishes(files, capsys):
    """The Summary sheet's year on year opens the named return only as validation does."""
    workbook = files / "this.xlsx"
    pipe = files / "last-year.xml"
    os.mkfifo(pipe)
    name_last_year(workbook, str(pipe))
    codes: list[int] = []
    worker = threading.Thread(target=lambda: codes.append(main(["validate", str(workbook), "--annotate"])),
                              daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "annotate hung on the named return"
    assert codes and codes[0] in (0, 1), capsys.readouterr().err


def test_report_lists_never_replace_previous(capsys, files):
    last = files / "last.xml"
    lists = files / "lists"
    lists.mkdir()
    from cin_xl.jobs.report import list_paths

    first = list_paths(lists)[0]
    first.symlink_to(last)
    assert_refused_keeping(capsys, ["report", files / "this.xml", "--previous", last, "--lists", lists,
                                    "-o", files / "f.html", "--force"], last)
