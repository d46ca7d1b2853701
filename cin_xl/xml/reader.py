"""Census XML in: any census file of a readable year to a :class:`CensusReturn`.

The reader is lenient about content, strict about safety:
- values are kept as written (an impossible date stays its text) and flagged later by validation;
- 1/0 booleans and stray whitespace are accepted;
- an element the spec does not know is reported with its line and path, not silently dropped;
- DTDs and entities are refused outright (XXE, "billion laughs"), as is anything that is not a
  well-formed census ``<Message>``: those raise :class:`UnusableInput` with the line and element.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from cin_xl.census.model import ROOT_ELEMENT, CensusReturn, Child, Node, Origin, build, record_fields
from cin_xl.census.spec import Group, Kind, fields_of, years_of_element
from cin_xl.census.values import parse_iso_date, parse_xml_text
from cin_xl.census.years import READABLE_YEARS, CensusYear, UnknownYear, supported
from cin_xl.errors import UnusableInput
from cin_xl.perf import no_gc
from cin_xl.progress import phase
from cin_xl.safety.text_guard import quoted
from cin_xl.validation.codes import XML
from cin_xl.validation.findings import Finding, Severity, plural

XML_PROBLEM = XML
_Node = TypeVar("_Node", bound=Node)


@dataclass
class ReadResult:
    census: CensusReturn
    year: CensusYear
    #: problems met while reading (unknown or repeated elements), located by line and path
    problems: list[Finding] = field(default_factory=list)
    document: etree._ElementTree | None = field(default=None, repr=False)
    source: str = ""
    #: (line, path, message) for each break of the census schema, when asked for (``check_schema``)
    schema: list[tuple[int, str, str]] | None = None


def _parser() -> etree.XMLParser:
    # No entity expansion, no DTD loading, no network: nothing in the file can reach outside it.
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
                           huge_tree=False, remove_blank_text=True)


def parse_document(source: str | os.PathLike | bytes) -> etree._ElementTree:
    """Parse census XML safely; raises :class:`UnusableInput` naming the line and element."""
    name = "<bytes>" if isinstance(source, bytes) else str(source)
    if not isinstance(source, bytes):
        _refuse_other_kinds(source)
    try:
        if isinstance(source, bytes):
            tree = etree.ElementTree(etree.fromstring(source, _parser()))
        else:
            tree = etree.parse(str(source), _parser())
    except OSError as exc:
        raise UnusableInput(f"{name}: cannot read the file ({exc})") from None
    except etree.XMLSyntaxError as exc:
        raise _not_well_formed(name, exc) from None
    _refuse_document(name, tree)
    return tree


def _not_well_formed(name: str, exc: etree.XMLSyntaxError) -> UnusableInput:
    line = exc.lineno or (exc.position[0] if exc.position else "?")
    msg = exc.msg or str(exc)
    if "Entity" in msg or "entity" in msg:
        return UnusableInput(f"{name}, line {line}: entities are not allowed in census XML ({msg})")
    return UnusableInput(f"{name}, line {line}: not well-formed XML ({msg}); is the file complete?")


def _refuse_document(name: str, tree: etree._ElementTree) -> None:
    """A DTD, or a root other than ``<Message>``: not a census file to read."""
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnusableInput(f"{name}, line 1: the file declares a DTD (<!DOCTYPE ...>); census XML must not "
                            "contain DTDs or entities, so it was not read")
    root = tree.getroot()
    if _local(root.tag) != ROOT_ELEMENT:
        raise UnusableInput(f"{name}, line {root.sourceline}: the root element is <{_local(root.tag)}>, "
                            f"not <{ROOT_ELEMENT}>: this is not a children in need census file")


def _refuse_other_kinds(path: str | os.PathLike) -> None:
    """A workbook, .xls, .ods, ... given where census XML is read gets a message saying what it is."""
    from cin_xl.safety.file_kind import WORKBOOK, file_kind, refusal

    try:
        kind = file_kind(path)
    except OSError:
        return  # the parser says why it cannot read the file
    if kind == WORKBOOK:
        raise UnusableInput(f"{Path(path).name} is an Excel workbook, not census XML: to check it use cin-xl "
                            "validate; to make census XML from it, cin-xl export")
    refused = refusal(path, kind)
    if refused:
        raise UnusableInput(refused)


def _local(tag: object) -> str:
    """The element name without any namespace; "" for comments and processing instructions."""
    if not isinstance(tag, str):
        return ""
    return tag if tag[0] != "{" else tag.rpartition("}")[2]


def _path(el: etree._Element, names: tuple[str, ...]) -> etree._Element | None:
    """The first element down ``names`` (local names: a namespace, if any, is ignored)."""
    for name in names:
        el = next((c for c in el if _local(c.tag) == name), None)
        if el is None:
            return None
    return el


def detect_year(root: etree._Element, fallback: CensusYear | None) -> CensusYear:
    found = _path(root, ("Header", "CollectionDetails", "Year"))
    text = (found.text or "").strip() if found is not None else ""
    if found is not None and text.isdigit():
        year = CensusYear.from_xml_year(text)
        try:
            return supported(year, readable=True)
        except UnknownYear:
            raise UnusableInput(f"line {found.sourceline}, header, Year (<Year>): census year "
                                f"{year.label} cannot be read (readable: {', '.join(READABLE_YEARS)})") from None
    if fallback is not None:
        return fallback
    where = f"line {found.sourceline}, " if found is not None else ""
    raise UnusableInput(f"{where}header, Year (<Year>): the census year is missing or not a "
                        f"number ({text!r}); give it with --year")


def _typer(kind: Kind) -> Callable[[str], object]:
    """How the text of an element of ``kind`` is typed (:func:`parse_xml_text`, without its dispatch per value)."""
    if kind is Kind.TEXT or kind is Kind.CODE:
        return str.strip
    if kind is Kind.DATE:
        return parse_iso_date  # it strips the text itself
    return lambda text: parse_xml_text(kind, text)


class _Reader:
    def __init__(self, year: CensusYear):
        self.year = year
        self.problems: list[Finding] = []
        self._tables: dict[type, tuple[dict[str, tuple], dict[str, str]]] = {}
        self.tick: Callable[[], None] = lambda: None  # progress: one more child read
        self.consume = False  # free each child's elements once read
        #: say text between elements and elements out of the census order (not when the schema check says them)
        self.layout = True
        #: children already read as the file was streamed (see :func:`_read_streamed`), by their element
        self.prepared: dict[etree._Element, Node] = {}

    def _problem(self, message: str, path: str, line: int | None) -> None:
        self.problems.append(Finding(XML_PROBLEM, Severity.ERROR, message, path=path, line=line))

    def _stray(self, text: str, el: etree._Element, path: str, before: etree._Element) -> None:
        """Text between the elements of ``el`` (``<ChildIdentifiers>PersonBirthDate<LAchildID>``): no item holds
        it, so it is not read. ``before`` is the element it follows (``el`` for text before its first element):
        its line is counted back from the element after it, or on from ``before``."""
        after = before.getnext() if before is not el else (el[0] if len(el) else None)
        while after is not None and not isinstance(after.tag, str):
            after = after.getnext()
        lead, trail = len(text) - len(text.lstrip()), len(text.rstrip())
        if after is not None and after.sourceline:
            line: int | None = after.sourceline - text[trail:].count("\n")
        else:
            line = before.sourceline + text[:lead].count("\n") if before.sourceline else None
        self._problem(f"<{_local(el.tag)}> holds the text {quoted(text.strip())!r} between its items: it is in "
                      "no item, so it was not read", path, line)

    def _strays(self, el: etree._Element, path: str) -> None:
        """:meth:`_stray` for a wrapper's own text and the text after each of its elements."""
        if not self.layout:
            return
        text = el.text
        if text is not None and not text.isspace():
            self._stray(text, el, path, el)
        for sub in el:
            text = sub.tail
            if text is not None and not text.isspace():
                self._stray(text, el, path, sub)

    def _table(self, cls: type) -> tuple[dict[str, tuple], dict[str, str]]:
        """(element name -> (field, how it is read, field name, how its text is typed, element name kept in
        origin paths), field name -> element name) for a record class.

        The second is every origin's ``paths`` for records of this class: shared, as it is the same for all.
        """
        table = self._tables.get(cls)
        if table is None:
            by_element: dict[str, tuple] = {}
            paths: dict[str, str] = {}
            for order, f in enumerate(fields_of(cls, self.year)):  # order: the census's order of the elements
                spec = f.spec
                if isinstance(spec, Group):
                    how = "wrapped" if spec.wrapper else "group"
                    by_element[spec.wrapper or spec.xml] = (f, how, f.name, None, None, order)
                    continue
                kept = spec.wrapper or spec.xml
                paths[f.name] = kept
                by_element[kept] = (f, "many" if spec.many else "item", f.name, _typer(spec.kind), kept, order)
            table = self._tables[cls] = (by_element, paths)
        return table

    def node(self, cls: type[_Node], el: etree._Element, path: str) -> _Node:
        # The hot loop of reading: once per element of the file, so lookups are hoisted into the table.
        table, paths = self._table(cls)
        values: dict[str, Any] = {}  # a field's value, or the list of its values or records
        cells: dict[str, str | int] = {}
        origin = Origin(None, None, path, el.sourceline, cells, paths)  # (sheet, row, path, line, ...)
        seen: dict[str, int] | None = None  # repeated groups met so far, by element name, for their [n] in paths
        layout = self.layout
        last = -1 if layout else -2  # the census order of the last element read, and its name: one out of order
        last_tag = ""  # is said (-2: not looked at)
        text = el.text
        if layout and text is not None and not text.isspace():
            self._stray(text, el, path, el)
        for child in el:
            if layout:  # (validate leaves the text between elements to the schema check, and reads no tail)
                text = child.tail
                if text is not None and not text.isspace():
                    self._stray(text, el, path, child)
            tag = child.tag
            if not isinstance(tag, str):  # comment or processing instruction
                continue
            if tag[0] == "{":
                tag = tag.rpartition("}")[2]
            entry = table.get(tag)
            if entry is None:
                # an item of other census years says which: the file's <Year> may be the mistake
                years = years_of_element(cls, tag)
                other = (f" (<{tag}> is part of the census {years}: if the file is of such a year, the <Year> in its "
                         "header is wrong)") if years else ""
                self._problem(f"unknown element <{quoted(tag)}> in <{_local(el.tag)}>: not part of the "
                              f"{self.year.label} census, so it was not read{other}", f"{path}/{tag}", child.sourceline)
                continue
            f, how, name, typed, kept, order = entry
            if order < last:  # (never when not looked at: -2)
                self._problem(f"<{tag}> comes after <{last_tag}> in <{_local(el.tag)}>, out of the census order: it "
                              "was read (export writes the census order)", f"{path}/{tag}", child.sourceline)
            elif layout:
                last, last_tag = order, tag
            if how == "item":
                if name in values:
                    self._problem(f"<{tag}> appears more than once in <{_local(el.tag)}>; the first was kept",
                                  f"{path}/{tag}", child.sourceline)
                    continue
                text = child.text
                values[name] = typed(text) if text and not text.isspace() else None
                cells[name] = child.sourceline
                continue
            cpath = f"{path}/{tag}"
            if how == "many":
                bucket = values.setdefault(name, [])
                cells.setdefault(name, child.sourceline)
                self._strays(child, cpath)
                for sub in child:
                    stag = _local(sub.tag)
                    if not stag:
                        continue
                    if stag != f.spec.xml:
                        self._problem(f"unknown element <{quoted(stag)}> in <{tag}>", f"{cpath}/{stag}", sub.sourceline)
                    elif (sub.text or "").strip():
                        bucket.append(typed(sub.text))
            elif how == "group":
                if seen is None:
                    seen = {}
                seen[tag] = seen.get(tag, 0) + 1
                member = self.node(f.node, child, f"{cpath}[{seen[tag]}]" if f.many else cpath)
                if f.many:
                    values.setdefault(name, []).append(member)
                elif name in values:
                    self._problem(f"<{tag}> appears more than once in <{_local(el.tag)}>; the first was kept",
                                  cpath, child.sourceline)
                else:
                    values[name] = member
            else:  # "wrapped": Children > Child
                members = values.setdefault(name, [])
                position = 0  # among the <Child> elements only, as XPath counts: unknown siblings do not count
                self._strays(child, cpath)
                for sub in child:
                    stag = _local(sub.tag)
                    if not stag:
                        continue
                    if stag != f.spec.xml:
                        self._problem(f"unknown element <{quoted(stag)}> in <{tag}>", f"{cpath}/{stag}", sub.sourceline)
                        continue
                    position += 1
                    ready = self.prepared.pop(sub, None) if self.prepared else None
                    if ready is not None:
                        members.append(ready)
                        continue
                    members.append(self.node(f.node, sub, f"{cpath}/{stag}[{position}]"))
                    self.tick()
                    if self.consume:
                        sub.clear()
        return build(cls, values, origin)  # the values are typed already (parse_xml_text)


