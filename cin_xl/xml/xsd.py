"""The XSD of each census year, written from the spec.

It checks what COLLECT checks before it runs its rules: element names, order and cardinality,
and the types of dates, booleans and numbers. Code values and formats (UPN, LA child ID) are left
to the rules, which give the DfE rule code and message for them.
"""

from __future__ import annotations

import re
from functools import cache

from lxml import etree

from cin_xl.census.model import ROOT_ELEMENT, CensusReturn
from cin_xl.census.spec import Field, Group, Kind, fields_of
from cin_xl.census.years import CensusYear
from cin_xl.progress import phase

XS = "http://www.w3.org/2001/XMLSchema"
_TYPES = {
    Kind.TEXT: "nonEmptyText",
    Kind.CODE: "nonEmptyText",
    Kind.DATE: "xs:date",
    Kind.DATETIME: "xs:dateTime",
    Kind.BOOL: "xs:boolean",
    Kind.INT: "xs:nonNegativeInteger",
}


def _el(parent, tag, **attrs):
    return etree.SubElement(parent, f"{{{XS}}}{tag}", {k: str(v) for k, v in attrs.items()})


def _sequence(parent, cls: type, year: CensusYear, types: dict[str, etree._Element], schema) -> None:
    seq = _el(parent, "sequence")
    for f in fields_of(cls, year):
        _member(seq, f, year, types, schema)


def _member(seq, f: Field, year: CensusYear, types, schema) -> None:
    spec = f.spec
    required = spec.required
    if isinstance(spec, Group):
        type_name = _complex_type(f.content, year, types, schema)
        if spec.wrapper:  # Children > Child+
            wrapper = _el(seq, "element", name=spec.wrapper, minOccurs=1 if required else 0)
            inner = _el(_el(wrapper, "complexType"), "sequence")
            _el(inner, "element", name=spec.xml, type=type_name, minOccurs=1, maxOccurs="unbounded")
        else:
            _el(seq, "element", name=spec.xml, type=type_name, minOccurs=1 if required else 0,
                maxOccurs="unbounded" if f.many else 1)
        return
    xs_type = _TYPES[spec.kind]
    if spec.many:
        wrapper = _el(seq, "element", name=spec.wrapper, minOccurs=0)
        inner = _el(_el(wrapper, "complexType"), "sequence")
        _el(inner, "element", name=spec.xml, type=xs_type, minOccurs=1, maxOccurs="unbounded")
    else:
        _el(seq, "element", name=spec.xml, type=xs_type, minOccurs=1 if required else 0)


def _complex_type(cls: type, year: CensusYear, types, schema) -> str:
    name = f"{cls.__name__}Type"
    if name not in types:
        ct = etree.Element(f"{{{XS}}}complexType", name=name)
        types[name] = ct
        _sequence(ct, cls, year, types, schema)
    return name


@cache
def xsd_text(year: CensusYear) -> bytes:
    """The XSD of ``year`` as bytes (deterministic)."""
    schema = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS}, elementFormDefault="qualified")
    schema.append(etree.Comment(f" children in need census {year.label}: written by cin-xl from its spec "))
    simple = _el(schema, "simpleType", name="nonEmptyText")
    _el(_el(simple, "restriction", base="xs:string"), "minLength", value=1)
    types: dict[str, etree._Element] = {}
    root = _el(schema, "element", name=ROOT_ELEMENT)
    _sequence(_el(root, "complexType"), CensusReturn, year, types, schema)
    for name in sorted(types):
        schema.append(types[name])
    return etree.tostring(schema, xml_declaration=True, encoding="UTF-8", pretty_print=True)


@cache
def schema_for(year: CensusYear) -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(xsd_text(year)))


def _child_types(year: CensusYear) -> tuple[str, str]:
    """(the Child element's type name, the wrapper of the children) in the year's XSD."""
    for f in fields_of(CensusReturn, year):
        if isinstance(f.spec, Group) and f.spec.wrapper:
            return f"{f.content.__name__}Type", f.spec.wrapper
    raise LookupError("no wrapped group of children in the census")  # pragma: no cover - the spec has one


