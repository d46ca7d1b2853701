"""``cin-xl validate FILE.xlsx --annotate``: the same marks as the Excel button, written with openpyxl."""

from __future__ import annotations

import os
import shutil

import pytest
from openpyxl import load_workbook

from cin_xl import excel
from cin_xl.cli import main
from cin_xl.workbook import annotate as annotate_module
from tests.excel.test_excel_buttons import make_workbook, marks_and_issues, sheet_values
from tests.excel_harness import run_excel_function


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path)
    return path


def test_annotate_writes_the_same_marks_as_the_excel_button(workbook, tmp_path, capsys):
    original = sheet_values(workbook)
    via_excel = tmp_path / "via-excel.xlsx"
    run_excel_function(excel.validate, workbook, via_excel)
    code = main(["validate", str(workbook), "--annotate"])
    assert code == 1 and "Marked the findings" in capsys.readouterr().out
    assert marks_and_issues(workbook) == marks_and_issues(via_excel)
    assert sheet_values(workbook) == original
    wb = load_workbook(workbook)
    assert wb["Summary"]._charts, "the Summary sheet has native charts"
    # the template's highlighting is still there, keyed on the Marks column
    rules = wb["Children"].conditional_formatting
    assert any("Marks" not in str(r.sqref) and "SEARCH" in "".join(x.formula[0] for x in r.rules) for r in rules)