def read_xml(source: str | os.PathLike | bytes, year: str | CensusYear | None = None, *,
             check_schema: bool = False, keep_document: bool = True) -> ReadResult:
    """Read census XML. ``year`` is used only when the file does not say its own.

    ``check_schema`` checks the file against the year's census schema (``ReadResult.schema``) and
    reads a file child by child as it is parsed, letting each child's elements go once checked and
    read (``ReadResult.document`` is then None): the whole parsed document is never held beside the
    return. ``keep_document=False`` reads that way without the schema check.
    """
    name = "<bytes>" if isinstance(source, bytes) else str(Path(source))
    if (check_schema or not keep_document) and not isinstance(source, bytes):
        streamed = _read_streamed(source, name, year, check_schema)
        if streamed is not None:
            return streamed
    with phase(f"Reading {Path(name).name}"):
        tree = parse_document(source)
    fallback = supported(year, readable=True) if year is not None else None
    census_year = detect_year(tree.getroot(), fallback)
    schema = None
    if check_schema:
        from cin_xl.xml.xsd import schema_problems

        schema = schema_problems(tree, census_year)
    reader = _Reader(census_year)
    reader.consume = check_schema
    reader.layout = not check_schema
    children = _path(tree.getroot(), ("Children",))
    count = f"{len(children):,} children" if children is not None else None
    with no_gc(), phase("Reading the children", len(children) if children is not None else None, count) as step:
        reader.tick = step.advance
        census = reader.node(CensusReturn, tree.getroot(), f"/{ROOT_ELEMENT}")
    return ReadResult(census, census_year, reader.problems, None if check_schema else tree, name, schema)