@cache
def _split_schemas(year: CensusYear) -> tuple[etree.XMLSchema, etree.XMLSchema, str, str]:
    """Two schemas that together check what :func:`schema_for` checks: the return with every child's
    content left unchecked, and one child on its own (its element as the root)."""
    child_type, wrapper = _child_types(year)
    whole = etree.fromstring(xsd_text(year))
    outline = etree.fromstring(xsd_text(year))
    for el in outline.iter(f"{{{XS}}}element"):
        if el.get("type") == child_type:
            del el.attrib["type"]
            any_content = _el(_el(el, "complexType", mixed="true"), "sequence")
            _el(any_content, "any", processContents="skip", minOccurs=0, maxOccurs="unbounded")
            _el(el[0], "anyAttribute", processContents="skip")
    child_name = next(el.get("name") for el in whole.iter(f"{{{XS}}}element") if el.get("type") == child_type)
    _el(whole, "element", name=child_name, type=child_type)
    return etree.XMLSchema(outline), etree.XMLSchema(whole), wrapper, child_name


def _local(tag: object) -> str | None:
    return tag if isinstance(tag, str) and not tag.startswith("{") else None


def schema_problems(doc: etree._ElementTree | etree._Element, year: CensusYear) -> list[tuple[int, str, str]]:
    """(line, element path, message) for each way ``doc`` breaks the year's XSD."""
    root = doc.getroot() if isinstance(doc, etree._ElementTree) else doc
    split = _by_child(root, year)
    if split is not None:
        return split
    schema = schema_for(year)
    if schema.validate(doc):
        return []
    return [_with_stray_text(root, e.line, e.path or "", e.message, e.path or "") for e in schema.error_log]


#: libxml2's words for text between the elements of a record, and the text found added to them (by the line it is on)
_STRAY = "Character content other than whitespace is not allowed"
_STRAY_FOUND = re.compile(r" \[text found: (.*)\]$", re.S)


