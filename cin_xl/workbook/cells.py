"""Single values in workbook cells: what the reader accepts, and what the writer puts in a cell.

Reading (:func:`read_value`, :func:`read_codes`). A cell value arrives as openpyxl or xlwings give
it: ``datetime`` for a date cell, ``float`` (or ``int``) for a number, ``bool``, ``str``, or
``None`` for a blank. What is normalised, exactly:

- blank cells and text that is only spaces are blank (``None``; an empty list for many-valued
  items); text has its surrounding spaces removed before anything else;
- text items: a whole number (``12345.0``, as Excel stores a typed ID) becomes ``"12345"``; other
  numbers their shortest text (``"2.5"``); a date cell its ISO text;
- codes: upper-cased (``wbri`` -> ``WBRI``), a dropdown choice "code - label" (hyphen or dash)
  becomes the code (``"1A - Individual: family member"`` -> ``"1A"``), a whole number becomes
  its digits (``4.0`` -> ``"4"``); each only when the result is a code of the item's code set (in
  any year). Anything else is kept as typed;
- many-valued codes (one cell): codes separated by commas, semicolons or line breaks; pieces
  normalised as above; a piece made only of valid codes separated by spaces is split too;
- dates: a date cell (its time of day is dropped); text ``YYYY-MM-DD`` (optionally with a
  midnight time), ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy`` or ``dd.mm.yyyy`` (day first,
  four-digit year), or the day, the month's name and the year ("6 August 2024", "6th August 2024",
  "30 Jan 2012"). A number in a date column is *not* taken as an Excel day number; a two-digit year
  or a run of eight digits is not guessed (validation says why);
- date and time: a date-and-time cell (rounded to the second), a date cell (midnight), ISO
  text, or ``dd/mm/yyyy hh:mm[:ss]``;
- yes/no: ``TRUE``/``FALSE`` cells, the numbers 1 and 0, the text yes/no, y/n, true/false, 1/0
  (any case);
- whole numbers: a number cell holding a whole number, or text of digits (``"3"``, ``"3.0"``).

Anything that cannot be read this way is kept as the text typed (surrounding spaces removed), so
validation flags it, export shows it, and importing the XML puts it back in its cell.

Writing (:func:`cell_value`): dates as real dates, yes/no as "Yes"/"No", numbers as numbers,
many-valued codes joined with ", ", and every text as text, never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import cache

from cin_xl.census.spec import CODE_SETS, Item, Kind
from cin_xl.safety.text_guard import looks_like_formula
from cin_xl.workbook.package.read import FormulaWithoutValue as FormulaWithoutValue  # the reader gives it

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
#: "6 August 2024", "6th Aug 2024", "30-Jan-2012", "1 Sept. 2020"
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?,?[\s-]+(\d{4})$", re.I)
_MONTHS = {name: n for n, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
     ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), start=1) for name in names}
_DMY_TIME = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_INT_TEXT = re.compile(r"^[+-]?\d+(?:\.0+)?$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_SEPARATORS = re.compile(r"[,;\r\n]+")
_CODE_LABEL = re.compile(r"^(\S+?)\s*[-\u2013\u2014]\s+\S")


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def as_text(raw: object) -> str:
    """The text a cell shows, for keeping what could not be read."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def _date(text: str) -> date | None:
    m = _ISO.match(text)
    try:
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DMY.match(text)
        if m:
            return date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
        m = _DAY_MONTH_NAME.match(text)
        if m and m.group(2).lower() in _MONTHS:
            return date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None
    return None


def _round_second(value: datetime) -> datetime:
    if value.microsecond:
        value = value.replace(microsecond=0) + (timedelta(seconds=1) if value.microsecond >= 500_000 else
                                                timedelta(0))
    return value


def _datetime(text: str) -> datetime | None:
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", text):
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    m = _DMY_TIME.match(text)
    if m:
        try:
            return datetime(int(m.group(3)), int(m.group(2)), int(m.group(1)), int(m.group(4)), int(m.group(5)),
                            int(m.group(6) or 0))
        except ValueError:
            return None
    return None


@cache
def _known_codes(codeset: str) -> frozenset[str]:
    return frozenset(c.code for c in CODE_SETS[codeset].codes)


@cache
def _code_label_pattern(codeset: str) -> re.Pattern[str]:
    """Matches "code - label" for any code of the set with its full label (labels may hold commas)."""
    pairs = sorted(((c.code, c.label) for c in CODE_SETS[codeset].codes if c.label), key=lambda p: -len(p[1]))
    if not pairs:
        return re.compile(r"(?!)")  # codes without labels: nothing to match
    alts = "|".join(rf"{re.escape(code)}\s*[-\u2013\u2014]\s*{re.escape(label)}" for code, label in pairs)
    return re.compile(rf"(?i)(?<![A-Za-z0-9])(?:{alts})")


