"""Hostile and foreign inputs to the workbook reader, through the CLI.

Each case checks the exit code, a one-line message (no value echoed at length), that the input's
bytes are unchanged and that no file is left behind. How long the slow cases take, and how much
memory, is measured by benchmarks/bench_hostile.py, not asserted here.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import date

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.errors import UnusableInput
from cin_xl.workbook.package import limits
from cin_xl.workbook.writer import workbook_bytes
from tests.workbook.helpers import base_return
from tests.workbook.packages import edit_cell, edit_member, sheet_member, style_of

Y = CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def book() -> bytes:
    return workbook_bytes(base_return(Y.label), Y)


def run(*argv) -> int:
    return main([str(a) for a in argv])


def files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def refused(tmp_path, capsys, name: str, data: bytes, *argv: str, code: int = 2) -> str:
    """Runs ``cin-xl <argv> FILE``: exit ``code``, one line on stderr, the file as it was, nothing else written."""
    path = tmp_path / name
    path.write_bytes(data)
    before = files(tmp_path)
    capsys.readouterr()
    assert run(*argv[:1], path, *argv[1:]) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("cin-xl: ") and "\n" not in err and len(err) < 400, err
    assert "Traceback" not in err
    assert files(tmp_path) == before  # the input unchanged, no output, no temporary file left
    return err


# ---------------------------------------------------------------------------------------------
# Packages that would inflate too far
# ---------------------------------------------------------------------------------------------


def with_member(data: bytes, member: str, chunks, *, declared: int | None = None) -> bytes:
    """The package with ``member`` added, written from ``chunks`` as a stream (never whole in memory)."""
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open(member, "w", force_zip64=True) as fh:
            for chunk in chunks:
                fh.write(chunk)
    result = out.getvalue()
    return result if declared is None else lie_about_size(result, member, declared)


def lie_about_size(data: bytes, member: str, declared: int) -> bytes:
    """The package with ``member``'s uncompressed size in the zip directory (and local header) set to ``declared``."""
    buf = bytearray(data)
    name = member.encode()
    at = buf.find(b"PK\x01\x02" + b"", 0)
    while at >= 0:
        n = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + n]) == name:
            struct.pack_into("<I", buf, at + 24, declared)
            local = struct.unpack_from("<I", buf, at + 42)[0]
            struct.pack_into("<I", buf, local + 22, declared)
            extra = struct.unpack_from("<H", buf, at + 30)[0]
            if extra:  # zip64: drop the extra field's sizes by marking it unused
                buf[at + 46 + n:at + 46 + n + extra] = b"\x99\x99" + struct.pack("<H", extra - 4) + \
                    b"\0" * (extra - 4)
            return bytes(buf)
        at = buf.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def shared_string_bomb(total: int):
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    block = b"A" * (1 << 20)
    for _ in range(total // len(block)):
        yield block
    yield b"</t></si></sst>"


def test_zip_bomb_is_refused_from_the_directory(tmp_path, capsys, book, monkeypatch):
    """A shared string inflating far past the limit (the limit lowered so the test builds it quickly)."""
    monkeypatch.setattr(limits, "MAX_UNPACKED", 8 * limits.MB)
    data = with_member(with_shared_strings(book), "xl/sharedStrings.xml", shared_string_bomb(12 * limits.MB))
    assert len(data) < 200_000
    for command in (["validate"], ["export", "-o", str(tmp_path / "out.xml")]):
        err = refused(tmp_path, capsys, "bomb.xlsx", data, *command)
        assert "would unpack to" in err and "zip bomb" in err


def with_shared_strings(book: bytes) -> bytes:
    """The package with a relationship to xl/sharedStrings.xml (a workbook cin-xl writes has inline text only)."""
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    return edit_member(book, "xl/_rels/workbook.xml.rels", lambda t: t.replace(
        "</Relationships>", f'<Relationship Id="rIdSST" Type="{kind}" Target="sharedStrings.xml"/></Relationships>'))


def test_member_that_lies_about_its_size_is_refused_while_unpacked(tmp_path, capsys, book):
    data = with_member(with_shared_strings(book), "xl/sharedStrings.xml", shared_string_bomb(4 * limits.MB),
                       declared=1000)
    err = refused(tmp_path, capsys, "liar.xlsx", data, "validate")
    assert "damaged" in err or "more than its zip directory says" in err


def test_the_limit_holds_while_unpacking():
    """A part that unpacks to more than it declared is stopped at its declared size, and the total at the limit."""
    class Endless:
        def read(self, n):
            return b"A" * n

        def close(self):
            pass

    part = limits.BoundedPart(Endless(), "xl/sharedStrings.xml", 3 * limits.CHUNK, limits._Budget("w.xlsx"))
    with pytest.raises(UnusableInput, match="more than its zip directory says"):
        while part.read(limits.CHUNK):
            pass
    budget = limits._Budget("w.xlsx")
    budget.spent = limits.MAX_UNPACKED - 10
    part = limits.BoundedPart(Endless(), "xl/worksheets/sheet1.xml", limits.MAX_UNPACKED, budget)
    with pytest.raises(UnusableInput, match="unpack to more than"):
        part.read(100)


def test_declared_sizes_past_the_limit_are_refused_before_unpacking(tmp_path, capsys, book):
    data = with_member(book, "xl/sharedStrings.xml", [b"<sst/>"], declared=1_200_000_000)
    err = refused(tmp_path, capsys, "huge.xlsx", data, "validate")
    assert "would unpack" in err and "zip bomb" in err


def test_extreme_compression_ratio_is_refused(tmp_path, capsys, book):
    data = with_member(book, "xl/media/image1.png", [b"\0" * (1 << 20)] * 20)
    assert len(data) < 150_000
    err = refused(tmp_path, capsys, "ratio.xlsx", data, "validate")
    assert "xl/media/image1.png would unpack" in err and "times over" in err


def test_too_many_parts_are_refused(tmp_path, capsys, book, monkeypatch):
    monkeypatch.setattr(limits, "MAX_PARTS", 40)
    out = io.BytesIO(book)
    with zipfile.ZipFile(out, "a") as z:
        for i in range(60):
            z.writestr(f"customXml/item{i}.xml", "<x/>")
    err = refused(tmp_path, capsys, "parts.xlsx", out.getvalue(), "validate")
    assert "parts, far more than any workbook has" in err


def test_damaged_zip_is_refused(tmp_path, capsys, book):
    err = refused(tmp_path, capsys, "cut.xlsx", book[: len(book) // 2], "validate")
    assert "save it again as .xlsx" in err or "not a readable .xlsx" in err
    member = "xl/worksheets/sheet3.xml"
    broken = edit_member(book, member, lambda t: t.replace("</sheetData>", ""))
    err = refused(tmp_path, capsys, "broken.xlsx", broken, "validate")
    assert "not well-formed XML" in err and "Children" in err


# ---------------------------------------------------------------------------------------------
# Extent, formulas, values with no header
# ---------------------------------------------------------------------------------------------


def children_edit(book: bytes, edit) -> bytes:
    return edit_member(book, sheet_member(book, "Children"), edit)


def validate_json(tmp_path, data: bytes, name: str = "w.xlsx") -> tuple[int, list[dict]]:
    path = tmp_path / name
    path.write_bytes(data)
    report = tmp_path / f"{name}.json"
    code = run("validate", path, "--report", report)
    assert path.read_bytes() == data
    findings = json.loads(report.read_text())["findings"]
    report.unlink()
    return code, findings


def read_problems(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["code"] == "X-READ"]


def test_header_in_xfd_and_a_cell_in_the_last_row(tmp_path, book):
    """Read in well under a second (see benchmarks/bench_hostile.py), not in minutes."""
    far = children_edit(book, lambda t: t.replace(
        '<is><t>Marks</t></is></c></row>', '<is><t>Marks</t></is></c>'
        '<c r="XFD1" t="inlineStr"><is><t>My notes</t></is></c></row>', 1).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>last</t></is></c></row>'
        "</sheetData>"))
    code, findings = validate_json(tmp_path, far)
    base_code, base_findings = validate_json(tmp_path, book, "base.xlsx")
    # a column the user headed is theirs: said once, on its header, and nothing else changes
    own = [f for f in findings if f not in base_findings]
    assert code == base_code and [f for f in findings if f in base_findings] == base_findings
    assert [(f["severity"], f["cells"]) for f in own] == [("query", ["XFD1"])] and "'My notes'" in own[0]["message"]


def test_value_right_of_the_last_header_is_reported_but_not_the_issues_columns(tmp_path, book):
    data = children_edit(book, lambda t: t.replace(
        '<c r="J2" t="inlineStr"><is><t>NONE</t></is></c></row>',
        '<c r="J2" t="inlineStr"><is><t>NONE</t></is></c><c r="K2" t="inlineStr"><is><t>9999 error: old mark</t>'
        '</is></c><c r="L2" t="inlineStr"><is><t> J:E </t></is></c><c r="N2" t="inlineStr"><is><t>my note</t></is>'
        '</c></row>', 1).replace("</sheetData>", '<row r="7"><c r="XFD7"><v>42</v></c></row></sheetData>'))
    _, findings = validate_json(tmp_path, data)
    stray = [(f["sheet"], f["row"], f["cells"]) for f in read_problems(findings)]
    assert stray == [("Children", 2, ["N2"]), ("Children", 7, ["XFD7"])]


def test_formula_with_a_saved_result_reads_and_exports_as_the_value(tmp_path, capsys, book):
    style = style_of(book, "Children", "E2")
    serial = (date(2016, 6, 15) - date(1899, 12, 30)).days
    data = edit_cell(book, "Children", "E2", f'<c r="E2" s="{style}"><f>DATE(2016,6,15)</f><v>{serial}</v></c>')
    code, findings = validate_json(tmp_path, data)
    assert read_problems(findings) == []
    outputs = []
    for name, content in (("formula.xlsx", data), ("typed.xlsx", book)):
        path = tmp_path / name
        path.write_bytes(content)
        out = tmp_path / f"{name}.xml"
        assert run("export", path, "-o", out) == 0
        text = out.read_text()
        outputs.append(text[:text.index("<DateTime>")] + text[text.index("</DateTime>"):])
        assert path.read_bytes() == content
    assert "<PersonBirthDate>2016-06-15</PersonBirthDate>" in outputs[0]
    assert outputs[0] == outputs[1]


def test_formula_without_a_saved_result_is_a_finding_on_its_cell(tmp_path, capsys, book):
    style = style_of(book, "Children", "E2")
    data = edit_cell(book, "Children", "E2", f'<c r="E2" s="{style}"><f>DATE(2016,6,15)</f></c>')
    code, findings = validate_json(tmp_path, data)
    assert code == 1
    found = read_problems(findings)
    assert [(f["sheet"], f["row"], f["cells"], f["severity"]) for f in found] == [("Children", 2, ["E2"], "error")]
    assert "formula with no saved result: open and save the workbook in excel" in found[0]["message"].lower()
    path = tmp_path / "nocache.xlsx"
    path.write_bytes(data)
    out = tmp_path / "nocache.xml"
    capsys.readouterr()
    assert run("export", path, "-o", out) == 1
    assert not out.exists() and path.read_bytes() == data
    assert "E2" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# Other kinds of file
# ---------------------------------------------------------------------------------------------

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def xls() -> bytes:
    return OLE2 + b"\0" * 1024


def protected() -> bytes:
    return OLE2 + b"\0" * 512 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512


def xlsb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    return out.getvalue()


def ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


FOREIGN = {
    "xls": (xls, "Excel 97-2003 workbook (.xls)"),
    "xlsb": (xlsb, "Excel binary workbook (.xlsb)"),
    "ods": (ods, "OpenDocument spreadsheet (.ods)"),
    "protected": (protected, "password-protected workbook"),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
@pytest.mark.parametrize("suffix", ["own", ".xlsx", ".xml"])
@pytest.mark.parametrize("command", ["validate", "export", "import", "report"])
def test_other_spreadsheet_files_are_named_with_what_to_do(kind, suffix, command, tmp_path, capsys):
    make, what = FOREIGN[kind]
    if command == "import" and suffix == ".xlsx":
        pytest.skip("import refuses a .xlsx name before reading it")
    name = "return" + ({"xls": ".xls", "xlsb": ".xlsb", "ods": ".ods", "protected": ".xlsx"}[kind]
                       if suffix == "own" else suffix)
    argv = {"validate": ["validate"], "export": ["export", "-o", str(tmp_path / "out.xml")],
            "import": ["import", "-o", str(tmp_path / "out.xlsx")],
            "report": ["report", "-o", str(tmp_path / "out.html")]}[command]
    if command == "export" and suffix == ".xml":
        pytest.skip("export refuses a .xml name as census XML already")
    err = refused(tmp_path, capsys, name, make(), *argv)
    if command == "import" and name.endswith((".xls", ".xlsx")):
        assert "workbook" in err
        return
    assert what in err and "save it as an Excel Workbook (.xlsx)" in err
    assert "well-formed" not in err


def test_csv_is_named_with_what_to_do(tmp_path, capsys):
    err = refused(tmp_path, capsys, "children.csv", b"LA child ID,UPN\nA1,\n", "validate")
    assert "CSV file" in err and "cin-xl template" in err


NOT_CENSUS = {
    # kind: (content, what the message must say)
    # (a note named .xml or .dat is "a text file but not census XML"; named .xlsx, "not a readable .xlsx
    # workbook: it holds plain text": both say plain text)
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF document"),
    "text": (b"Notes from the census meeting\nCheck the referrals before March\n", "plain text"),
    "csv": (b"LA child ID,UPN,Date of birth\nA1,,01/02/2019\n", "CSV file"),
    "csv-semicolons": (b"LA child ID;UPN;Date of birth\nA1;;01/02/2019\n", "CSV file"),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "picture"),
}


@pytest.mark.parametrize("kind", sorted(NOT_CENSUS))
@pytest.mark.parametrize("name", ["return.xlsx", "return.xml", "return.dat"])
@pytest.mark.parametrize("command", ["validate", "export", "report"])
def test_files_that_are_not_census_data_are_recognised_by_content(kind, name, command, tmp_path, capsys):
    """A PDF, a note, a CSV or a picture, whatever its name, is said to be what it is, with what to give instead."""
    content, what = NOT_CENSUS[kind]
    if command == "export" and name.endswith(".xml"):
        pytest.skip("export refuses a .xml name as census XML already")
    argv = {"validate": ["validate"], "export": ["export", "-o", str(tmp_path / "out.xml")],
            "report": ["report", "-o", str(tmp_path / "out.html")]}[command]
    err = refused(tmp_path, capsys, name, content, *argv)
    assert what in err, err
    assert "well-formed" not in err and "not a zip package" not in err
