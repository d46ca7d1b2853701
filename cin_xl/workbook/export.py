"""Export helpers: defaults filled at export time, and schema problems located to workbook cells."""

from __future__ import annotations

import re
from datetime import datetime

from lxml import etree

from cin_xl.census.model import ROOT_ELEMENT, CensusReturn, Node
from cin_xl.census.spec import Field, Group, Item, fields_of
from cin_xl.census.values import is_missing
from cin_xl.census.years import CensusYear
from cin_xl.validation.codes import X_SCHEMA
from cin_xl.validation.findings import Finding, Severity
from cin_xl.xml.writer import ExportRefused, to_tree
from cin_xl.xml.xsd import plain_problem

SCHEMA_PROBLEM = X_SCHEMA
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")


def prepare_for_export(census: CensusReturn, year: CensusYear, *, now: datetime) -> CensusReturn:
    """The return with the header items export fills in (``Item.filled_at_export``: the date and time
    of the file, the software) set from ``now`` where the Return sheet leaves them blank."""
    for group in fields_of(type(census.header), year):
        node = getattr(census.header, group.name)
        for f in fields_of(type(node), year):
            fill = getattr(f.spec, "filled_at_export", None)
            if fill is not None and is_missing(getattr(node, f.name)):
                setattr(node, f.name, fill(now))
    return census


class _SourcesInOrder:
    """What each element came from, in the order :func:`to_tree` makes the elements, which is document
    order; the elements themselves are not kept (as dict keys, one Python object per element of the
    return would stay alive: 80 MB on 20,000 children)."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.fields: list[str | None] = []

    def __setitem__(self, _element: etree._Element, source: tuple[Node, str | None]) -> None:
        self.nodes.append(source[0])
        self.fields.append(source[1])


def element_nodes(census: CensusReturn, year: CensusYear,
                  wanted: set[str] | None = None) -> dict[str, tuple[Node, str | None]]:
    """XML element path (as lxml reports it) -> (record, field name or None) of the exported return
    (only the paths in ``wanted``, if given)."""
    sources = _SourcesInOrder()
    root = to_tree(census, year, index=sources)
    if wanted is None:
        return {path: (sources.nodes[i], sources.fields[i]) for i, (_, path) in enumerate(_paths(root))}
    above = set()  # the paths holding a wanted one: only below those is there anything to find
    for path in wanted:
        while path and path not in above:
            above.add(path)
            path = path.rsplit("/", 1)[0] if "/" in path.strip("/") else ""
    return {path: (sources.nodes[i], sources.fields[i]) for i, path in _numbered_paths(root, above)
            if path in wanted}


def _child_paths(el: etree._Element, path: str) -> list[tuple[etree._Element, str]]:
    """(child element, path) of each child of ``el`` (at ``path``), in order."""
    kids = [k for k in el if isinstance(k.tag, str)]
    counts: dict[str, int] = {}
    for k in kids:
        counts[k.tag] = counts.get(k.tag, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for k in kids:
        n = seen[k.tag] = seen.get(k.tag, 0) + 1
        out.append((k, f"{path}/{k.tag}[{n}]" if counts[k.tag] > 1 else f"{path}/{k.tag}"))
    return out


def _paths(root: etree._Element):
    """(element, path) for every element in document order, the path as lxml's ``getpath`` gives it
    (``Child[3]`` where a name repeats among siblings). ``getpath`` counts an element's siblings each
    time: quadratic on a return of thousands of children."""
    stack = [(root, f"/{root.tag}")]
    while stack:
        el, path = stack.pop()
        yield el, path
        stack.extend(reversed(_child_paths(el, path)))  # the first child is taken next


def _numbered_paths(root: etree._Element, within: set[str]):
    """(position in document order, path) of the elements whose path is in ``within``, which must hold
    the path of every element above one it holds; the others' descendants are counted, not walked."""
    stack = [(root, f"/{root.tag}")]
    position = 0
    while stack:
        el, path = stack.pop()
        if path in within:
            yield position, path
            stack.extend(reversed(_child_paths(el, path)))
        else:
            position += sum(1 for _ in el.iterdescendants(etree.Element))
        position += 1


_STEP = re.compile(r"([^/\[\]]+)(?:\[(\d+)\])?")