def read_code(item: Item, raw: object) -> str | None:
    """One code, normalised as the module docstring says; otherwise the text as typed."""
    if is_blank(raw):
        return None
    text = as_text(raw)
    if item.codeset is None:
        return text
    known = _known_codes(item.codeset)
    candidate = text.upper()
    if candidate in known:
        return candidate
    m = _CODE_LABEL.match(text)
    if m and m.group(1).upper() in known:
        return m.group(1).upper()
    return text


def read_codes(item: Item, raw: object) -> list[str]:
    """A cell of many codes: "MOB, LD", "3B - Domestic abuse: ...; 4B", "MOB LD"."""
    if is_blank(raw):
        return []
    text = as_text(raw)
    if item.codeset is None:
        return [p.strip() for p in _SEPARATORS.split(text) if p.strip()]
    known = _known_codes(item.codeset)
    if "-" in text or "\u2013" in text or "\u2014" in text:  # "code - label" needs a dash: most cells have none
        text = _code_label_pattern(item.codeset).sub(lambda m: re.split(r"\s*[-\u2013\u2014]", m.group(0))[0], text)
    out: list[str] = []
    for piece in _SEPARATORS.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if piece in known:  # a code as it is (what read_code would give)
            out.append(piece)
            continue
        code = read_code(item, piece)
        if code in known:
            out.append(code)
            continue
        words = piece.upper().split()
        if len(words) > 1 and all(w in known for w in words):
            out.extend(words)
        else:
            out.append(piece)
    return out


def value_reader(item: Item) -> Callable[[object], object]:
    """:func:`read_value` for one item, with the common cells (a known code, a date, plain text) read
    without the general dispatch: the reader asks once per filled cell, hundreds of thousands of times."""
    kind = item.kind

    def general(raw: object) -> object:
        return read_value(item, raw)

    if kind is Kind.CODE and item.codeset is not None:
        known = _known_codes(item.codeset)

        def code(raw: object) -> object:
            return raw if raw.__class__ is str and raw in known else read_value(item, raw)
        return code
    if kind is Kind.DATE:
        def day(raw: object) -> object:
            if raw.__class__ is datetime:  # the exact class, as openpyxl gives it (not a subclass)
                return raw.date()
            return raw if raw.__class__ is date else read_value(item, raw)
        return day
    if kind is Kind.TEXT:
        def text(raw: object) -> object:
            if raw.__class__ is str:
                stripped = raw.strip()
                return stripped or None
            return read_value(item, raw)
        return text
    return general


def read_value(item: Item, raw: object) -> object:
    """One cell value of a single-valued item, read as the module docstring says."""
    if is_blank(raw):
        return None
    kind = item.kind
    if kind is Kind.CODE:
        return read_code(item, raw)
    if kind is Kind.TEXT:
        return as_text(raw)
    if kind is Kind.DATE:
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            return _date(raw.strip()) or raw.strip()
        return as_text(raw)
    if kind is Kind.DATETIME:
        if isinstance(raw, datetime):
            return _round_second(raw)
        if isinstance(raw, date):
            return datetime(raw.year, raw.month, raw.day)
        if isinstance(raw, str):
            text = raw.strip()
            found = _datetime(text)
            if found is None and (day := _date(text)) is not None:
                found = datetime(day.year, day.month, day.day)
            return found or text
        return as_text(raw)
    if kind is Kind.BOOL:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        text = as_text(raw)
        low = text.casefold()
        return True if low in _TRUE else False if low in _FALSE else text
    if kind is Kind.INT:
        if isinstance(raw, bool):
            return as_text(raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = as_text(raw)
        if _INT_TEXT.match(text):
            return int(float(text)) if "." in text else int(text)
        return text
    return as_text(raw)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
TEXT_FORMAT = "@"


def cell_value(item: Item, value: object) -> object:
    """What goes in the cell for a model value (a list for a one-cell many-valued item)."""
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None) or None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return value.isoformat() if value.tzinfo is not None else value.replace(microsecond=0)
    return value


#: Excel's error values: a cell holding text equal to one would be stored as that error, not as text
ERROR_VALUES = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})


def needs_text_guard(value: object) -> bool:
    """True for text Excel would not keep as the text typed: a formula (see :mod:`cin_xl.safety.text_guard`) or
    an error value such as ``#N/A``. Such text is written as a text cell with a quote prefix."""
    return looks_like_formula(value) or (value.__class__ is str and value in ERROR_VALUES)
