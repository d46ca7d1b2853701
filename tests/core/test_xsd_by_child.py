"""The census schema checked one child at a time gives exactly what checking the whole file gives."""

from __future__ import annotations

import pytest
from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.xml import xsd
from cin_xl.xml.writer import to_xml_bytes

YEAR = CensusYear.parse("2026-27")


def whole_file(root, year=YEAR):
    schema = xsd.schema_for(year)
    schema.validate(root)
    # as libxml2 gives them, with the text found between a record's elements added as schema_problems adds it
    return [xsd._with_stray_text(root, e.line, e.path or "", e.message, e.path or "") for e in schema.error_log]


def messy_root(n=30, **kw):
    xml = to_xml_bytes(generate(n, YEAR, seed=4, mistakes=0.9), YEAR, check=False)
    root = etree.fromstring(xml)
    # values the schema rejects, in several children
    for i, el in enumerate(root.iter("CINreferralDate")):
        if i % 4 == 0:
            el.text = "31/02/2025"
    for i, el in enumerate(root.iter("ReferralNFA")):
        if i % 5 == 1:
            el.text = "maybe"
    return etree.fromstring(etree.tostring(root))  # fresh line numbers


def edits():
    def header_broken(root):
        root.find("Header/CollectionDetails/ReferenceDate").text = "soon"

    def unknown_in_children(root):
        root.find("Children").insert(3, etree.Element("Stray"))

    def element_after_children(root):
        root.append(etree.Element("Trailer"))

    def attribute_on_child(root):
        root.find("Children/Child").set("id", "1")

    def comment_among_children(root):
        root.find("Children").insert(2, etree.Comment("note"))

    def child_order(root):
        ids = root.find("Children/Child[2]/ChildIdentifiers")
        ids.append(ids[0])

    def one_child(root):
        children = root.find("Children")
        for child in list(children)[1:]:
            children.remove(child)

    def no_children(root):
        children = root.find("Children")
        for child in list(children):
            children.remove(child)

    def no_header(root):
        root.remove(root.find("Header"))

    def text_in_child(root):
        root.find("Children/Child[3]").text = "words"

    return [None, header_broken, unknown_in_children, element_after_children, attribute_on_child,
            comment_among_children, child_order, one_child, no_children, no_header, text_in_child]


@pytest.mark.parametrize("edit", edits(), ids=lambda e: e.__name__ if e else "messy")
def test_same_problems_as_the_whole_file(edit):
    root = messy_root()
    if edit:
        edit(root)
        root = etree.fromstring(etree.tostring(root))
    expected = whole_file(root)
    assert expected, "the case breaks the schema"  # not vacuous
    assert xsd.schema_problems(root, YEAR) == expected
    assert xsd.schema_problems(root.getroottree(), YEAR) == expected


def test_used_for_a_plain_messy_file():
    root = messy_root()
    assert xsd._by_child(root, YEAR) is not None


def test_blank_text_left_out_of_the_tree_changes_nothing():
    """The reader drops whitespace between elements (memory); blank values and their lines stay."""
    from cin_xl.xml.reader import read_xml

    root = messy_root()
    root.find("Children/Child/ChildIdentifiers/LAchildID").text = "   "
    root.find("Children/Child[2]").text = "\n  words  \n"
    xml = etree.tostring(root, pretty_print=True)
    kept = etree.fromstring(xml, etree.XMLParser(remove_blank_text=False))
    read = read_xml(xml, check_schema=True)
    assert read.schema == whole_file(kept) and read.schema
    assert read.census.children[0].identifiers.la_child_id is None
    again = read_xml(xml)
    assert again.document is not None and again.schema is None
    assert [c.origin.line for c in again.census.children] == [c.sourceline for c in kept.iter("Child")]


def test_export_element_paths_as_lxml_gives_them():
    from cin_xl.workbook.export import _paths
    from cin_xl.xml.writer import to_tree

    root = to_tree(generate(40, YEAR, seed=2, mistakes=0.9), YEAR)
    tree = etree.ElementTree(root)
    paths = list(_paths(root))
    assert len(paths) == sum(1 for _ in root.iter()) and any("]/" in p for _, p in paths)
    assert all(tree.getpath(el) == path for el, path in paths)
