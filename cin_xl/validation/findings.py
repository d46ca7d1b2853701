"""Findings: what validation (and reading) reports, each located where the user can fix it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from cin_xl.safety.text_guard import quoted

if TYPE_CHECKING:  # pragma: no cover
    from cin_xl.census.model import Node
    from cin_xl.census.spec import Field, Item


class Severity(StrEnum):
    ERROR = "error"
    QUERY = "query"


@dataclass(slots=True)  # tens of thousands on a messy return: small and quick to make
class Finding:
    code: str
    severity: Severity
    message: str
    child: str | None = None
    #: workbook location
    sheet: str | None = None
    row: int | None = None
    cells: tuple[str, ...] = ()
    #: XML location
    path: str | None = None
    line: int | None = None
    #: field names the finding is about (used to find cells once the node is placed)
    fields: tuple[str, ...] = field(default=(), repr=False)

    @property
    def where(self) -> str:
        """Human-readable location: ``Referrals!C12``, or in census XML the line with the child, record and
        item (``line 23, child C0012, referral 1, Referral date (CINreferralDate)``), never the raw path."""
        if self.sheet:
            if self.cells:
                return ", ".join(f"{self.sheet}!{c}" for c in self.cells)
            return f"{self.sheet} row {self.row}" if self.row else self.sheet
        if self.line is not None or self.path:
            bits = [f"line {self.line}" if self.line is not None else None,
                    describe_path(self.path, quoted(self.child) if self.child else None) if self.path else None]
            return ", ".join(b for b in bits if b) or "whole return"
        return "whole return"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "child": self.child,
            "sheet": self.sheet,
            "row": self.row,
            "cells": list(self.cells),
            "path": self.path,
            "line": self.line,
        }

    def __str__(self) -> str:
        where = self.where
        who = f" [child {quoted(self.child)}]" if self.child and not names_child(where, quoted(self.child)) else ""
        return f"{where}: {self.code} ({self.severity}){who}: {self.message}"


def names_child(where: str, child: str) -> bool:
    """Whether a location (:attr:`Finding.where`) names the child already (``line 23, child C0012, ...``)."""
    return f", child {child}," in f", {where},"


def locate(finding: Finding, node: Node | None, fields: Iterable[str] = ()) -> Finding:
    """Fill a finding's location from the origin of the node it is about."""
    origin = node.origin if node is not None else None
    fields = tuple(fields)
    finding.fields = fields
    if origin is None:
        return finding
    finding.sheet, finding.row, finding.path, finding.line = origin.sheet, origin.row, origin.path, origin.line
    if origin.sheet:
        finding.cells = tuple(str(origin.cells[f]) for f in fields if f in origin.cells)
    else:
        for f in fields:
            if f in origin.cells:  # the element is in the file (``paths`` names it for every field of the record)
                finding.path = origin.path_of(f)
                finding.line = origin.cells[f]  # type: ignore[assignment]
                break
    return finding


def count(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"errors": 0, "queries": 0}
    for f in findings:
        out["errors" if f.severity is Severity.ERROR else "queries"] += 1
    return out


def plural(n: int, one: str, many: str | None = None) -> str:
    """``"1 error"``, ``"2 errors"``, ``"1 query"``, ``"3 queries"``, ``"1,204 children"``."""
    if many is None:
        many = {"query": "queries", "child": "children"}.get(one, one[:-1] + "ies" if one.endswith("y") else one + "s")
    return f"{n:,} {one if n == 1 else many}"


def totals_text(errors: int, queries: int, joiner: str = ", ") -> str:
    """``"1 error, 2 queries"``: the counts of a validation, as every front end words them."""
    return f"{plural(errors, 'error')}{joiner}{plural(queries, 'query')}"


# ---------------------------------------------------------------------------------------------
# Census XML locations in the census's own words
# ---------------------------------------------------------------------------------------------

#: what one record of a repeated group is called (the workbook's words: a CIN episode is a referral)
RECORD_NAMES = {"Child": "child", "CINdetails": "referral", "Assessments": "assessment", "CINPlanDates": "CIN plan",
                "Section47": "section 47 enquiry", "ChildProtectionPlans": "child protection plan",
                "PreProceedingsandFGDM": "pre-proceedings", "Header": "header"}
