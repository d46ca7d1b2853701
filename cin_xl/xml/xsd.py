"""The XSD of each census year, written from the spec.

It checks what COLLECT checks before it runs its rules: element names, order and cardinality,
and the types of dates, booleans and numbers. Code values and formats (UPN, LA child ID) are left
to the rules, which give the DfE rule code and message for them.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from ..model import CensusReturn, ROOT_ELEMENT
from ..spec import Field, Kind, fields_of
from ..years import CensusYear

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
    if f.is_group:
        type_name = _complex_type(f.node, year, types, schema)
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


def schema_problems(doc: etree._ElementTree | etree._Element, year: CensusYear) -> list[tuple[int, str, str]]:
    """(line, element path, message) for each way ``doc`` breaks the year's XSD."""
    schema = schema_for(year)
    if schema.validate(doc):
        return []
    out = []
    for e in schema.error_log:
        out.append((e.line, e.path or "", e.message))
    return out
