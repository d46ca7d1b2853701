"""Where commands may write: never their input, never an existing file without --force, never a
suffix that does not match what is written, never a read-only file; the suffix decides the format."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.outputs import FORCE_HINT, OutputExists, OutputRefused, check_output
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook
from cin_xl.xml import to_xml_bytes
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """A small filled workbook and its census XML, made once (copied per test)."""
    folder = tmp_path_factory.mktemp("sources")
    census = generate(12, YEAR, 3)
    workbook, xml = folder / "w.xlsx", folder / "c.xml"
    write_workbook(workbook, census, YEAR)
    xml.write_bytes(to_xml_bytes(census, YEAR))
    return workbook.read_bytes(), xml.read_bytes()


@pytest.fixture
def files(tmp_path, sources):
    workbook, xml = tmp_path / "w.xlsx", tmp_path / "c.xml"
    workbook.write_bytes(sources[0])
    xml.write_bytes(sources[1])
    return workbook, xml


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the folder (hidden ones too: a leftover temporary file would show)."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def assert_refused(capsys, folder: Path, argv: list, *needles: str) -> str:
    """The command exits 2 with one line on stderr holding ``needles``, and no file changes or appears."""
    before = snapshot(folder)
    code, _, err = run(capsys, *argv)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    assert snapshot(folder) == before
    return err


# --- the input file, by any name ----------------------------------------------------------------


def test_export_and_validate_refuse_to_write_over_the_workbook(capsys, files, tmp_path):
    workbook, _ = files
    assert_refused(capsys, tmp_path, ["export", workbook, "-o", workbook], "name it .xml")
    assert_refused(capsys, tmp_path, ["validate", workbook, "--report", workbook], "name it .json or .csv")
    assert_refused(capsys, tmp_path, ["validate", workbook, "--report", workbook, "--annotate"], "name it .json")
    assert_refused(capsys, tmp_path, ["export", workbook, "-o", workbook, "--force"], "name it .xml")


@pytest.mark.parametrize("how", ["symlink", "hardlink"])
def test_the_input_is_refused_under_another_name(capsys, files, tmp_path, how):
    workbook, xml = files

    def alias(target: Path, name: str) -> Path:
        path = tmp_path / name
        path.symlink_to(target) if how == "symlink" else os.link(target, path)
        return path

    cases = [(["export", workbook, "-o", alias(workbook, "out.xml")], workbook),
             (["validate", xml, "--report", alias(xml, "out.json")], xml),
             (["import", xml, "-o", alias(xml, "out.xlsx")], xml),
             (["report", xml, "-o", alias(xml, "out.html")], xml)]
    for argv, source in cases:
        before = source.read_bytes()
        assert_refused(capsys, tmp_path, [*argv, "--force"], "is the input file")
        assert source.read_bytes() == before


# --- existing files: --force, the same words everywhere ---------------------------------------------


def test_every_command_refuses_an_existing_output_with_the_same_words(capsys, files, tmp_path):
    workbook, xml = files
    commands = {
        "template": lambda out: ["template", "--year", "2026-27", "-o", out],
        "import": lambda out: ["import", xml, "-o", out],
        "export": lambda out: ["export", workbook, "-o", out, "--allow-errors"],
        "report": lambda out: ["report", xml, "-o", out, "--no-checks"],
        "validate": lambda out: ["validate", xml, "--report", out],
    }
    names = {"template": "t.xlsx", "import": "i.xlsx", "export": "e.xml", "report": "r.html", "validate": "v.csv"}
    for command, argv in commands.items():
        out = tmp_path / names[command]
        out.write_bytes(b"the user's own file")
        err = assert_refused(capsys, tmp_path, argv(out))
        assert err.strip() == f"cin-xl: {out} already exists; {FORCE_HINT}"
        code, _, err = run(capsys, *argv(out), "--force")
        assert code in (0, 1), (command, err)
        assert out.read_bytes() != b"the user's own file"
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_help_gives_force_the_same_words_everywhere(capsys):
    from cin_xl.cli.commands import FORCE_HELP

    for command in ("template", "import", "export", "report", "validate", "demo"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert f"--force {FORCE_HELP}" in text, command


def test_report_default_output_is_checked_too(capsys, files, tmp_path):
    _, xml = files
    default = tmp_path / "c-figures.html"
    default.write_text("kept")
    assert_refused(capsys, tmp_path, ["report", xml, "--no-checks"], "already exists", "--force")
    assert default.read_text() == "kept"


# --- the suffix decides ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, needle", [
    (["template", "-o", "out.csv"], "name it .xlsx or .xlsm"),
    (["template", "-o", "out.xls"], "name it .xlsx or .xlsm"),
    (["template", "-o", "out"], "a name without a suffix"),
    (["template", "--xlsm", "-o", "out.xlsx"], "--xlsm writes a macro-enabled workbook: name it .xlsm"),
    (["report", "{xml}", "-o", "figures.pdf"], "name it .html"),
    (["export", "{workbook}", "-o", "census.xlsx"], "name it .xml"),
    (["validate", "{xml}", "--report", "findings.txt"], "name it .json or .csv"),
    (["import", "{xml}", "-o", "out.csv"], "name it .xlsx or .xlsm"),
])
def test_a_suffix_that_does_not_match_is_refused(capsys, files, tmp_path, argv, needle):
    workbook, xml = files
    argv = [a.format(xml=xml, workbook=workbook) if "{" in a else a for a in argv]
    argv = [tmp_path / a if a.startswith(("out", "figures", "census.", "findings")) else a for a in argv]
    assert_refused(capsys, tmp_path, argv, needle)


def test_an_xlsm_name_makes_the_macro_enabled_workbook(capsys, files, tmp_path):
    _, xml = files
    for argv in (["template", "-o", tmp_path / "t.xlsm"], ["template", "--xlsm", "-o", tmp_path / "u.xlsm"],
                 ["import", xml, "-o", tmp_path / "i.xlsm"]):
        code, _, err = run(capsys, *argv)
        assert code in (0, 1), err
        with zipfile.ZipFile(argv[-1]) as z:
            assert "xl/vbaProject.bin" in z.namelist()
            assert "macroEnabled" in z.read("[Content_Types].xml").decode()
    code, _, _ = run(capsys, "template", "-o", tmp_path / "t.xlsx")
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        assert "xl/vbaProject.bin" not in z.namelist()


# --- read-only targets and permissions ----------------------------------------------------------------


def test_a_read_only_target_is_refused_even_with_force(capsys, files, tmp_path):
    workbook, xml = files
    target = tmp_path / "census.xml"
    target.write_bytes(b"last year's submitted file")
    target.chmod(0o444)
    try:
        err = assert_refused(capsys, tmp_path, ["export", workbook, "-o", target, "--allow-errors", "--force"],
                             "read-only")
        assert str(target) in err
        assert stat.S_IMODE(target.stat().st_mode) == 0o444
    finally:
        target.chmod(0o644)


def test_replacing_keeps_the_targets_permissions_and_links(tmp_path):
    target = tmp_path / "out.xml"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    write_atomic(link, b"newer")
    assert link.is_symlink() and target.read_bytes() == b"newer"
    target.chmod(0o440)
    with pytest.raises(PermissionError):
        write_atomic(target, b"never")
    assert target.read_bytes() == b"newer" and stat.S_IMODE(target.stat().st_mode) == 0o440
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.xml", "out.xml"]


def test_check_output_order_and_kinds(tmp_path):
    existing = tmp_path / "a.json"
    existing.write_text("{}")
    with pytest.raises(OutputExists):
        check_output(existing, "report")
    assert check_output(existing, "report", force=True) == existing
    (tmp_path / "d.xml").mkdir()
    with pytest.raises(OutputRefused, match="is a folder"):
        check_output(tmp_path / "d.xml", "xml", force=True)
    with pytest.raises(OutputRefused, match="is the input file"):
        check_output(existing, "report", inputs=[tmp_path / "x" / ".." / "a.json"], force=True)
    assert check_output(tmp_path / "NEW.XLSM", "workbook") == tmp_path / "NEW.XLSM"  # case does not matter


# --- the demo's folder -------------------------------------------------------------------------------


def test_demo_refuses_a_folder_holding_its_files_unless_forced(capsys, tmp_path):
    out = tmp_path / "demo"
    code, _, err = run(capsys, "demo", "-o", out, "-n", "20", "--year", "2026-27")
    assert code == 0, err
    written = snapshot(out)
    assert len(written) == 9 and not [n for n in written if n.startswith(".")]
    err = assert_refused(capsys, out, ["demo", "-o", out, "-n", "20", "--year", "2026-27"], "already exists",
                         "--force")
    code, _, err = run(capsys, "demo", "-o", out, "-n", "20", "--year", "2026-27", "--force")
    assert code == 0, err
    # a folder holding other files is fine: they are not touched
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert run(capsys, "demo", "-o", other, "-n", "20", "--year", "2026-27")[0] == 0
    assert (other / "notes.txt").read_text() == "mine"
    assert_refused(capsys, tmp_path, ["demo", "-o", other / "notes.txt"], "is a file")


# --- the Excel buttons choose paths too -------------------------------------------------------------


@pytest.fixture
def clean_book(tmp_path):
    path = tmp_path / "book.xlsx"
    write_workbook(path, generate(15, YEAR, 4), YEAR)
    return path


def test_export_button_asks_before_replacing(clean_book, tmp_path):
    target = tmp_path / "census.xml"
    target.write_bytes(b"kept")
    asked = []
    declined = run_excel_function(excel.export_xml, clean_book, None, target, allow_errors=True,
                                  confirm=lambda q: asked.append(q) or False).value
    assert not declined.ok and "kept" in declined.message and target.read_bytes() == b"kept"
    assert asked == [f"{target} already exists. Replace it?"]
    accepted = run_excel_function(excel.export_xml, clean_book, None, target, allow_errors=True,
                                  confirm=lambda q: True).value
    assert accepted.ok and target.read_bytes().startswith(b"<?xml")
    target.chmod(0o444)
    try:
        refused = run_excel_function(excel.export_xml, clean_book, None, target, allow_errors=True,
                                     overwrite=True).value
        assert not refused.ok and "read-only" in refused.message
    finally:
        target.chmod(0o644)


def test_export_button_refuses_a_wrong_suffix_and_the_workbook_itself(clean_book, tmp_path, monkeypatch):
    before = clean_book.read_bytes()
    wrong = run_excel_function(excel.export_xml, clean_book, None, tmp_path / "census.txt", allow_errors=True).value
    assert not wrong.ok and "name it .xml" in wrong.message and not (tmp_path / "census.txt").exists()
    link = tmp_path / "book.xml"
    link.symlink_to(clean_book)
    monkeypatch.setattr(excel, "book_path", lambda book: clean_book)
    itself = run_excel_function(excel.export_xml, clean_book, None, link, allow_errors=True, overwrite=True).value
    assert not itself.ok and "is the input file" in itself.message
    assert clean_book.read_bytes() == before


def test_import_button_reads_only_census_xml(clean_book, tmp_path, monkeypatch):
    result = run_excel_function(excel.import_xml, clean_book, None, clean_book, overwrite=True)
    assert not result.value.ok and "not census XML" in result.value.message
    assert result.calls.get("setValues", 0) == 0
    link = tmp_path / "book.xml"
    link.symlink_to(clean_book)
    monkeypatch.setattr(excel, "book_path", lambda book: clean_book)
    result = run_excel_function(excel.import_xml, clean_book, None, link, overwrite=True)
    assert not result.value.ok and "this workbook itself" in result.value.message


def test_annotate_refuses_a_read_only_workbook(capsys, files, tmp_path):
    workbook, _ = files
    workbook.chmod(0o444)
    try:
        assert_refused(capsys, tmp_path, ["validate", workbook, "--annotate"], "read-only")
        assert stat.S_IMODE(workbook.stat().st_mode) == 0o444
    finally:
        workbook.chmod(0o644)
