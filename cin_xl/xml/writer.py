"""Census XML out: the DfE layout, exactly, from a :class:`CensusReturn`.

Element order and nesting come from the spec; empty values are not written; the same return gives
the same bytes. Every export is checked against the year's XSD before any file is written, and
the file is written whole (temporary file, then renamed) or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from lxml import etree

from cin_xl.census.model import ROOT_ELEMENT, CensusReturn, Node
from cin_xl.census.spec import Group, fields_of
from cin_xl.census.values import format_value, is_missing
from cin_xl.census.years import CensusYear
from cin_xl.progress import phase
from cin_xl.safety.atomic import write_atomic
from cin_xl.validation.findings import plural
from cin_xl.xml.xsd import schema_problems


class ExportRefused(Exception):
    """The XML would not pass the census schema; nothing was written."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        first = "; ".join(f"{path}: {msg}" for _, path, msg in problems[:3])
        super().__init__(f"the return does not fit the census schema ({plural(len(problems), 'problem')}): {first}")


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
class Index(Protocol):
    """Where :func:`to_tree` puts element -> (record, field name or None), what each written element came
    from: a dict, or anything else that takes items."""

    def __setitem__(self, element: etree._Element, source: tuple[Node, str | None], /) -> None: ...


def _text(element: etree._Element, text: str, bad: list[tuple[etree._Element, str]] | None) -> None:
    """``element.text = text``; text XML cannot hold (a control character, half a surrogate pair) leaves the
    element empty and is listed in ``bad``, so the export is refused on it rather than stopped by lxml."""
    try:
        element.text = text
    except ValueError:  # lxml: "All strings must be XML compatible"; a lone surrogate too
        if bad is not None:
            bad.append((element, text))


def _fill(el: etree._Element, node: Node, year: CensusYear, index: Index | None,
          bad: list[tuple[etree._Element, str]] | None = None) -> None:
    if index is not None:
        index[el] = (node, None)

    def sub(parent: etree._Element, tag: str, field: str) -> etree._Element:
        child = etree.SubElement(parent, tag)
        if index is not None:
            index[child] = (node, field)
        return child

    for f in fields_of(type(node), year):
        value = getattr(node, f.name)
        spec = f.spec
        if isinstance(spec, Group):
            members = value if f.many else ([] if value is None else [value])
            if spec.wrapper:
                if not members:
                    continue
                el_parent = sub(el, spec.wrapper, f.name)
            else:
                el_parent = el
            for member in members:
                _fill(etree.SubElement(el_parent, spec.xml), member, year, index, bad)
        elif spec.wrapper is not None:  # a many-valued item
            values = [v for v in value if not is_missing(v)]
            if values:
                wrapper = sub(el, spec.wrapper, f.name)
                for v in values:
                    _text(sub(wrapper, spec.xml, f.name), format_value(spec.kind, v), bad)
        elif not is_missing(value):
            _text(sub(el, spec.xml, f.name), format_value(spec.kind, value), bad)


def to_tree(census: CensusReturn, year: CensusYear, *, index: Index | None = None,
            bad: list[tuple[etree._Element, str]] | None = None) -> etree._Element:
    """The census XML as an element tree; ``index``, when given, is filled with what each element came from,
    and ``bad`` with the elements left empty because XML cannot hold their text."""
    root = etree.Element(ROOT_ELEMENT)
    _fill(root, census, year, index, bad)
    return root


def _not_xml(bad: list[tuple[etree._Element, str]]) -> list[tuple[int, str, str]]:
    """The schema-problem shape of each text XML cannot hold: (line, element path, message)."""
    from cin_xl.safety.text_guard import quoted_repr

    out = []
    for element, text in bad:
        char = next((c for c in text if not _xml_char(c)), "")
        out.append((0, element.getroottree().getpath(element),
                    f"Element '{element.tag}': {quoted_repr(text)} holds a character census XML cannot hold "
                    f"(U+{ord(char):04X}); type the value again without it"))
    return out


def _xml_char(c: str) -> bool:
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


def to_xml_bytes(census: CensusReturn, year: CensusYear, *, check: bool = True) -> bytes:
    """The census XML of ``census`` for ``year``; raises :class:`ExportRefused` if it breaks the XSD."""
    bad: list[tuple[etree._Element, str]] = []
    root = to_tree(census, year, bad=bad)
    if bad:  # whatever ``check`` says: lxml cannot write it
        problems = _not_xml(bad)
        del root, bad
        raise ExportRefused(problems)
    if check:
        problems = schema_problems(root, year)
        if problems:
            del root  # the traceback keeps this frame: let the tree go while the caller locates the problems
            raise ExportRefused(problems)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def write_xml(census: CensusReturn, year: CensusYear, path: str | os.PathLike, *, check: bool = True) -> None:
    with phase(f"Writing {Path(path).name}"):
        data = to_xml_bytes(census, year, check=check)
    write_atomic(path, data)
