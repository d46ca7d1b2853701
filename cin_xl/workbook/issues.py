"""The Issues sheet's rows: one per finding, with a link to its cell. Written alike by the template (a
workbook made with findings), the Excel buttons and annotate; no openpyxl, so that planning the marks does not
load it."""

from __future__ import annotations

from collections.abc import Iterable

from cin_xl.validation.findings import Finding
from cin_xl.workbook.package.ooxml import quote_sheet_name


def issue_rows(findings: Iterable[Finding]) -> list[list[object]]:
    """Rows of the Issues sheet: Code, Severity, Message, Child, Sheet, Cell, Link."""
    out: list[list[object]] = []
    for f in findings:
        cell = ", ".join(f.cells) if f.cells else (str(f.row) if f.row and f.sheet else "")
        if not f.sheet:
            cell = f.where if (f.line is not None or f.path) else ""
        link = None
        if f.sheet:
            target = f.cells[0] if f.cells else f"A{f.row or 1}"
            # a sheet name may hold a double quote: doubled, it cannot end the formula's text early
            sheet = quote_sheet_name(f.sheet).replace('"', '""')
            link = f'=HYPERLINK("#{sheet}!{target}","Go to cell")'
        out.append([f.code, str(f.severity), f.message, f.child, f.sheet, cell, link])
    return out


__all__ = ["issue_rows"]
