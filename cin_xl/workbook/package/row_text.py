"""A worksheet part's rows as bytes, without parsing them: where each row starts and ends, the last row holding
cells, and the patterns the sheet writer uses to edit a row still held as text.

This works on the plain form every common writer uses (unprefixed elements, each row and cell naming its
``r``, rows in order, no comments, CDATA or entities); anything else is parsed whole by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the start of a cell element in a row's XML
CELL_START = re.compile(rb"<c[\s>/]")
_SHEET_DATA = re.compile(rb"<sheetData\s*(?:/>|>)")
_ROW_START = re.compile(rb"<row[\s>/]")
_ROW_NUMBERED = re.compile(rb'<row\s[^>]*?\br="(\d+)"')
_CELL_NAMED = re.compile(rb'<c\s[^>]*?\br="[A-Z]{1,3}\d+"')
_CELL_FIRST_NAMED = re.compile(rb'<c r="[A-Z]{1,3}\d+"')
ROW_TAG = re.compile(rb"<row\b([^>]*?)(/?)>")
_ROW_FIRST_NUMBER = re.compile(rb'<row r="(\d+)"')
_FILLED_ROW = re.compile(rb'<row r="(\d+)"(?:[^>]*[^/>])?>\s*<c[\s>/]')
CELL_REF = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})\d+"')
SPANS = re.compile(rb'\sspans="(\d+):(\d+)"')
S_ATTR = re.compile(rb'\ss="(\d*)"')
#: a cell of inline text or a shared string in the form Excel and cin-xl write (the value read as it is)
SIMPLE_TEXT_CELL = re.compile(rb'<c r="[A-Z]+\d+"(?: s="\d+")? t="(inlineStr|s)"(?: s="\d+")?>'
                               rb'(?:<is><t(?: xml:space="preserve")?>|(<v>))([^<]*)(?(2)</v>|</t></is>)</c>')
FORMULA_START = re.compile(rb"<f[\s>/]")
HEIGHT_ATTRS = re.compile(rb'\s(?:ht|customHeight)="[^"]*"')
#: what the rows of a sheet in the plain form never hold
_NOT_PLAIN = re.compile(rb"<!--|<!\[CDATA\[|<\?|<!DOCTYPE|<!ENTITY")


@dataclass
class RowSpans:
    """A sheet part's rows as bytes: each row's XML by number, up to the next row (so with the text between)."""

    lead: bytes
    rows: dict[int, bytes]
    #: the part with an empty ``<sheetData/>`` in place of the rows
    rest: bytes


def _after_declaration(data: bytes) -> int:
    return data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0


def _cells_named(data: bytes, start: int, end: int) -> bool:
    """Every cell between ``start`` and ``end`` names its ``r``."""
    # the usual case, counted: each "<c" in a row starts a cell naming its r first (as Excel and openpyxl write)
    if data.count(b"<c", start, end) == len(_CELL_FIRST_NAMED.findall(data, start, end)):
        return True
    return len(CELL_START.findall(data, start, end)) == len(_CELL_NAMED.findall(data, start, end))


def attribute(name: str) -> re.Pattern[bytes]:
    found = _ATTRIBUTES.get(name)
    if found is None:
        found = _ATTRIBUTES[name] = re.compile(rb'\s' + name.encode() + rb'="([^"]*)"')
    return found


_ATTRIBUTES: dict[str, re.Pattern[bytes]] = {}


def last_filled_row(data: bytes) -> int | None:
    """The last row holding cells of a sheet part in the plain form (None: not that form)."""
    found = _SHEET_DATA.search(data)
    if found is None or _NOT_PLAIN.search(data, _after_declaration(data)):
        return None
    if found.group().endswith(b"/>"):
        return 0
    start, end = found.end(), data.find(b"</sheetData>", found.end())
    if end < 0 or data.count(b"<row", start, end) != data.count(b'<row r="', start, end):
        return None
    numbers = [int(n) for n in _ROW_FIRST_NUMBER.findall(data, start, end)]
    if any(a >= b for a, b in zip(numbers, numbers[1:])):
        return None  # rows out of order: the later of two with one number is the one (the slow way)
    # a row holds cells when a cell follows its start tag (a row's other child, extLst, comes last)
    return max((int(n) for n in _FILLED_ROW.findall(data, start, end)), default=0)


def row_spans(data: bytes) -> RowSpans | None:
    """The rows of a sheet part in the plain form every common writer uses (unprefixed elements, each
    row and cell naming its ``r``, rows in order, no comments, CDATA or entities), else None (then the
    part is parsed whole). Each row's span runs to the next row, so the text between rows is kept."""
    found = _SHEET_DATA.search(data)
    if found is None or _SHEET_DATA.search(data, found.end()) is not None or _NOT_PLAIN.search(
            data, _after_declaration(data)):
        return None
    if found.group().endswith(b"/>"):
        return RowSpans(b"", {}, data)
    start = found.end()
    end = data.find(b"</sheetData>", start)
    if end < 0 or data.find(b"</sheetData>", end + 1) >= 0:
        return None
    starts = [m.start() for m in _ROW_START.finditer(data, start, end)]
    numbered = list(_ROW_NUMBERED.finditer(data, start, end))
    if len(numbered) != len(starts) or [m.start() for m in numbered] != starts:
        return None
    if not _cells_named(data, start, end):
        return None
    rows = [int(m.group(1)) for m in numbered]
    if any(a >= b for a, b in zip(rows, rows[1:])):
        return None
    bounds = starts + [end]
    lead = data[start:starts[0]] if starts else data[start:end]
    rest = data[:found.start()] + b"<sheetData/>" + data[end + len(b"</sheetData>"):]
    return RowSpans(lead, {row: data[bounds[i]:bounds[i + 1]] for i, row in enumerate(rows)}, rest)
