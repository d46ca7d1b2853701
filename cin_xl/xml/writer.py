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
    """The census XML of ``census`` for ``year``; raises :class:`ExportRefused` if it breaks the XSD.

    Written and checked one child at a time (:func:`_child_by_child`), so that the whole document is never
    held as a tree (100 MB on 20,000 children); the bytes are those of the whole tree, pretty-printed."""
    streamed = _child_by_child(census, year, check)
    if streamed is not None:
        return streamed
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


def _children_field(census: CensusReturn, year: CensusYear):
    """The field of the children (a list wrapped in one element) when it is the last one written; else None."""
    fields = fields_of(type(census), year)
    last = fields[-1] if fields else None
    if last is None or not isinstance(last.spec, Group) or not last.spec.wrapper or not last.many:
        return None
    return last


def _around(root: etree._Element, wrapper: etree._Element, tag: str) -> tuple[bytes, bytes, bytes] | None:
    """(what comes before the first child, between two children, after the last) in the pretty-printed
    bytes of ``root``, its children's ``wrapper`` being its last element: found by printing it with two
    empty children in the wrapper. None where the empty child's tag is not found where it should be."""
    empty = b"<" + tag.encode() + b"/>"
    wrapper.append(etree.Element(tag))
    wrapper.append(etree.Element(tag))
    text = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    del wrapper[:]
    first = text.find(empty)
    second = text.find(empty, first + len(empty))
    if first < 0 or second < 0 or text.find(empty, second + len(empty)) >= 0:
        return None
    return text[:first], text[first + len(empty):second], text[second + len(empty):]


def _child_by_child(census: CensusReturn, year: CensusYear, check: bool) -> bytes | None:
    """:func:`to_xml_bytes` with a tree of one child at a time: each ``<Child>`` is made, checked against the
    schema on its own (:class:`~cin_xl.xml.xsd.ChildByChild`, as reading does) and printed at its place in
    a document holding nothing else, then let go; the document around the children (the header) is made
    and checked once, with the children left empty. libxml2 prints an element the same wherever its
    siblings are, so the pieces joined are the bytes of the whole tree. None (then the whole tree is made)
    for a return of fewer than two children, or where the pieces could not be told apart, or where the
    schema check one child at a time cannot be sure to say what the whole document's would."""
    from cin_xl.census.model import build, record_fields
    from cin_xl.xml.xsd import ChildByChild

    field = _children_field(census, year)
    children = getattr(census, field.name) if field is not None else []
    if field is None or len(children) < 2:
        return None
    wrapper_tag, tag = field.spec.wrapper, field.spec.xml
    assert wrapper_tag is not None  # :func:`_children_field` says so
    bad: list[tuple[etree._Element, str]] = []
    # the document around the children: the return with none, then the wrapper they go in
    outline = build(type(census), {**{name: getattr(census, name) for name in record_fields(type(census))},
                                   field.name: []})
    root = to_tree(outline, year, bad=bad)
    wrapper = etree.SubElement(root, wrapper_tag)
    skeleton = etree.Element(ROOT_ELEMENT)  # where each child is printed: at the same depth, alone
    place = etree.SubElement(skeleton, wrapper_tag)
    outer, inner = _around(root, wrapper, tag), _around(skeleton, place, tag)
    if outer is None or inner is None or outer[1] != inner[1]:
        return None
    head, between, tail = outer
    before, after = len(inner[0]), len(inner[2])
    checker = ChildByChild(year) if check else None
    not_xml = _not_xml(bad)  # in the header
    bad.clear()
    pieces = [head]
    prefix = f"/{ROOT_ELEMENT}/{wrapper_tag}/{tag}"
    label = "Checking the census schema" if check else "Writing the census XML"
    with phase(label, len(children), f"{len(children):,} children") as step:
        for position, member in enumerate(children, start=1):
            step.advance()
            element = etree.SubElement(place, tag)
            _fill(element, member, year, None, bad)
            if bad:  # text XML cannot hold: its path as in the whole document (the position-th child)
                not_xml += [(line, f"{prefix}[{position}]{path[len(prefix):]}", message)
                            for line, path, message in _not_xml(bad)]
                bad.clear()
            if not not_xml:  # else the export is refused on those alone, as :func:`to_xml_bytes` does
                if checker is not None:
                    checker.child(element, position)
                printed = etree.tostring(skeleton, encoding="UTF-8", pretty_print=True)
                pieces += (printed[before:len(printed) - after], between)
            place.remove(element)
            etree.SubElement(wrapper, tag)  # left empty: the outline's check skips a child's content
    if not_xml:
        raise ExportRefused(not_xml)
    if checker is not None:
        problems = checker.finish(root)
        if problems is None:  # the outline itself out of shape: the whole document is checked
            problems = schema_problems(to_tree(census, year), year)
        if problems:
            raise ExportRefused(problems)
    pieces[-1] = tail  # in place of the last "between"
    return XML_DECLARATION + b"".join(pieces)


def write_xml(census: CensusReturn, year: CensusYear, path: str | os.PathLike, *, check: bool = True) -> None:
    with phase(f"Writing {Path(path).name}"):
        data = to_xml_bytes(census, year, check=check)
    write_atomic(path, data)