def _children_element() -> tuple[str, str]:
    """(wrapper, element) of the children in census XML: ``("Children", "Child")``, from the spec."""
    group = next(m for m in record_fields(CensusReturn)["children"].metadata if isinstance(m, Group))
    if group.wrapper is None:  # pragma: no cover - the spec wraps the children in <Children>
        raise LookupError("the census declares no element around the children")
    return group.wrapper, group.xml


class _CountingFile:
    """A census file opened for the streaming parser, telling how much of it has been read (progress)."""

    def __init__(self, path: str | os.PathLike):
        self.file = open(path, "rb")
        self.size = os.fstat(self.file.fileno()).st_size
        self.read_so_far = self.told = 0

    def read(self, n: int = -1) -> bytes:
        data = self.file.read(n)
        self.read_so_far += len(data)
        return data

    def taken(self) -> int:
        """Bytes read since last asked."""
        new, self.told = self.read_so_far - self.told, self.read_so_far
        return new

    def __enter__(self) -> _CountingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def _read_streamed(source: str | os.PathLike, name: str, year: str | CensusYear | None,
                   check_schema: bool) -> ReadResult | None:
    """:func:`read_xml` reading the file as it is parsed: each ``<Child>`` is checked against the schema
    (with ``check_schema``), read into the return and let go as soon as it is complete.

    None when the file is not laid out as that needs (the header before the children, in one wrapper
    holding only children): the caller then reads the whole document as before.
    """
    from cin_xl.xml.xsd import ChildByChild

    _refuse_other_kinds(source)
    wrapper_name, child_name = _children_element()
    fallback = supported(year, readable=True) if year is not None else None
    reader: _Reader | None = None
    check: ChildByChild | None = None
    positions: dict[etree._Element, int] = {}
    try:
        file = _CountingFile(source)
    except OSError:
        return None  # read whole: the parser says why the file cannot be read
    context = etree.iterparse(file, events=("end",), tag=f"{{*}}{child_name}", resolve_entities=False,
                              load_dtd=False, no_network=True, huge_tree=False, remove_blank_text=True)
    try:
        what = " and checking the census schema" if check_schema else ""
        with file, no_gc(), phase(f"Reading {Path(name).name}{what}", file.size,
                                  f"{file.size / 1e6:,.1f} MB") as step:
            for _event, el in context:
                wrapper = el.getparent()
                if reader is None:  # the first child: the header is complete, the year known
                    tree = el.getroottree()
                    _refuse_document(name, tree)
                    root = tree.getroot()
                    if _path(root, ("Header", "CollectionDetails", "Year")) is None:
                        return None  # no year before the children: read the whole document
                    reader = _Reader(detect_year(root, fallback))
                    reader.layout = not check_schema
                    check = ChildByChild(reader.year) if check_schema else None
                if (wrapper is None or _local(wrapper.tag) != wrapper_name or wrapper.getparent() is not root
                        or el in reader.prepared):
                    continue  # a <Child> out of place: read with the whole document, and reported there
                position = positions[wrapper] = positions.get(wrapper, 0) + 1
                if check is not None:
                    check.child(el, position)
                reader.prepared[el] = reader.node(
                    Child, el, f"/{ROOT_ELEMENT}/{_local(wrapper.tag)}/{_local(el.tag)}[{position}]")
                el.clear(keep_tail=True)
                step.advance(file.taken())
            step.count(plural(sum(positions.values()), "child"))
    except (OSError, etree.XMLSyntaxError):
        return None  # read whole, the parser says why the file cannot be read, with its line
    tree = context.root.getroottree()
    if reader is None:  # no children: the document is small, read it whole
        return None
    if len(positions) != 1:
        return None  # several wrappers: the schema check must see the whole document
    schema = check.finish(tree.getroot()) if check is not None else None
    if check is not None and schema is None:
        return None  # the schema check must see the whole document (it is read again)
    with no_gc():
        census = reader.node(CensusReturn, tree.getroot(), f"/{ROOT_ELEMENT}")
    reader.problems.sort(key=lambda p: p.line or 0)  # in document order, as when read whole
    return ReadResult(census, reader.year, reader.problems, None, name, schema)