def _with_stray_text(top: etree._Element, line: int, path: str, message: str, xpath: str) -> tuple[int, str, str]:
    """(line, path, message) of a schema problem; for text between a record's elements (libxml2 gives the record's
    first line only), the text itself and the line it is on, so that a person can find it. ``xpath``: the element's
    path from ``top`` (``/Child/ChildIdentifiers`` when ``top`` is the ``<Child>`` checked on its own)."""
    if _STRAY not in message or not xpath.startswith("/"):
        return line, path, message
    rest = xpath[1:].partition("/")[2]  # the first step is ``top`` itself
    try:
        found = top.xpath(f"./{rest}" if rest else ".")
    except etree.XPathError:
        return line, path, message
    element = found[0] if found and isinstance(found[0], etree._Element) else None
    if element is None:
        return line, path, message
    text, at = element.text, element.sourceline
    if text is None or text.isspace():
        text = None
        for sub in element:
            if sub.tail and not sub.tail.isspace():
                last = max((d for d in sub.iter() if d.sourceline), key=lambda d: d.sourceline, default=sub)
                text = sub.tail
                at = (last.sourceline or 0) + (last.text or "").count("\n")
                break
    if text is None:
        return line, path, message
    at = (at or line) + text[:len(text) - len(text.lstrip())].count("\n")
    shown = " ".join(text.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return at, path, f"{message} [text found: {shown!r}]"


def _by_child(root: etree._Element, year: CensusYear) -> list[tuple[int, str, str]] | None:
    """The same problems as validating the whole document, found one child at a time; None where that
    cannot be sure to give the same (then the whole document is validated).

    libxml2 names each problem's element by its path, counting the element's siblings to give its
    position (``Child[12345]``): with thousands of children and of problems that is quadratic, minutes
    on the largest returns. Checked one at a time, a child has no siblings; its position is added here.
    """
    check = ChildByChild(year)
    wrapper = check.wrapper_of(root)
    if wrapper is None:
        return None
    children = [el for el in wrapper if isinstance(el.tag, str)]
    with phase("Checking the census schema", len(children), f"{len(children):,} children") as step:
        for i, child in enumerate(children, start=1):
            step.advance()
            check.child(child, i)
    return check.finish(root)


class ChildByChild:
    """The schema check of :func:`_by_child`, fed one ``<Child>`` at a time, in document order: by
    :func:`_by_child`, or by the XML reader as it reads a file child by child (each child's elements
    are let go once checked and read, so the whole document is never held)."""

    def __init__(self, year: CensusYear):
        self.outline, self.one_child, self.wrapper, self.child_name = _split_schemas(year)
        #: (position among the children, line, path, message, whether the path is inside the child)
        self.found: list[tuple[int, int, str, str, bool]] = []
        self.count = 0

    def wrapper_of(self, root: etree._Element) -> etree._Element | None:
        """The one children wrapper under ``root`` if it holds only children; None otherwise."""
        if _local(root.tag) != ROOT_ELEMENT:
            return None
        wrappers = [el for el in root if _local(el.tag) == self.wrapper]
        if len(wrappers) != 1:
            return None
        if any(_local(el.tag) != self.child_name for el in wrappers[0] if isinstance(el.tag, str)):
            return None
        return wrappers[0]

    def child(self, child: etree._Element, position: int) -> None:
        """Checks one child (complete, not yet let go), the ``position``-th of the wrapper."""
        self.count = max(self.count, position)
        if self.one_child.validate(child):
            return
        own = f"/{self.child_name}"
        for e in self.one_child.error_log:
            path = e.path or ""
            inner = path[len(own):] if path == own or path.startswith(own + "/") else None
            line, _, message = _with_stray_text(child, e.line, path, e.message, path)
            self.found.append((position, line, inner if inner is not None else path, message, inner is not None))

    def finish(self, root: etree._Element) -> list[tuple[int, str, str]] | None:
        """The problems of the whole document, once every child was checked; the outline (the document with
        the children's content left unchecked) is validated here. None when not sure to be the same."""
        wrapper = self.wrapper_of(root)
        if wrapper is None:
            return None
        outline_ok = self.outline.validate(root.getroottree() if root.getparent() is None else root)
        problems = [] if outline_ok else [(e.line, e.path or "", e.message) for e in self.outline.error_log]
        inside = f"/{ROOT_ELEMENT}/{self.wrapper}"
        if any(path == inside or path.startswith(inside + "/") for _, path, _ in problems):
            return None  # the wrapper or its children out of place: libxml2 may then skip their content
        after_line = wrapper.sourceline or 0
        before = [p for p in problems if (p[0] or 0) <= after_line]
        after = [p for p in problems if (p[0] or 0) > after_line]
        at = f"{inside}/{self.child_name}"
        found = []
        for position, line, path, message, inner in self.found:
            if inner:
                path = (f"{at}[{position}]" if self.count > 1 else at) + path
            found.append((line, path, message))
        return before + found + after


# ---------------------------------------------------------------------------------------------
# Schema problems in the census's own words
# ---------------------------------------------------------------------------------------------

#: libxml2's message: ``Element 'Name': ...`` or ``Element 'Name', attribute 'a': ...`` (a name may carry its namespace)
_ELEMENT = re.compile(r"Element '(\{[^}]*\})?([^']+)'(?:, attribute '([^']+)')?: (.*)", re.S)
_ATOMIC = re.compile(r"'(.*)' is not a valid value of the (?:local )?atomic type(?: '(?:xs:)?([^']+)')?\.?", re.S)
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ([^)]*) \)")
_FACET = re.compile(r"^\[facet [^]]*\] ")
#: what a value of each schema type must be, said to people
TYPE_WORDS = {"date": "is not a date (YYYY-MM-DD)", "dateTime": "is not a date and time (YYYY-MM-DDThh:mm:ss)",
              "boolean": "is not true or false (true, false, 1 or 0)",
              "nonNegativeInteger": "is not a whole number, 0 or more", "integer": "is not a whole number"}


