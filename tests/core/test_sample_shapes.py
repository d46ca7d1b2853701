"""The shapes met in other projects' sample returns (Data to Insight's fake_data, issue 21 item 4), made here with
synthetic data: what a data officer reads about them must say where the problem is and what to do."""

from __future__ import annotations

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.synthetic.generate import generate
from cin_xl.xml import to_xml_bytes


def _xml(year: str, n: int = 2) -> str:
    y = CensusYear.parse(year)
    return to_xml_bytes(generate(n, y, seed=3), y).decode("utf-8")


def _validate(capsys, tmp_path, text: str) -> str:
    path = tmp_path / "sample.xml"
    path.write_text(text, encoding="utf-8")
    main(["validate", str(path), "--verbose"])
    return capsys.readouterr().out


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_text_between_a_childs_identifiers_is_quoted_at_its_own_line(capsys, tmp_path):
    """DfE samples hold ``<UPNunknown>UN3</UPNunknown>PersonBirthDate``: text left between two items. libxml2 names
    only the record, at its first line; the finding quotes the text and gives the line it is on."""
    xml = _xml("2022-23")
    at = xml.index("</LAchildID>") + len("</LAchildID>")
    bad = xml[:at] + "PersonBirthDate" + xml[at:]
    out = _validate(capsys, tmp_path, bad)
    said = ("XSD error x1: Identifiers (ChildIdentifiers) holds the text 'PersonBirthDate' between its items, where "
            "only items belong: delete it")
    assert said in out, out
    line = _line_of(bad, "</LAchildID>PersonBirthDate")
    assert f"    line {line}, " in out.split(said)[1].splitlines()[1]
    assert line != _line_of(bad, "<ChildIdentifiers>")  # not the record's first line


def test_text_at_the_start_of_a_record_is_quoted_too(capsys, tmp_path):
    xml = _xml("2022-23")
    bad = xml.replace("<ChildCharacteristics>", "<ChildCharacteristics>\n  stray words", 1)
    out = _validate(capsys, tmp_path, bad)
    assert "Characteristics (ChildCharacteristics) holds the text 'stray words' between its items" in out, out
    assert f"line {_line_of(bad, 'stray words')}, " in out


def test_an_item_of_a_later_census_says_its_years(capsys, tmp_path):
    """A file whose header says 2022-23 (``<Year>2023</Year>``) but holds <Sex>, an item from 2024-25: the finding
    says so, since the file's <Year> may be the mistake."""
    xml = _xml("2022-23")
    bad = xml.replace("</GenderCurrent>", "</GenderCurrent>\n<Sex>1</Sex>", 1)
    out = _validate(capsys, tmp_path, bad)
    assert ("unknown element <Sex> in <ChildIdentifiers>: not part of the 2022-23 census, so it was not read (<Sex> "
            "is part of the census from 2024-25: if the file is of such a year, the <Year> in its header is wrong)"
            ) in out, out


def test_an_item_of_an_earlier_census_says_its_years(capsys, tmp_path):
    xml = _xml("2024-25")
    bad = xml.replace("</Sex>", "</Sex>\n<GenderCurrent>1</GenderCurrent>", 1)
    out = _validate(capsys, tmp_path, bad)
    assert "(<GenderCurrent> is part of the census up to 2023-24: if the file is of such a year" in out, out


def test_an_element_of_no_census_says_nothing_of_years(capsys, tmp_path):
    xml = _xml("2022-23")
    bad = xml.replace("</GenderCurrent>", "</GenderCurrent>\n<Nickname>x</Nickname>", 1)
    out = _validate(capsys, tmp_path, bad)
    assert "unknown element <Nickname> in <ChildIdentifiers>: not part of the 2022-23 census, so it was not read\n" \
        in out, out


def test_problems_reading_the_file_name_the_child_by_its_id(capsys, tmp_path):
    """An element of another year and a schema break in the 2nd child are located as the rules' findings are: by the
    child's LA child ID, not "the 2nd child"; a problem in the header is given no child."""
    xml = _xml("2022-23", 3)
    second = xml.index("<Child>", xml.index("<Child>") + 1)
    ident = xml[xml.index("<LAchildID>", second) + len("<LAchildID>"):xml.index("</LAchildID>", second)]
    at = xml.index("</GenderCurrent>", second) + len("</GenderCurrent>")
    bad = xml[:at] + "\n<Sex>1</Sex>" + xml[at:]
    at = bad.index("</LAchildID>", second) + len("</LAchildID>")
    bad = bad[:at] + "stray" + bad[at:]
    bad = bad.replace("<Collection>CIN</Collection>", "<Collection>CIN</Collection><Nickname/>", 1)
    out = _validate(capsys, tmp_path, bad)
    assert f", child {ident}, Sex: unknown element <Sex>" in out, out
    assert f"line {_line_of(bad, '</LAchildID>stray')}, child {ident}\n" in out, out
    assert "the 2nd child" not in out
    header = next(line for line in out.splitlines() if "<Nickname>" in line)
    assert "child" not in header.split(":")[0], header
