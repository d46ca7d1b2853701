"""Locating schema problems: each element path of an export names the record and field it came from."""

from __future__ import annotations

from lxml import etree

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.export import element_nodes
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
