"""Import says what of a faulty census file it did not bring into the workbook (text between items, an element
of another census year, an unknown element, an element out of order, an item given twice): by line, child and
record, a few of each kind, and how to see every break of the census schema. Data itself (a bad code, an
impossible date, a malformed UPN) is kept as typed in its cell and is no part of the note."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.jobs.import_ import NOTE_EACH, import_file
from cin_xl.synthetic.generate import generate
from cin_xl.xml import read_xml, to_xml_bytes

YEAR = CensusYear.parse("2022-23")  # <Sex> is of later years: an element of another census year here


@pytest.fixture(scope="module")
def clean() -> str:
    return to_xml_bytes(generate(4, YEAR, 5), YEAR).decode()


def _first_id(xml: str) -> str:
    return re.search(r"<LAchildID>([^<]*)</LAchildID>", xml).group(1)  # type: ignore[union-attr]


def _line_of(xml: str, text: str) -> int:
    return xml[:xml.index(text)].count("\n") + 1


def _stray_text(xml: str) -> tuple[str, str]:
    return xml.replace("<PersonBirthDate>", "PersonBirthDate<PersonBirthDate>", 1), "PersonBirthDate<"


def _other_year(xml: str) -> tuple[str, str]:
    return xml.replace("</PersonBirthDate>", "</PersonBirthDate><Sex>F</Sex>", 1), "<Sex>"


def _unknown(xml: str) -> tuple[str, str]:
    return xml.replace("</PersonBirthDate>", "</PersonBirthDate><ShoeSize>4</ShoeSize>", 1), "<ShoeSize>"


def _out_of_order(xml: str) -> tuple[str, str]:
    start = xml.index("<LAchildID>")
    end = xml.index("</LAchildID>") + len("</LAchildID>")
    moved = xml[start:end]
    xml = xml[:start] + xml[end:]
    return xml.replace("</ChildIdentifiers>", moved + "</ChildIdentifiers>", 1), moved


def _twice(xml: str) -> tuple[str, str]:
    birth = re.search(r"<PersonBirthDate>[^<]*</PersonBirthDate>", xml).group(0)  # type: ignore[union-attr]
    return xml.replace(birth, birth + birth.replace("<PersonBirthDate>", "<PersonBirthDate >"), 1), \
        "<PersonBirthDate >"


SHAPES = [  # (make the shape, what the note calls it, words of the finding)
    (_stray_text, "text between items", "holds the text 'PersonBirthDate' between its items"),
    (_other_year, "elements of another census year", "unknown element <Sex>"),
    (_unknown, "unknown elements", "unknown element <ShoeSize>"),
    (_out_of_order, "elements out of the census order", "<LAchildID> comes after <GenderCurrent>"),
    (_twice, "items given twice", "<PersonBirthDate> appears more than once"),
]


@pytest.mark.parametrize("shape,kind,words", SHAPES, ids=[s[0].__name__.strip("_") for s in SHAPES])
def test_the_note_names_line_child_and_record(shape, kind, words, clean, tmp_path: Path, capsys) -> None:
    xml, at = shape(clean)
    src = tmp_path / "faulty.xml"
    src.write_text(xml)
    assert main(["import", str(src), "-o", str(tmp_path / "faulty.xlsx")]) == 1
    out = capsys.readouterr().out
    note = out[out.index("not brought into the workbook"):]
    line = f"line {_line_of(xml, at)}, child {_first_id(clean)}"
    assert f"  {kind}" in note and words in note and line in note, note
    assert f"Run cin-xl validate {src} to see every break of the census schema." in note
    # and the same finding is on the Issues sheet, with its line and child
    issues = [[c.value for c in r] for r in load_workbook(tmp_path / "faulty.xlsx")["Issues"].iter_rows(min_row=2)]
    assert any(words in (r[2] or "") for r in issues), issues


def test_no_note_for_a_clean_file(clean: str, tmp_path: Path, capsys) -> None:
    src = tmp_path / "clean.xml"
    src.write_text(clean)
    assert main(["import", str(src), "-o", str(tmp_path / "clean.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "not brought" not in out and "validate" not in out
    assert import_file(src).note == []


def test_text_and_order_are_said_whether_read_whole_or_child_by_child(clean: str, tmp_path: Path) -> None:
    xml, _ = _stray_text(clean)
    xml, _ = _out_of_order(xml)
    src = tmp_path / "f.xml"
    src.write_text(xml)
    streamed = read_xml(src, keep_document=False).problems
    whole = read_xml(xml.encode()).problems
    assert [(p.line, p.message) for p in streamed] == [(p.line, p.message) for p in whole]
    assert {"text" in p.message or "order" in p.message for p in streamed} == {True} and len(streamed) == 2


def test_validate_still_says_them_once_in_the_schema_words(clean: str, tmp_path: Path, capsys) -> None:
    """validate checks the census schema, which says text between items and elements out of order: the reader
    leaves them to it, so each is said once."""
    xml, _ = _stray_text(clean)
    src = tmp_path / "f.xml"
    src.write_text(xml)
    assert main(["validate", str(src)]) == 2
    out = capsys.readouterr().out
    assert "holds the text 'PersonBirthDate' between its items, where only items belong" in out
    assert "it is in no item" not in out


def test_many_of_a_kind_are_counted_and_long_text_cut(clean: str, tmp_path: Path) -> None:
    xml = clean.replace("</PersonBirthDate>", "</PersonBirthDate><ShoeSize>4</ShoeSize>")  # every child
    xml = xml.replace("<GenderCurrent>", "x" * 500 + "<GenderCurrent>", 1)
    src = tmp_path / "f.xml"
    src.write_text(xml)
    note = import_file(src).note
    children = clean.count("<Child>")
    assert children > NOTE_EACH
    assert f"  unknown elements, not read: {children}" in note
    assert f"    ... and {children - NOTE_EACH} more" in note
    assert sum("<ShoeSize>" in line for line in note) == NOTE_EACH
    stray = next(line for line in note if "between its items" in line)
    assert "x" * 60 + "... (500 characters)" in stray and "x" * 61 not in stray


def test_data_is_kept_as_typed_beside_the_note(clean: str, tmp_path: Path, capsys) -> None:
    """A bad code, an impossible date, a malformed UPN, an unknown code: data, in its cell as typed, and not in
    the note (validation flags them); the stray text beside them is in the note."""
    xml = clean.replace(re.search(r"<PersonBirthDate>[^<]*<", clean).group(0),  # type: ignore[union-attr]
                        "<PersonBirthDate>2015-02-30<", 1)
    xml = xml.replace(re.search(r"<Ethnicity>[^<]*<", xml).group(0), "<Ethnicity>ZZZZ<", 1)  # type: ignore[union-attr]
    xml = xml.replace("<UPNunknown>", "<UPN>A12x</UPN><UPNunknown>", 1)
    xml = xml.replace(re.search(r"<ReferralSource>[^<]*<", xml).group(0), "<ReferralSource>9Z<", 1)  # type: ignore[union-attr]
    xml, _ = _stray_text(xml)
    src = tmp_path / "f.xml"
    src.write_text(xml)
    book = tmp_path / "f.xlsx"
    assert main(["import", str(src), "-o", str(book)]) == 1
    out = capsys.readouterr().out
    assert "between its items" in out
    assert not any(bad in out for bad in ("2015-02-30", "ZZZZ", "A12x", "9Z"))
    wb = load_workbook(book)
    child = {h.value: c.value for h, c in zip(wb["Children"][1], wb["Children"][2])}
    assert child["Date of birth"] == "2015-02-30" and child["Ethnicity"] == "ZZZZ" and child["UPN"] == "A12x"
    referral = {h.value: c.value for h, c in zip(wb["Referrals"][1], wb["Referrals"][2])}
    assert "9Z" in referral.values()


def test_the_import_button_says_the_same_note(clean: str, tmp_path: Path, capsys) -> None:
    """The Import button runs the same job: its message ends with the same note, and has none for a clean file."""
    from cin_xl import excel
    from cin_xl.workbook.writer import write_workbook
    from tests.excel_harness import run_excel_function

    for name, xml in (("faulty", _unknown(_stray_text(clean)[0])[0]), ("clean", clean)):
        src = tmp_path / f"{name}.xml"
        src.write_text(xml)
        assert main(["import", str(src), "-o", str(tmp_path / f"{name}-cli.xlsx")]) == (1 if name == "faulty" else 0)
        note = capsys.readouterr().out.splitlines()[1:]
        template = tmp_path / f"{name}-template.xlsx"
        write_workbook(template, None, YEAR, force=True)
        result = run_excel_function(excel.import_xml, template, tmp_path / f"{name}-button.xlsx", src).value
        assert result.ok and result.message.splitlines()[1:] == note
        assert bool(note) == (name == "faulty")


def test_a_long_element_name_is_quoted_cut(clean: str, tmp_path: Path) -> None:
    """An unknown element named with 2,000 characters: the note quotes 60 of them, where and in the message."""
    name = "Z" * 2000
    xml = clean.replace("</PersonBirthDate>", f"</PersonBirthDate><{name}>4</{name}>", 1)
    src = tmp_path / "f.xml"
    src.write_text(xml)
    note = import_file(src).note
    line = next(line for line in note if "unknown element <" in line)
    assert "Z" * 61 not in line and line.count("Z" * 60 + "... (2,000 characters)") == 2, line
