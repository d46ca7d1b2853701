"""Findings: what validation (and reading) reports, each located where the user can fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from cin_xl.safety.text_guard import quoted

if TYPE_CHECKING:  # pragma: no cover
    from cin_xl.census.model import Node


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
        """Human-readable location: ``Referrals!C12`` or ``line 40, /Message/...``."""
        if self.sheet:
            if self.cells:
                return ", ".join(f"{self.sheet}!{c}" for c in self.cells)
            return f"{self.sheet} row {self.row}" if self.row else self.sheet
        if self.line is not None or self.path:
            bits = [f"line {self.line}" if self.line is not None else None, self.path]
            return ", ".join(b for b in bits if b)
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
        who = f" [child {quoted(self.child)}]" if self.child else ""
        return f"{self.where}: {self.code} ({self.severity}){who}: {self.message}"


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