def _expected(names: str, record: type | None, *, required_only: bool = False) -> str:
    """``"Referral date (CINreferralDate)"`` for libxml2's ``( CINreferralDate )`` list of element names (with
    ``required_only``, the required ones of them where there are any: the others were only allowed there)."""
    from cin_xl.validation.findings import RECORD_NAMES, element_members, item_name

    out = []
    listed = [raw.strip().rsplit("}", 1)[-1] for raw in names.split(",")]
    members = element_members(record) if record is not None else {}
    required = [n for n in listed if n in members and members[n][0].spec.required]
    for name in required if required_only and required else listed:
        member = members.get(name)
        if member is None:
            out.append(f"<{name}>")
            continue
        f, is_wrapper = member
        if f.is_group:
            record_name = RECORD_NAMES.get(name)
            out.append(f"a {record_name} ({name})" if record_name else f"{f.spec.label} ({name})")
        else:
            out.append(item_name(f.item, name if is_wrapper else None))
    return out[0] if len(out) == 1 else ", ".join(out[:-1]) + " or " + out[-1]


def plain_problem(path: str, message: str, *, in_order: bool = False) -> str:
    """A schema problem as libxml2 words it (``Element 'PersonBirthDate': '6th August 2024' is not a valid value of
    the atomic type 'xs:date'.``) said in the census's terms (``Date of birth (PersonBirthDate) '6th August 2024'
    is not a date (YYYY-MM-DD)``); the location is the finding's, not repeated here. ``in_order``: the XML was
    written by export, in the census's order, so an element expected before another is missing, not misplaced."""
    from cin_xl.validation.findings import place_of

    message = message.replace(f"{{{XS}}}", "").strip()
    found = _ELEMENT.fullmatch(message)
    if found is None:
        return message
    namespace, element, attribute, rest = found.groups()
    rest = rest.strip()
    place = place_of(path) if path else None
    what = place.name if place is not None and place.words else f"<{element}>"
    if "No matching global declaration available for the validation root" in rest:
        if namespace:
            return (f"The file's <{element}> names the namespace {namespace.strip('{}')}, which census XML does not "
                    "use: COLLECT reads the elements without a namespace")
        return f"The file's first element is <{element}>, not <{ROOT_ELEMENT}>: this is not census XML"
    if attribute:
        return f"{what} has an attribute {attribute}=, which census XML does not use"
    atomic = _ATOMIC.fullmatch(rest)
    if atomic:
        value, kind = atomic.groups()
        if value.strip() == "":
            return f"{what} is empty"
        return f"{what} '{value}' {TYPE_WORDS.get(kind or '', 'is not a value the census allows here')}"
    if rest.startswith("[facet 'minLength']"):
        return f"{what} is empty"
    expected = _EXPECTED.search(rest)
    if "Missing child element" in rest:
        record = place.record if place is not None else None
        if expected:
            return f"{_expected(expected.group(1), record, required_only=True)} is missing from {what}: it is required"
        return f"Something required is missing from {what}"
    if "This element is not expected" in rest:
        parent = place_of(path.rsplit("/", 1)[0]) if path and "/" in path.strip("/") else None
        record = parent.record if parent is not None else None
        unknown = place is None or place.item is None and place.record is None or what.startswith("<")
        if unknown:
            return (f"{what} is not part of the census here" +
                    (f" ({_expected(expected.group(1), record)} should come here)" if expected else ""))
        if expected and in_order:
            return f"{_expected(expected.group(1), record, required_only=True)} is missing: it is required"
        if expected:
            return (f"{what} is not expected here: {_expected(expected.group(1), record)} should come first "
                    "(it is missing, or out of order)")
        return f"{what} is not expected here: it is repeated, or out of order"
    if "Element content is not allowed" in rest:
        return f"{what} holds other elements where a value belongs"
    if _STRAY in rest:
        stray = _STRAY_FOUND.search(rest)
        if stray:
            return f"{what} holds the text {stray.group(1)} between its items, where only items belong: delete it"
        return f"{what} holds text where only its items belong"
    return f"{what}: {_FACET.sub('', rest)}"
