"""Locating schema problems: each element path of an export names the record and field it came from."""

from __future__ import annotations

from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.export import element_nodes, source_of
from cin_xl.xml.writer import to_tree

YEAR = CensusYear.parse("2026-27")


def test_element_nodes_name_what_each_element_was_written_from():
    census = generate(30, YEAR, seed=3, mistakes=0.9)
    index: dict = {}  # the writer's own record of each element's source, keyed by the element
    root = to_tree(census, YEAR, index=index)
    tree = etree.ElementTree(root)
    expected = {tree.getpath(el): source for el, source in index.items()}
    found = element_nodes(census, YEAR)
    assert len(found) == len(expected) == sum(1 for _ in root.iter())
    for path, (node, field) in expected.items():
        assert found[path][0] is node and found[path][1] == field, path
    some = set(list(expected)[::50])  # without the paths above them: those are walked all the same
    chosen = element_nodes(census, YEAR, some)
    assert set(chosen) == some
    assert all(chosen[path][0] is expected[path][0] and chosen[path][1] == expected[path][1] for path in some)


def test_source_of_finds_what_writing_the_xml_again_finds():
    """Locating a problem walks the return itself; it finds for every element what the written tree says,
    and for a path with no element, what is found for the nearest element above it."""
    census = generate(60, YEAR, seed=5, mistakes=0.9)
    expected = element_nodes(census, YEAR)
    for path, (node, field) in expected.items():
        found = source_of(census, YEAR, path)
        assert found is not None and found[0] is node and found[1] == field, path
    child = "/Message/Children/Child[7]"
    cases = {  # a path libxml2 may report that names no written element -> the element above it
        f"{child}/NoSuchItem": child,
        f"{child}/CINdetails[99]/CINreferralDate": child,
        "/Message/Children/Child[999]/LAchildID": "/Message/Children",
        "/Message/Children/Child/LAchildID": "/Message/Children",  # a repeated name is always numbered
        "/Message/Header/CollectionDetails[2]": "/Message/Header",  # a single one never is
        f"{child}/ChildIdentifiers/LAchildID/Deeper": f"{child}/ChildIdentifiers/LAchildID",
    }
    for path, above in cases.items():
        found, wanted = source_of(census, YEAR, path), expected[above]
        assert found is not None and found[0] is wanted[0] and found[1] == wanted[1], path
    assert source_of(census, YEAR, "") is None and source_of(census, YEAR, "/Other/Header") is None
