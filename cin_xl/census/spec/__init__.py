"""The census specification, declared once.

Each field of the return model (``cin_xl.census.model``) carries an :class:`Item` (a data item: one XML
element holding a value) or a :class:`Group` (an XML element holding other elements) as
``Annotated`` metadata. Field order is XML order. The XML writer and reader, the XSD, the
workbook template and the structural checks all walk :func:`fields_of` for the active year, so
adding next year's items is a change to the model declaration only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from cin_xl.census.spec.codesets import CODE_SETS, Code, CodeSet
from cin_xl.census.years import CensusYear, in_force
from cin_xl.perf import cached

if TYPE_CHECKING:  # pragma: no cover
    from cin_xl.census.model import Node

__all__ = ["Kind", "Item", "Group", "Field", "fields_of", "CODE_SETS", "Code", "CodeSet", "years_of_element"]


class Kind(StrEnum):
    TEXT = "text"
    CODE = "code"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    INT = "int"


@dataclass(frozen=True)
class Item:
    """A data item: one element holding a value (or, with ``wrapper``, a list of them)."""

    xml: str
    kind: Kind
    label: str
    ncode: str | None = None
    codeset: str | None = None
    required: bool = False
    since: str | None = None
    until: str | None = None
    #: many-valued item: its values are repeated ``xml`` elements inside this element
    wrapper: str | None = None
    #: fixed value written by the toolkit (for example Collection = "CIN")
    fixed: str | None = None
    #: a short definition, shown as guidance in the template
    guidance: str = ""
    #: regular expression the value must match (XSD pattern), for structured text
    pattern: str | None = None
    max_length: int | None = None
    #: the value export writes when the item is left blank, from the time of export (the date and
    #: time of the file, the software that made it): such an item is never required in the
    #: workbook, still required in census XML
    filled_at_export: Callable[[datetime], object] | None = None

    @property
    def many(self) -> bool:
        return self.wrapper is not None

    @property
    def code_set(self) -> CodeSet | None:
        return CODE_SETS[self.codeset] if self.codeset else None


@dataclass(frozen=True)
class Group:
    """An element holding other elements; the field's type says one, optional, or a list."""

    xml: str
    label: str
    required: bool = False
    since: str | None = None
    until: str | None = None
    #: repeated group wrapped in one container element (``Children`` around ``Child``)
    wrapper: str | None = None


@dataclass(frozen=True)
class Field:
    """One declared field of a model class, as seen in a given year."""

    name: str
    spec: Item | Group
    #: for groups: the node class of its content
    node: type[Node] | None = None
    #: for groups: True when the field holds a list
    many: bool = False

    @property
    def is_group(self) -> bool:
        return isinstance(self.spec, Group)

    @property
    def item(self) -> Item:
        """The data item of a field that is not a group: ``spec``, for code that knows so."""
        if not isinstance(self.spec, Item):
            raise TypeError(f"{self.name} is a group, not a data item")
        return self.spec

    @property
    def content(self) -> type[Node]:
        """The node class of a group's content: ``node``, for code that knows this field is a group."""
        if self.node is None:
            raise TypeError(f"{self.name} is a data item, not a group")
        return self.node


@cached
def _declared(cls: type[Node]) -> tuple[Field, ...]:
    import typing

    out = []
    for name, info in cls.__pydantic_fields__.items():  # model.record_fields (model imports this module)
        spec = next((m for m in info.metadata if isinstance(m, (Item, Group))), None)
        if spec is None:
            continue
        if isinstance(spec, Group):
            ann = info.annotation
            many = typing.get_origin(ann) is list
            if many:
                node = typing.get_args(ann)[0]
            else:  # X or Optional[X]
                node = next((a for a in typing.get_args(ann) if a is not type(None)), ann)
            out.append(Field(name, spec, node, many))
        else:
            out.append(Field(name, spec))
    return tuple(out)


@cached
def fields_of(cls: type[Node], year: CensusYear) -> tuple[Field, ...]:
    """The fields of ``cls`` in force in ``year``, in XML order."""
    return tuple(f for f in _declared(cls) if in_force(year, f.spec.since, f.spec.until))


def years_of_element(cls: type[Node], element: str) -> str | None:
    """In which census years ``element`` (an item's or group's XML name, or its wrapper's) is part of ``cls``, in
    words ("from 2024-25", "up to 2023-24", "from 2021-22 to 2023-24"); None when it never is."""
    for f in _declared(cls):
        if element not in (f.spec.xml, f.spec.wrapper):
            continue
        since, until = f.spec.since, f.spec.until
        if since and until:
            return f"from {since} to {until}"
        if since:
            return f"from {since}"
        if until:
            return f"up to {until}"
        return "in every year"
    return None


def items_of(cls: type[Node], year: CensusYear) -> Iterator[Field]:
    return (f for f in fields_of(cls, year) if not f.is_group)


def groups_of(cls: type[Node], year: CensusYear) -> Iterator[Field]:
    return (f for f in fields_of(cls, year) if f.is_group)