def _elements(node: Node, year: CensusYear, tag: str) -> list[tuple[int, Field, list]]:
    """The fields of ``node`` that write elements named ``tag``: (how many, field, what each is written
    from) in document order, as :func:`~cin_xl.xml.writer.to_tree` writes them."""
    out = []
    for f in fields_of(type(node), year):
        spec, value = f.spec, getattr(node, f.name)
        if isinstance(spec, Group):
            members = value if f.many else ([] if value is None else [value])
            if spec.wrapper:
                if members and spec.wrapper == tag:
                    out.append((1, f, [value]))
            elif spec.xml == tag:
                out.append((len(members), f, members))
        elif spec.wrapper is not None:
            if spec.wrapper == tag and any(not is_missing(v) for v in value):
                out.append((1, f, [value]))
        elif spec.xml == tag and not is_missing(value):
            out.append((1, f, [value]))
    return out


def source_of(census: CensusReturn, year: CensusYear, path: str) -> tuple[Node, str | None] | None:
    """(record, field name or None) the element at ``path`` (as lxml reports it: ``Child[3]`` where a name
    repeats among siblings) was written from by :func:`~cin_xl.xml.writer.to_tree`, or else that of the
    nearest element above it that was written; None when not even the root matches.

    Found by walking the return itself, one step a part of the path: what :func:`element_nodes` finds by
    writing the whole XML again (a second tree of the return: a second and 100 MB on 20,000 children)."""
    steps = path.split("/")
    if len(steps) < 2 or steps[0] or steps[1] != ROOT_ELEMENT:
        return None
    found: tuple[Node, str | None] = (census, None)
    # where the walk is: a record, or the wrapper of a group (its members) or of a many-valued item
    record: Node | None = census
    wrapped: tuple[Node, Field] | None = None
    for step in steps[2:]:
        match = _STEP.fullmatch(step)
        if match is None:
            break
        tag, number = match.group(1), match.group(2)
        if record is not None:
            elements = _elements(record, year, tag)
            total = sum(n for n, _, _ in elements)
            nth = int(number) if number else 1
            if total == 0 or (number is None) != (total == 1) or nth > total:
                break  # no such element (a name that repeats is numbered; one that does not, not)
            chosen = elements[0]
            for chosen in elements:  # the field writing the nth element of that name
                if nth <= chosen[0]:
                    break
                nth -= chosen[0]
            _, f, sources = chosen
            spec, owner = f.spec, record
            if isinstance(spec, Group) and not spec.wrapper:
                record = sources[nth - 1]
                found = (record, None)
            else:  # a wrapper (of a group or of a many-valued item), or an item
                record, found = None, (owner, f.name)
                wrapped = (owner, f) if spec.wrapper else None
        elif wrapped is not None:
            owner, f = wrapped
            value = getattr(owner, f.name)
            members = ([v for v in value if not is_missing(v)] if isinstance(f.spec, Item)
                       else value if f.many else ([] if value is None else [value]))
            nth = int(number) if number else 1
            if tag != f.spec.xml or (number is None) != (len(members) == 1) or nth > len(members):
                break
            wrapped = None
            if isinstance(f.spec, Group):
                record = members[nth - 1]
                found = (record, None)
            else:
                found = (owner, f.name)
        else:
            break  # below an item: nothing is written there
    return found


def export_problems(exc: ExportRefused, census: CensusReturn, year: CensusYear) -> list[Finding]:
    """The schema problems of a refused export, each located to the workbook cell it came from."""
    out = []
    for line, path, message in exc.problems:
        found = source_of(census, year, path)
        finding = Finding(SCHEMA_PROBLEM, Severity.ERROR, plain_problem(path, message, in_order=True),
                          path=path, line=line)
        if found is not None:
            node, fname = found
            expected = _EXPECTED.search(message)
            missing = expected and "Missing child element" in message
            if expected and (missing or "not expected" in message):  # the cell of the item missing
                names = [n.strip() for n in expected.group(1).split(",")]
                for f in fields_of(type(node), year):
                    if (f.spec.wrapper or f.spec.xml) in names:
                        fname = f.name
                        break
            origin = node.origin
            if origin is not None and origin.sheet:
                finding.sheet, finding.row = origin.sheet, origin.row
                if fname and fname in origin.cells:
                    finding.cells = (str(origin.cells[fname]),)
        out.append(finding)
    return out