#: one step of an element path as libxml2 and the reader write it: ``Child[12]``, ``ns:Child``, ``CINdetails``
_STEP = re.compile(r"(?:[^:\[\]/{}]+:|\{[^}]*\})?([^:\[\]/{}]+)(?:\[(\d+)\])?")


@dataclass(frozen=True)
class PathPlace:
    """What an element path points at, in the census's terms."""

    #: the child, records and item, as people read them: ["child C0012", "referral 1", "Referral date (...)"]
    words: tuple[str, ...]
    #: the data item the path ends on (None: a record, or an element the census does not know)
    item: Item | None
    #: the record class the path ends in, or holding the item it ends on (None where it left the census)
    record: type | None
    #: what the last element is called: the item's label, the record's name, or ``<Name>``
    name: str


@cache
def element_members(cls: type) -> dict[str, tuple[Field, bool]]:
    """Element name -> (field, whether the name is the field's wrapper) of a record class, over every
    readable year (a path may name an item of another year)."""
    from cin_xl.census.spec import fields_of
    from cin_xl.census.years import READABLE_YEARS, CensusYear

    out: dict[str, tuple[Field, bool]] = {}
    for label in READABLE_YEARS:
        for f in fields_of(cls, CensusYear.parse(label)):
            out.setdefault(f.spec.xml, (f, False))
            if f.spec.wrapper:
                out.setdefault(f.spec.wrapper, (f, True))
    return out


def item_name(item: Item, element: str | None = None) -> str:
    """``"Date of birth (PersonBirthDate)"``: an item as the workbook heads it, with its name in census XML."""
    element = element or item.xml
    return item.label if item.label == element else f"{item.label} ({element})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def place_of(path: str, child: str | None = None) -> PathPlace | None:
    """The child, records and item an XML element path points at; None for a path that is not a census
    path (another root)."""
    from cin_xl.census.model import ROOT_ELEMENT, CensusReturn

    steps = [_STEP.fullmatch(s) for s in path.strip("/").split("/")]
    if not steps or any(m is None for m in steps) or steps[0].group(1) != ROOT_ELEMENT:  # type: ignore[union-attr]
        return None
    words: list[str] = []
    cls: type | None = CensusReturn
    item = None
    name = "the return"
    i = 1
    while i < len(steps):
        name_in_file, n = steps[i].group(1), steps[i].group(2)  # type: ignore[union-attr]
        member = element_members(cls).get(name_in_file) if cls is not None else None
        if member is None:  # an element the census does not know here: named as it is
            name = f"<{quoted(name_in_file)}>"
            words.append(name)
            cls = item = None
            i += 1
            continue
        f, is_wrapper = member
        if f.is_group:
            if is_wrapper:  # <Children>: the children are the next step
                i += 1
                if i == len(steps):
                    name = f.spec.label
                    words.append(name)
                continue
            cls, item = f.node, None
            record = RECORD_NAMES.get(f.spec.xml)
            if record == "child":
                name = f"child {child}" if child else (f"the {_ordinal(int(n))} child" if n else "the child")
                words.append(name)
            elif f.many:
                name = f"{record or f.spec.label} {n or 1}"
                words.append(name)
            elif record:
                name = record
                words.append(name)
            else:  # <ChildIdentifiers>, <CollectionDetails>: a container the location need not name, but a
                # message about the container itself does, as the file names it ("Identifiers (ChildIdentifiers)")
                name = f.spec.label if f.spec.label == f.spec.xml else f"{f.spec.label} ({f.spec.xml})"
        else:
            item = f.item
            name = item_name(item)
            if is_wrapper and i + 1 < len(steps):  # <Disabilities><Disability[2]>: the second value
                i += 1
                value_n = steps[i].group(2)  # type: ignore[union-attr]
                name = f"the {_ordinal(int(value_n))} of {name}" if value_n else name
            elif is_wrapper:
                name = item_name(item, item.wrapper)
            words.append(name)
        i += 1
    return PathPlace(tuple(words), item, cls, name)


def describe_path(path: str, child: str | None = None) -> str | None:
    """``"child C0012, referral 1, Referral date (CINreferralDate)"``: an XML element path in the census's
    words (the XPath itself never reaches a person); None for a path outside the census."""
    place = place_of(path, child)
    if place is None:
        return None
    return ", ".join(place.words) or "the return"
