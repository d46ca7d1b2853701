"""Reading census XML child by child as it is parsed (``read_xml(..., check_schema=True)``) gives
exactly what reading the whole document gives: the return, each value's origin, the reading problems
and the schema problems. Files laid out otherwise are read whole."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.validation import validate
from cin_xl.xml import reader as xml_reader
from cin_xl.xml.reader import parse_document, read_xml
from cin_xl.xml.xsd import schema_problems
from tests.core.test_xsd_by_child import YEAR, edits, messy_root


def _whole(path):
    """The document read whole, as before streaming: the return and its problems, and the schema's (the schema
    check says text between items and elements out of order: the reader then leaves them to it)."""
    read = read_xml(path.read_bytes(), check_schema=True)
    return read, schema_problems(parse_document(path), read.year)


def _located(census):
    return [(f.code, f.where, f.fields) for f in validate(census, YEAR)]


def more_edits():
    def header_after_children(root):
        root.append(root.find("Header"))

    def two_wrappers(root):
        second = etree.SubElement(root, "Children")
        second.append(root.find("Children")[-1])

    def child_out_of_place(root):
        root.find("Header").append(root.find("Children")[0])

    def unknown_inside_a_child(root):
        etree.SubElement(root.find("Children/Child[2]/ChildIdentifiers"), "Nickname").text = "Sam"

    def default_namespace(root):
        for el in root.iter():
            el.tag = "{http://example.org/cin}" + el.tag

    return [header_after_children, two_wrappers, child_out_of_place, unknown_inside_a_child, default_namespace]


@pytest.mark.parametrize("edit", edits() + more_edits(), ids=lambda e: e.__name__ if e else "messy")
def test_streamed_reading_gives_what_reading_whole_gives(tmp_path, edit):
    root = messy_root()
    if edit:
        edit(root)
    path = tmp_path / "census.xml"
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
    try:
        whole, whole_schema = _whole(path)
    except UnusableInput as refused:  # (no header: no year) refused the same way
        with pytest.raises(UnusableInput, match=re.escape(str(refused))):
            read_xml(path, check_schema=True)
        return
    streamed = read_xml(path, check_schema=True)
    assert streamed.census == whole.census
    assert streamed.problems == whole.problems
    assert streamed.schema == whole_schema
    assert _located(streamed.census) == _located(whole.census)
    unchecked = read_xml(path, keep_document=False)  # import's way: streamed, no schema check
    assert unchecked.census == whole.census and unchecked.problems == read_xml(path.read_bytes()).problems
    assert unchecked.schema is None and _located(unchecked.census) == _located(whole.census)


def test_a_plain_file_is_streamed_and_not_kept_whole(tmp_path, monkeypatch):
    path = tmp_path / "census.xml"
    path.write_bytes(etree.tostring(messy_root(), xml_declaration=True, encoding="utf-8"))
    calls = []
    monkeypatch.setattr(xml_reader, "parse_document", lambda *a, **k: calls.append(a) or parse_document(*a, **k))
    read = read_xml(path, check_schema=True)
    assert calls == [] and read.document is None and len(read.census.children) == 30


@pytest.mark.parametrize("content, needle", [
    (b"<Message><Header>", "not well-formed XML"),
    (b'<!DOCTYPE Message [<!ENTITY x "y">]><Message><Header/><Children><Child/></Children></Message>', "DTD"),
    (b"<Other><Header/><Children><Child/></Children></Other>", "the root element is <Other>"),
])
def test_a_file_that_cannot_be_read_says_why_as_before(tmp_path, content, needle):
    path = tmp_path / "census.xml"
    path.write_bytes(content)
    with pytest.raises(UnusableInput) as streamed:
        read_xml(path, check_schema=True)
    with pytest.raises(UnusableInput) as whole:
        read_xml(path)
    assert needle in str(streamed.value) and str(streamed.value) == str(whole.value)
