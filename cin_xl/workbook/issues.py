"""The Issues sheet's rows: one per finding, with a link to its cell. Written alike by the template (a
workbook made with findings), the Excel buttons and annotate; no openpyxl, so that planning the marks does not
load it."""

from __future__ import annotations

from collections.abc import Iterable

from cin_xl.validation.findings import Finding
from cin_xl.workbook.layout import ISSUES_COLUMNS, ISSUES_WIDTH
from cin_xl.workbook.package.ooxml import quote_sheet_name

#: points per line of 11-point Calibri, and the padding Excel adds to a row
LINE_HEIGHT, ROW_PADDING = 15.0, 3.0
#: Excel's tallest row (points)
MAX_ROW_HEIGHT = 409.0


def row_height(text: str, width: float = ISSUES_WIDTH) -> float | None:
    """Height (points) of a row whose Issues cell, ``width`` characters wide and wrapping, holds ``text``."""
    if not text:
        return None
    per_line = max(1, int(width * 1.1))  # Calibri 11 fits about 1.1 characters per unit of width
    lines = sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines + ROW_PADDING)


#: widths (characters) of the Issues sheet's columns, :data:`.layout.ISSUES_COLUMNS` in order
ISSUES_SHEET_WIDTHS = (12, 10, 80, 14, 22, 30, 12)


def issues_row_height(row: list[object]) -> float | None:
    """Height (points) of an Issues sheet row whose message wraps onto more than one line (None: one line),
    so that it never prints over the next row."""
    message = row[ISSUES_COLUMNS.index("Message")]
    if not isinstance(message, str):
        return None
    height = row_height(message, ISSUES_SHEET_WIDTHS[ISSUES_COLUMNS.index("Message")])
    return height if height is not None and height > LINE_HEIGHT + ROW_PADDING else None


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


__all__ = ["issue_rows", "row_height", "issues_row_height", "ISSUES_SHEET_WIDTHS", "LINE_HEIGHT", "ROW_PADDING",
           "MAX_ROW_HEIGHT"]
