"""Text that cannot be encoded is shown escaped, never a traceback; messages quote a short prefix of a value.

A cell may hold OOXML's escape of half a UTF-16 surrogate pair (``_xD800_``): no character, so no file
or terminal can take it. The reader keeps such text as typed; file names the system could not decode
(lone surrogates too) are printed and written escaped. A value millions of characters long is quoted
by its first characters and its length, in every message.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.reports.findings import grouped
from cin_xl.safety.text_guard import QUOTED, encodable, quoted, quoted_repr
from cin_xl.synthetic.generate import generate
from cin_xl.validation.findings import Finding, Severity
from cin_xl.workbook.reader import read_workbook
from cin_xl.workbook.writer import write_workbook
from cin_xl.xml import to_xml_bytes

YEAR = CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plain") / "book.xlsx"
    write_workbook(path, generate(6, YEAR, 3), YEAR)
    return path


def typed(plain: Path, folder: Path, values: dict[str, str], name: str = "book.xlsx") -> Path:
    """A copy of the workbook with ``values`` typed into the Children sheet (openpyxl stores them as given)."""
    path = folder / name
    shutil.copy(plain, path)
    wb = load_workbook(path)
    for ref, value in values.items():
        wb["Children"][ref].value = value
    wb.save(path)
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_half_a_surrogate_pair_is_kept_as_typed_and_a_whole_pair_is_its_character(plain, tmp_path):
    path = typed(plain, tmp_path, {"A2": "_xD800_", "A3": "ID_xDC00_1", "A4": "_xD83D__xDE00_"})
    ids = [c.identifiers.la_child_id for c in read_workbook(path).census.children[:3]]
    assert ids == ["_xD800_", "ID_xDC00_1", "\U0001F600"]


@pytest.mark.parametrize("argv", [
    ["validate", "{book}"],
    ["validate", "{book}", "--report", "{dir}/r.json"],
    ["validate", "{book}", "--report", "{dir}/r.csv"],
    ["report", "{book}", "-o", "{dir}/r.html"],
    ["validate", "{book}", "--annotate"],
])
def test_every_command_takes_a_lone_surrogate_escape(plain, tmp_path, capsys, argv):
    book = typed(plain, tmp_path, {"A2": "_xD800_"})
    code, out, err = run(capsys, *[a.format(book=book, dir=tmp_path) for a in argv])
    assert code in (0, 1), err
    assert "Traceback" not in err and "UnicodeEncodeError" not in err
    written = [p for p in tmp_path.iterdir() if p.name in ("r.json", "r.csv")]
    for p in written:
        assert "_xD800_" in p.read_text(encoding="utf-8-sig")
    if argv[0] == "validate" and "--report" not in argv:
        assert "_xD800_" in out


@pytest.mark.parametrize("reference", ["&#xD800;", "&#55296;", "&#x110000;", "&#0;"])
def test_a_character_reference_xml_does_not_allow_is_one_line(plain, tmp_path, capsys, reference):
    book = typed(plain, tmp_path, {"A2": "MARKER-ID"})
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if b"MARKER-ID" in data:
                data = data.replace(b"MARKER-ID", reference.encode())
            dst.writestr(info, data)
    code, out, err = run(capsys, "validate", damaged)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert "not well-formed" in err


def test_a_file_name_the_system_could_not_decode_is_printed_and_written_escaped(plain, tmp_path, capsys):
    name = b"\xff-book.xlsx".decode("utf-8", "surrogateescape")  # bytes that are not UTF-8, as Linux gives them
    try:
        book = typed(plain, tmp_path, {}, name=name)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only names in UTF-8")
    report = tmp_path / "r.json"
    code, out, err = run(capsys, "validate", book, "--report", report)
    assert code in (0, 1) and "Traceback" not in err, err
    assert "\\udcff-book.xlsx" in out
    assert json.loads(report.read_text(encoding="utf-8"))["source"].endswith(name)  # exact, as JSON escapes it
    code, out, err = run(capsys, "validate", book, "--annotate")
    assert code in (0, 1) and "Traceback" not in err and "cannot write" not in err, err


def test_a_huge_child_id_is_quoted_short_everywhere_it_is_printed(tmp_path, capsys):
    root = etree.fromstring(to_xml_bytes(generate(5, YEAR, 3), YEAR))
    huge = "X" * 5_000_000
    root.find("Children").find("Child").find("ChildIdentifiers").find("LAchildID").text = huge
    xml = tmp_path / "big.xml"
    xml.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    report = tmp_path / "big.json"
    code, out, err = run(capsys, "validate", xml, "--report", report)
    assert code in (1, 2), err
    assert len(out) < 5_000 and "(5,000,000 characters)" in out
    assert huge in report.read_text()  # the report is the data: exact
    code, out, err = run(capsys, "import", xml, "-o", tmp_path / "big.xlsx")
    assert code == 2 and len(out) + len(err) < 5_000, err


def test_quoting_helpers():
    assert quoted("A1") == "A1" and quoted("a\nb\tc") == "a b c"
    assert quoted("x" * 100) == "x" * QUOTED + "... (100 characters)"
    assert quoted("\ud800") == "\\ud800" and encodable("ok") == "ok"
    assert quoted_repr("x" * 100) == repr("x" * QUOTED) + "... (100 characters)"
    assert quoted_repr("\ud800") == repr("\ud800") and quoted_repr(5) == "5"


def test_a_check_of_ours_that_fired_twice_is_headed_by_its_message():
    import cin_xl.validation.continuity  # noqa: F401 - registers the C- checks

    message = "A continuing episode's referral date differs from last year's return"
    twice = [Finding("C-03", Severity.QUERY, f"{message}: last year {n}/04/2025 (line {n})") for n in (1, 2)]
    [(code, _, heading, group)] = grouped(twice)
    assert code == "C-03" and len(group) == 2 and heading == message
    # messages that share nothing: our own code is headed by what it means, not by the code
    apart = [Finding("C-03", Severity.QUERY, text) for text in ("one thing", "another")]
    assert grouped(apart)[0][2] == message


@pytest.mark.parametrize("typed_text", ["A_x0001_B", "ID_x0002_X"])
def test_export_refuses_a_character_xml_cannot_hold_on_its_cell(plain, tmp_path, capsys, typed_text):
    book = typed(plain, tmp_path, {"A2": typed_text})
    out = tmp_path / "out.xml"
    code, _, err = run(capsys, "export", book, "-o", out, "--allow-errors")
    assert code == 1 and "Traceback" not in err, err
    assert "Children!A2" in err and "census XML cannot hold" in err
    assert not out.exists()


def test_the_xml_writer_refuses_half_a_surrogate_pair():
    from cin_xl.xml import ExportRefused

    census = generate(3, YEAR, 3)
    census.children[0].identifiers.la_child_id = "A\ud800B"
    with pytest.raises(ExportRefused) as caught:
        to_xml_bytes(census, YEAR, check=False)
    [(_, path, message)] = caught.value.problems
    assert path.endswith("/ChildIdentifiers/LAchildID") and "U+D800" in message and "\\ud800" in message
