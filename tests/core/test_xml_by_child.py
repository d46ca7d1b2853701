"""Census XML written one child at a time: the same bytes and the same refusals as the whole tree, without it."""

from __future__ import annotations

import pytest
from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.xml import writer
from cin_xl.xml.writer import XML_DECLARATION, ExportRefused, _not_xml, to_tree, to_xml_bytes
from cin_xl.xml.xsd import schema_problems

YEAR = CensusYear.parse("2026-27")


def from_whole_tree(census, year, check=True):
    """What export made before: the whole tree, checked whole, pretty-printed; or its refusal."""
    bad: list = []
    root = to_tree(census, year, bad=bad)
    if bad:
        return "refused", _not_xml(bad)
    if check:
        problems = schema_problems(root, year)
        if problems:
            return "refused", problems
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def by_child(census, year, check=True):
    try:
        return to_xml_bytes(census, year, check=check)
    except ExportRefused as exc:
        return "refused", exc.problems


@pytest.mark.parametrize("year", ["2022-23", "2024-25", "2026-27"])
@pytest.mark.parametrize("n, mistakes", [(60, 0), (120, 0.9), (2, 0.5), (1, 0.9)])
def test_the_same_bytes_and_refusals_as_the_whole_tree(year, n, mistakes):
    census, year = generate(n, year, seed=n, mistakes=mistakes), CensusYear.parse(year)
    for check in (True, False):
        assert by_child(census, year, check) == from_whole_tree(census, year, check)
    if n > 100:  # the messy return breaks the schema: refusals are compared, not only bytes
        assert by_child(census, year)[0] == "refused"


def test_text_xml_cannot_hold_is_refused_at_its_child():
    census = generate(5, YEAR, seed=3)
    census.children[2].identifiers.la_child_id = "ab\x01c"
    census.children[4].identifiers.la_child_id = "\x02"
    census.header.source.lea = "9\x03"
    refused = by_child(census, YEAR)
    assert refused == from_whole_tree(census, YEAR)
    assert [path for _, path, _ in refused[1]] == ["/Message/Header/Source/LEA",
                                                   "/Message/Children/Child[3]/ChildIdentifiers/LAchildID",
                                                   "/Message/Children/Child[5]/ChildIdentifiers/LAchildID"]


def test_the_whole_return_is_never_one_tree(monkeypatch):
    """The point of writing child by child: the largest tree made holds one child (100 MB less on 20,000)."""
    made = []
    real = writer._fill

    def fill(el, node, year, index, bad=None):
        if el.tag == "Message":
            made.append(len(node.children))
        return real(el, node, year, index, bad)

    monkeypatch.setattr(writer, "_fill", fill)
    census = generate(40, YEAR, seed=2)
    to_xml_bytes(census, YEAR)
    assert made == [0]  # only the document around the children, made without them


def test_where_the_outline_cannot_be_checked_apart_the_whole_return_is(monkeypatch):
    """The check one child at a time says when it cannot be sure (None): the whole document is then checked."""
    from cin_xl.xml import xsd

    census = generate(40, YEAR, seed=9, mistakes=0.9)
    expected = from_whole_tree(census, YEAR)
    monkeypatch.setattr(xsd.ChildByChild, "finish", lambda self, root: None)
    assert by_child(census, YEAR) == expected and expected[0] == "refused"