def test_annotate_twice_is_the_same_as_once(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    once = marks_and_issues(workbook)
    main(["validate", str(workbook), "--annotate"])
    assert marks_and_issues(workbook) == once
    capsys.readouterr()


def test_refuses_a_workbook_open_in_excel(workbook, capsys):
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_text("x")
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "open in Excel" in capsys.readouterr().err
    assert workbook.read_bytes() == before


def test_refuses_a_read_only_workbook(workbook, capsys):
    if os.geteuid() == 0:
        pytest.skip("root can write read-only files")
    workbook.chmod(0o444)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "cannot be written" in capsys.readouterr().err


def test_failed_save_leaves_the_workbook_whole(workbook, monkeypatch, capsys):
    before = workbook.read_bytes()

    def disk_full(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("cin_xl.xml.writer.os.replace", disk_full)  # the last step of the atomic save
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "disk full" in capsys.readouterr().err
    assert workbook.read_bytes() == before
    assert [p.name for p in workbook.parent.iterdir()] == [workbook.name]  # no temporary file left
    capsys.readouterr()


def test_annotate_refuses_xml(tmp_path, capsys):
    xml = tmp_path / "census.xml"
    shutil.copy(__file__, xml)
    assert main(["validate", str(xml), "--annotate"]) == 2
    assert "workbook" in capsys.readouterr().err


def test_lock_file_names():
    from pathlib import Path

    assert annotate_module.lock_file(Path("/nonexistent/census.xlsx")) is None


def test_annotating_a_macro_workbook_keeps_its_macros_and_buttons(tmp_path, capsys):
    import re
    import zipfile

    path = tmp_path / "census.xlsm"
    assert main(["template", "--xlsm", "--sample", "30", "-o", str(path)]) == 0
    assert main(["validate", str(path), "--annotate"]) in (0, 1)
    capsys.readouterr()
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        content_types = z.read("[Content_Types].xml").decode()
        start = z.read("xl/worksheets/sheet1.xml").decode()
    assert "xl/vbaProject.bin" in names and "macroEnabled" in content_types
    assert "<controls>" in start and len([n for n in names if n.startswith("xl/ctrlProps/")]) == 4
    wb = load_workbook(path, keep_vba=True)
    assert wb.sheetnames[:2] == ["Start", "Summary"] and wb["Start"]["A1"].value.startswith("Children in need")
    assert re.search(r"Status", str([c.value for c in wb["Start"]["A"]]))


def test_libreoffice_lock_is_seen(tmp_path):
    from pathlib import Path

    book = tmp_path / "census.xlsx"
    lock = tmp_path / ".~lock.census.xlsx#"
    lock.write_text("x")
    assert annotate_module.lock_file(Path(book)) == lock


# ---------------------------------------------------------------------------------------------
# Marks only where the tool owns the cell; no lost update
# ---------------------------------------------------------------------------------------------


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp")


def _issues_column(ws) -> int:
    return [c.value for c in ws[1]].index("Issues") + 1


def test_text_typed_in_an_issues_cell_stops_the_run(workbook, capsys):
    wb = load_workbook(workbook)
    ws = wb["Children"]
    col = _issues_column(ws)
    ws.cell(7, col).value = "phoned the school, waiting"
    wb.save(workbook)
    before = workbook.read_bytes()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"'Children'!{ws.cell(7, col).coordinate}" in err[0] and "did not write" in err[0]
    assert workbook.read_bytes() == before
    assert _leftovers(workbook.parent) == []


def test_old_marks_are_replaced_but_user_text_in_the_marks_column_is_not(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    wb = load_workbook(workbook)
    ws = wb["Children"]
    marks = [c.value for c in ws[1]].index("Marks") + 1
    ws.cell(3, marks).value = "do not delete"
    wb.save(workbook)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "do not delete" in capsys.readouterr().err


def test_deleted_mark_columns_go_to_free_columns_and_keep_the_users_text(workbook, capsys):
    wb = load_workbook(workbook)
    ws = wb["Children"]
    col = _issues_column(ws)
    ws.delete_cols(col, 2)
    ws.cell(5, col).value = "my own note beside the data"
    wb.save(workbook)
    assert main(["validate", str(workbook), "--annotate"]) == 1
    capsys.readouterr()
    ws = load_workbook(workbook)["Children"]
    assert ws.cell(5, col).value == "my own note beside the data"
    headers = [c.value for c in ws[1]]
    assert headers.index("Issues") + 1 == col + 1 and headers.index("Marks") + 1 == col + 2
    assert any(ws.cell(r, col + 1).value for r in range(2, ws.max_row + 1)), "the marks were written"
    marks = ws.cell(1, col + 2).column_letter
    formulas = [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula]
    assert any(f"${marks}2" in f and ":E " in f for f in formulas), "marked cells are highlighted again"
    assert ws.column_dimensions[marks].hidden


def test_a_save_by_another_program_meanwhile_is_not_overwritten(workbook, monkeypatch, capsys):
    from cin_xl.workbook import annotate

    real = annotate.write_summary
    theirs = {}

    def save_meanwhile(pkg, *args, **kwargs):
        real(pkg, *args, **kwargs)
        wb = load_workbook(workbook)
        wb["Children"]["A2"].value = "saved by Excel meanwhile"
        wb.save(workbook)
        theirs["bytes"] = workbook.read_bytes()

    monkeypatch.setattr(annotate, "write_summary", save_meanwhile)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "changed by another program" in capsys.readouterr().err
    assert workbook.read_bytes() == theirs["bytes"]
    assert _leftovers(workbook.parent) == []


def test_a_change_between_validation_and_annotate_is_seen(workbook, monkeypatch, capsys):
    import cin_xl.jobs.validate as jobs

    real = jobs.validate_file

    def validate_then_touch(path, *args, **kwargs):
        report = real(path, *args, **kwargs)
        data = workbook.read_bytes()
        workbook.write_bytes(data)  # same bytes, later time: still another save
        os.utime(workbook, ns=(os.stat(workbook).st_atime_ns, os.stat(workbook).st_mtime_ns + 10**9))
        return report

    monkeypatch.setattr(jobs, "validate_file", validate_then_touch)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "changed by another program" in capsys.readouterr().err


def test_a_lock_file_appearing_meanwhile_stops_the_write(workbook, monkeypatch, capsys):
    from cin_xl.workbook import annotate

    real = annotate.write_summary

    def open_in_excel(pkg, *args, **kwargs):
        real(pkg, *args, **kwargs)
        workbook.with_name("~$" + workbook.name).write_text("x")

    before = workbook.read_bytes()
    monkeypatch.setattr(annotate, "write_summary", open_in_excel)
    assert main(["validate", str(workbook), "--annotate"]) == 2
    assert "open in Excel" in capsys.readouterr().err
    assert workbook.read_bytes() == before
    assert [p.name for p in workbook.parent.iterdir() if p.suffix == ".tmp"] == []


def test_permission_bits_are_kept(workbook, capsys):
    workbook.chmod(0o640)
    main(["validate", str(workbook), "--annotate"])
    capsys.readouterr()
    assert workbook.stat().st_mode & 0o777 == 0o640


def test_issues_cells_wrap_and_rows_fit_their_lines(workbook, capsys):
    from cin_xl.workbook.annotate import row_height

    main(["validate", str(workbook), "--annotate"])
    capsys.readouterr()
    wb = load_workbook(workbook)
    seen = 0
    for ws in wb.worksheets:
        headers = [c.value for c in ws[1]]
        if "Issues" not in headers or ws.title == "Issues":
            continue
        col = headers.index("Issues") + 1
        assert ws.column_dimensions[ws.cell(1, col).column_letter].width >= 60
        for r in range(2, ws.max_row + 1):
            text = ws.cell(r, col).value
            if text:
                seen += 1
                assert ws.cell(r, col).alignment.wrap_text
                assert ws.row_dimensions[r].height == row_height(text)
    assert seen


def test_a_macro_workbook_with_a_note_on_the_start_sheet(tmp_path, capsys):
    """It used to crash (ValueError); its note, macros and buttons now stay as they are."""
    import zipfile

    from lxml import etree

    path = tmp_path / "census.xlsm"
    assert main(["template", "--xlsm", "--sample", "20", "-o", str(path)]) == 0
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/comments/comment99.xml"] = (
        f'<comments xmlns="{main_ns}"><authors><author>me</author></authors><commentList>'
        f'<comment ref="D3" authorId="0"><text><t>my note on the Start sheet</t></text></comment>'
        '</commentList></comments>').encode()
    rels_name = "xl/worksheets/_rels/sheet1.xml.rels"
    rels = etree.fromstring(parts[rels_name])
    etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship",
                     Id="rIdNote", Target="/xl/comments/comment99.xml",
                     Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments")
    parts[rels_name] = etree.tostring(rels)
    types = etree.fromstring(parts["[Content_Types].xml"])
    etree.SubElement(types, "{http://schemas.openxmlformats.org/package/2006/content-types}Override",
                     PartName="/xl/comments/comment99.xml",
                     ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml")
    parts["[Content_Types].xml"] = etree.tostring(types)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    assert main(["validate", str(path), "--annotate"]) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err
    with zipfile.ZipFile(path) as z:
        for name in ("xl/comments/comment99.xml", "xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml", rels_name):
            assert z.read(name) == parts[name], name


def test_validation_recognises_its_own_marks_and_only_those():
    from cin_xl.validation.findings import Finding, Severity
    from cin_xl.workbook.layout import marks_text
    from cin_xl.workbook.marks import _row_text, is_own_mark

    findings = [Finding(code, sev, "a message quoting a value: =HYPERLINK(x)") for code, sev in
                (("1103", Severity.ERROR), ("8525Q", Severity.QUERY), ("X-READ", Severity.ERROR),
                 ("LA-01", Severity.QUERY), ("XSD", Severity.ERROR))]
    assert is_own_mark(_row_text(findings), marks_column=False)
    assert is_own_mark(marks_text([("C", "error"), ("AB", "query")]), marks_column=True)
    assert is_own_mark(None, marks_column=False) and is_own_mark("", marks_column=True)
    for typed in ("phoned the school", "query: ask Sam", "=SUM(A1:A3)", "1103 is fine, checked"):
        assert not is_own_mark(typed, marks_column=False), typed
    for typed in ("C", "x:E", "done", 3.0):
        assert not is_own_mark(typed, marks_column=True), typed


def _rewrite_member(path, name_of, change) -> None:
    """Rewrite one member of a workbook (picked by ``name_of(names)``) with ``change(bytes)``."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    name = name_of(list(parts))
    parts[name] = change(parts[name])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_picture_the_user_put_on_the_summary_sheet_stops_the_run(workbook, capsys):
    main(["validate", str(workbook), "--annotate"])
    from lxml import etree

    xdr = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
    pic = etree.fromstring(
        f'<xdr:oneCellAnchor xmlns:xdr="{xdr}"><xdr:from><xdr:col>8</xdr:col><xdr:colOff>0</xdr:colOff>'
        '<xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="1" cy="1"/><xdr:pic><xdr:nvPicPr>'
        '<xdr:cNvPr id="99" name="mine"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill/><xdr:spPr/></xdr:pic>'
        '<xdr:clientData/></xdr:oneCellAnchor>')

    def add_picture(data):
        root = etree.fromstring(data)
        root.append(pic)
        return etree.tostring(root)

    _rewrite_member(workbook, lambda names: next(n for n in names if n.startswith("xl/drawings/drawing")),
                    add_picture)
    before = workbook.read_bytes()
    capsys.readouterr()
    assert main(["validate", str(workbook), "--annotate"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'Summary' sheet holds a picture" in err[0]
    assert workbook.read_bytes() == before


def test_a_broken_part_is_a_one_line_message_not_a_traceback(workbook, capsys):
    import zipfile

    from tests.workbook.test_package_write import sheet_parts

    with zipfile.ZipFile(workbook) as z:
        issues = sheet_parts({n: z.read(n) for n in z.namelist()})["Issues"]  # read by annotate only
    # cut short after a <dimension>: openpyxl reads no further when loading, annotate must read it all
    _rewrite_member(workbook, lambda names: issues,
                    lambda data: data.replace(b"<sheetViews", b'<dimension ref="A1:G2"/><sheetViews', 1)[:-40])
    before = workbook.read_bytes()
    code = main(["validate", str(workbook), "--annotate"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "Nothing was changed" in err[0]
    assert workbook.read_bytes() == before


def test_a_row_with_very_many_findings_stays_within_excels_limits(workbook, capsys):
    from cin_xl.jobs.validate import validate_file
    from cin_xl.validation.findings import Finding, Severity
    from cin_xl.workbook.annotate import MAX_CELL_TEXT, annotate_file
    from cin_xl.workbook.marks import MAX_ROW_HEIGHT

    report = validate_file(workbook)
    read = report.loaded.workbook
    row = read.sheets["Children"].rows[0]
    many = [Finding(f"{9000 + i}", Severity.QUERY, f"finding number {i} " + "x" * 90, sheet="Children", row=row,
                    cells=("B" + str(row),)) for i in range(400)]
    for _ in range(2):  # the second run recognises the cut text as its own
        annotate_file(workbook, read, report.findings + many)
    ws = load_workbook(workbook)["Children"]
    text = ws.cell(row, _issues_column(ws)).value
    assert MAX_CELL_TEXT - 100 < len(text) <= MAX_CELL_TEXT and text.endswith("see the Issues sheet")
    assert ws.row_dimensions[row].height == MAX_ROW_HEIGHT
