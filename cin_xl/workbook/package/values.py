"""A cell's value as a workbook part holds it: text with OOXML's escapes, dates as day numbers, numbers as
Excel writes them, and the XML of a whole cell.

Text is always written as an inline string (``t="inlineStr"``), so it is never a formula, whatever it starts
with; a formula the tool itself writes (a HYPERLINK) is a :class:`Formula`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time

#: characters XML 1.0 cannot hold; OOXML writes them as _xHHHH_
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOOKS_ESCAPED = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")  # a look-ahead: "_x005F_x0041_" has two
_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Formula:
    """A formula the tool itself writes (such as a HYPERLINK), with its cached result."""

    text: str  # without the leading "="
    cached: str | None = None


Value = None | str | bool | int | float | datetime | date | Formula



def excel_text(text: str) -> str:
    """``text`` as a cell's XML string holds it: control characters as OOXML's ``_xHHHH_``, and text
    that already looks like such an escape with its ``_`` escaped (``_x005F_``), as Excel does, so that
    it reads back as typed rather than as the character it names."""
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub("_x005F_", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


#: days from the 1900 date system's day 0 to the 1904 system's (a workbook saying ``date1904``)
DAYS_1900_TO_1904 = 1462


def serial(value: datetime | date, date1904: bool = False) -> float:
    """Excel's day number for a date or date and time (1900 date system, or 1904 with ``date1904``)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    delta = value.replace(tzinfo=None) - _EPOCH
    return delta.days - (DAYS_1900_TO_1904 if date1904 else 0) + delta.seconds / 86400


def number_text(value: float | int) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a number Excel cannot store")
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _escape(text: str) -> str:
    # as lxml writes text: & < > escaped; a carriage return as a reference, else the parser would drop it
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def cell_xml(ref: str, style: str | None, value: Value) -> str:
    """The XML of one cell as :meth:`SheetPart._fill` builds it (attributes r, s, t in that order)."""
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, Formula):
        cached = "" if value.cached is None else f"<v>{_escape(excel_text(value.cached))}</v>"
        return f'<c r="{ref}"{s} t="str"><f>{_escape(excel_text(value.text))}</f>{cached}</c>'
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(excel_text(value))}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{"1" if value else "0"}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{number_text(value)}</v></c>'
    if isinstance(value, (datetime, date)):
        return f'<c r="{ref}"{s}><v>{number_text(serial(value))}</v></c>'
    raise TypeError(f"cannot write a {type(value).__name__} into a cell")



__all__ = ["Formula", "Value", "excel_text", "serial", "DAYS_1900_TO_1904", "number_text", "cell_xml"]
