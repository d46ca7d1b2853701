"""What ``cin-xl validate`` prints ends with what matters (issue 17, item 5): the largest rules with a few
examples and a count of the rest, the other rules a line each, then the totals and the next step; every
finding with ``--verbose``. Busy files and split names (item 4): a file name with a space typed without
quotes, a workbook open in Excel (its lock file beside it)."""

from __future__ import annotations

import shutil

import pytest

from cin_xl.cli import main
from cin_xl.jobs.validate import validate_file
from cin_xl.reports.findings import IN_FULL, grouped
from tests.golden.cases import HERE

MESSY = HERE / "2026-27-messy.xml"


@pytest.fixture(scope="module")
def messy_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("messy") / "messy.xlsx"
    assert main(["import", str(MESSY), "-o", str(path), "--quiet"]) in (0, 1)
    return path


def _validate(capsys, *argv) -> tuple[int, list[str], str]:
    code = main(["validate", *map(str, argv), "--quiet"])
    out, err = capsys.readouterr()
    return code, out.rstrip("\n").splitlines(), err


def test_output_ends_with_the_totals_and_the_next_step(capsys, messy_book):
    code, lines, _ = _validate(capsys, messy_book)
    report = validate_file(messy_book)
    s = report.summary
    assert code == 1 and s["errors"]
    totals = f"In all: {s['errors']:,} errors, {s['queries']:,} queries ({len(grouped(report.findings))} rules)."
    assert lines[-3] == totals
    assert lines[-2].startswith(f"Next: cin-xl validate {messy_book} --annotate ") and "marks each finding" in lines[-2]
    assert f"cin-xl validate {messy_book} --report findings.csv" in lines[-1]
    assert totals not in lines[:-3]  # said once, at the end, not on line 2


def test_long_lists_are_shortened_per_rule(capsys, messy_book):
    _, lines, _ = _validate(capsys, messy_book)
    groups = grouped(validate_file(messy_book).findings)
    assert len(groups) > IN_FULL + 2  # enough rules for the short form
    # the largest rules with their first three findings and a count of the rest
    largest = groups[0]
    heading = f"{largest[0]} {largest[1]} x{len(largest[3]):,}: {largest[2]}"
    at = lines.index(heading)
    assert lines[at + 4] == f"    ... and {len(largest[3]) - 3:,} more"
    # the others a line each, every rule counted
    rest = groups[IN_FULL:]
    assert any(line.startswith(f"{len(rest)} more rules, ") and "--verbose" in line for line in lines)
    for code, severity, heading, group in rest:
        assert f"  {code} {severity} x{len(group):,}: {heading}" in lines
    assert len(lines) <= 2 + 5 * IN_FULL + 1 + len(rest) + 4  # header, rules in full, the rest, the end


def test_verbose_lists_every_finding(capsys, messy_book):
    _, lines, _ = _validate(capsys, messy_book, "--verbose")
    findings = validate_file(messy_book).findings
    listed = [line for line in lines[:-3] if line.startswith("    ") and not line.startswith("    ... and")]
    assert len(listed) == len(findings)
    assert not any(line.startswith("    ... and") for line in lines)
    assert lines[-3].startswith("In all: ")


def test_census_xml_next_step_is_a_workbook_and_a_given_report_is_not_suggested(capsys, tmp_path):
    code, lines, _ = _validate(capsys, MESSY, "--report", tmp_path / "all.csv")
    assert code == 2  # the messy file breaks the schema
    assert lines[-1] == f"Next: cin-xl import {MESSY} -o {MESSY.with_suffix('.xlsx')}  makes a workbook of the " \
                        "return, to correct and mark"
    assert f"Full report: {tmp_path / 'all.csv'}" in lines
    assert "--report findings.csv" not in "\n".join(lines)


def test_clean_file_needs_no_next_step(capsys):
    code, lines, _ = _validate(capsys, HERE / "2026-27-clean.xml")
    assert code == 0 and lines[-1] == "No errors or queries found."


def test_file_name_with_a_space_typed_without_quotes_gets_the_hint(capsys, tmp_path, monkeypatch, messy_book):
    monkeypatch.chdir(tmp_path)
    shutil.copy(messy_book, tmp_path / "Census 2026.xlsx")
    for argv, typed in ((["validate", "Census", "2026.xlsx"], 'cin-xl validate "Census 2026.xlsx"'),
                        (["export", "Census", "2026.xlsx", "-o", "out.xml"],
                         'cin-xl export "Census 2026.xlsx" -o out.xml')):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        err = capsys.readouterr().err
        assert exit_.value.code == 2
        assert '"Census 2026.xlsx" is one file name with a space in it: put it in quotes' in err and typed in err
    with pytest.raises(SystemExit):  # a required option missing as well: both said
        main(["export", "Census", "2026.xlsx"])
    err = capsys.readouterr().err
    assert "required: -o/--output" in err and '"Census 2026.xlsx" is one file name with a space in it' in err
    with pytest.raises(SystemExit):  # no such file: the hint all the same, in a softer form
        main(["validate", "Census", "2027.xlsx"])
    err = capsys.readouterr().err
    assert "unexpected argument '2027.xlsx'; if \"Census 2027.xlsx\" is one file name, put it in quotes" in err
    with pytest.raises(SystemExit):  # a stray word after a file that exists: no hint
        main(["validate", "Census 2026.xlsx", "extra"])
    assert "unexpected argument 'extra'\n" in capsys.readouterr().err


@pytest.fixture
def open_book(tmp_path, messy_book):
    path = tmp_path / "census.xlsx"
    shutil.copy(messy_book, path)
    (tmp_path / "~$census.xlsx").write_bytes(b"\x00" * 165)  # Excel's lock file while it has the file open
    return path


def test_annotate_refuses_an_open_workbook_before_any_work(capsys, open_book):
    before = open_book.read_bytes()
    code, lines, err = _validate(capsys, open_book, "--annotate")
    assert code == 2 and lines == []  # nothing validated, nothing listed
    assert err.strip() == (f"cin-xl: {open_book} is open in Excel or LibreOffice (lock file ~$census.xlsx); close "
                           "it and run again. The file was not changed.")
    assert open_book.read_bytes() == before


def test_reading_an_open_workbook_says_once_that_unsaved_edits_are_not_included(capsys, open_book, tmp_path):
    note = ("cin-xl: note: census.xlsx is open in Excel or LibreOffice (lock file ~$census.xlsx): this reads it as "
            "last saved, so edits not yet saved there are not included.")
    code, lines, err = _validate(capsys, open_book)
    assert code == 1 and err.count(note) == 1 and err.count("not yet saved") == 1
    assert "(save and close it first)" in lines[-2]
    assert main(["export", str(open_book), "-o", str(tmp_path / "out.xml"), "--allow-errors", "--quiet"]) in (0, 1)
    err = capsys.readouterr().err
    assert err.count(note) == 1
    assert main(["report", str(open_book), "-o", str(tmp_path / "f.html"), "--no-checks", "--quiet"]) == 0
    assert capsys.readouterr().err.count(note) == 1
    (tmp_path / "~$census.xlsx").unlink()
    _, lines, err = _validate(capsys, open_book)
    assert "not yet saved" not in err and "close it first" not in "\n".join(lines)


def test_census_xml_is_never_said_to_be_open(capsys, tmp_path):
    xml = tmp_path / "c.xml"
    shutil.copy(MESSY, xml)
    (tmp_path / "~$c.xml").write_bytes(b"")
    _validate(capsys, xml)
    assert "not yet saved" not in capsys.readouterr().err
