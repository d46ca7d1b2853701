"""A worksheet part opened for reading single cells, indexed by row: its rows parsed only as they are asked
for when the part is in the plain form (:mod:`.row_text`), so that a sheet of 20,000 children is never all
parsed to read or mark a few cells. :class:`~.sheet.SheetPart` adds the edits."""

from __future__ import annotations

import re
from functools import cache
from typing import Protocol

from lxml import etree

from cin_xl.workbook.package.columns import column_index, column_letters, ref_of, split_ref
from cin_xl.workbook.package.ooxml import MAIN, WORKSHEET_ORDER, parser
from cin_xl.workbook.package.row_text import (
    CELL_START,
    FORMULA_START,
    ROW_TAG,
    S_ATTR,
    SIMPLE_TEXT_CELL,
    RowSpans,
    attribute,
)
from cin_xl.workbook.package.styles import Styles

_ROW, _C, _F = (f"{{{MAIN}}}{n}" for n in ("row", "c", "f"))
_DIGITS = "0123456789$"
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})[0-9]+"')


@cache
def _letters_bytes(index: int) -> bytes:
    return column_letters(index).encode("ascii")


class SheetOwner(Protocol):
    """What a sheet asks of the package it belongs to."""

    formulas_changed: bool

    @property
    def styles(self) -> Styles: ...

    def touch(self, name: str) -> None: ...

    def shared_strings(self) -> list[str]: ...

    def cell_value(self, c: etree._Element) -> object: ...


class SheetRows:
    """One worksheet's XML, indexed by row, for reading single cells."""

    def __init__(self, package: SheetOwner, name: str, part: str, root: etree._Element,
                 rows: RowSpans | None = None):
        """``root`` is the parsed part; with ``rows`` (see :func:`.row_text.row_spans`), its ``<sheetData>`` is
        empty and the rows stay bytes, each parsed only when asked for (a marked sheet of 20,000 children is
        mostly left as it was: never all parsed, and written back with the same bytes)."""
        self.package, self.name, self.part, self.root = package, name, part, root
        data = root.find(f"{{{MAIN}}}sheetData")
        if data is None:
            data = etree.Element(f"{{{MAIN}}}sheetData")
            self._place(data)
        self.data = data
        self._rows: dict[int, etree._Element] = {}
        self._keys: list[int] = []
        #: rows not parsed (the lazy form): row -> its XML
        self._spans: dict[int, bytes] = {}
        self._lead = b""
        self._wrapping: tuple[bytes, bytes] | None = None
        self._row_parser = parser()
        #: parent of the parsed rows in the lazy form (their order is that of ``_keys``, not of this element)
        self._holder: etree._Element | None = None
        if rows is not None:
            self._lead, self._spans = rows.lead, rows.rows
            self._keys = list(self._spans)
            self._holder = etree.Element(data.tag, nsmap=root.nsmap)
        self._bounds: list[int] | None = None  # min row, min col, max row, max col set here
        self._column_styles: dict[int, int] = {}
        if rows is not None:
            return
        last = 0
        for row in data.iterchildren(_ROW):
            r = row.get("r")
            n = int(r) if r else last + 1
            if not r:
                row.set("r", str(n))
            last = n
            self._rows[n] = row
        self._keys = sorted(self._rows)

    @property
    def lazy(self) -> bool:
        return self._holder is not None

    def _wrapper(self) -> tuple[etree._Element, bytes, bytes]:
        """An empty ``<sheetData>`` declaring the sheet's namespaces, with its start and end tags as text:
        rows parsed or written inside it need no declarations of their own."""
        wrapper = etree.Element(self.data.tag, nsmap=self.root.nsmap)
        if self._wrapping is None:
            head = etree.tostring(wrapper, encoding="unicode")[:-2] + ">"
            end = f"</{head[1:].split(' ', 1)[0].rstrip('>')}>"
            self._wrapping = head.encode("utf-8"), end.encode("utf-8")
        return wrapper, *self._wrapping

    def _element(self, row: int) -> etree._Element | None:
        el = self._rows.get(row)
        if el is None and row in self._spans:
            text = self._spans.pop(row)
            head, tail = self._wrapping or self._wrapper()[1:]
            parsed = etree.fromstring(head + text + tail, self._row_parser)
            el = parsed[0]
            self._holder.append(el)  # type: ignore[union-attr]  # with its tail (the text up to the next row)
            self._rows[row] = el
        return el

    def _surely_without(self, row: int, col: int) -> bool:
        """True when the row is still bytes and holds no cell at ``col`` (every cell there names its ``r``)."""
        text = self._spans.get(row)
        return text is not None and b'r="%s%d"' % (_letters_bytes(col), row) not in text

    def rows_xml(self) -> bytes:
        """The sheet part's XML in the lazy form: the parsed part with the rows put into ``<sheetData>``."""
        body = etree.tostring(self.root, encoding="UTF-8", xml_declaration=False)
        before, sep, after = body.partition(b"<sheetData/>")
        if not sep:
            raise ValueError("the sheet's rows have no place")  # cannot happen: checked when opened
        if not self._keys and not self._lead:
            return body
        wrapper, head, tail = self._wrapper()
        parts = [before, b"<sheetData>", self._lead]
        for row in self._keys:
            text = self._spans.get(row)
            if text is not None:
                parts.append(text)
                continue
            el = self._rows[row]
            wrapper.append(el)
            text = etree.tostring(wrapper, encoding="UTF-8")
            parts.append(text[len(head):-len(tail)])
            self._holder.append(el)  # type: ignore[union-attr]
        parts += [b"</sheetData>", after]
        return b"".join(parts)

    def _place(self, el: etree._Element) -> None:
        """Insert a worksheet child in its schema position (after the last of those that come before it)."""
        name = etree.QName(el).localname
        after = WORKSHEET_ORDER[:WORKSHEET_ORDER.index(name) + 1]
        prev = None
        for child in self.root:
            if isinstance(child.tag, str) and etree.QName(child).localname in after:
                prev = child
        if prev is None:
            self.root.insert(0, el)
        else:
            prev.addnext(el)

    # -- reading ---------------------------------------------------------------------------

    def rows(self) -> list[int]:
        return list(self._keys)

    def row_element(self, row: int) -> etree._Element | None:
        return self._element(row)

    def filled_rows(self) -> list[int]:
        """The rows holding cells (a row still bytes is not parsed for this)."""
        out = []
        for n in self._keys:
            text = self._spans.get(n)
            if text is not None:
                if CELL_START.search(text):
                    out.append(n)
            elif len(self._rows[n]):
                out.append(n)
        return out

    def _number_cells(self, el: etree._Element, row: int) -> None:
        """Give every cell of a row its ``r`` (a cell without one follows the previous cell)."""
        last = 0
        for c in el.iterchildren(_C):
            r = c.get("r")
            last = column_index(r.rstrip(_DIGITS).lstrip("$")) if r else last + 1
            if not r:
                c.set("r", ref_of(row, last))

    def _locate(self, row: int, col: int) -> tuple[etree._Element | None, etree._Element | None]:
        """(the cell at ``col`` or None, the first cell right of it or None), scanning from the row's end
        (the mark columns are the last ones, so this is one or two steps)."""
        el = self._element(row)
        if el is None:
            return None, None
        following = None
        for c in el.iterchildren(_C, reversed=True):
            r = c.get("r")
            if r is None:
                self._number_cells(el, row)
                return self._locate(row, col)
            k = column_index(r.rstrip(_DIGITS).lstrip("$"))
            if k == col:
                return c, following
            if k < col:
                break
            following = c
        return None, following

    def _row_cells(self, row: int) -> dict[int, etree._Element]:
        el = self._element(row)
        if el is None:
            return {}
        self._number_cells(el, row)
        return {column_index(c.get("r").rstrip(_DIGITS).lstrip("$")): c for c in el.iterchildren(_C)}

    def cell(self, ref: str) -> etree._Element | None:
        row, col = split_ref(ref)
        return self.cell_at(row, col)

    def cell_at(self, row: int, col: int) -> etree._Element | None:
        """The cell element (for reading: a row still held as text gives a copy of its cell)."""
        if row in self._spans:
            if self._surely_without(row, col):
                return None  # nothing to find, and the row keeps its bytes
            found = self._cell_in_text(row, col)
            if found is not None:
                text, start, end, _ = found
                head, tail = self._wrapping or self._wrapper()[1:]
                return etree.fromstring(head + text[start:end] + tail, self._row_parser)[0]
        return self._locate(row, col)[0]

    def has_row(self, row: int) -> bool:
        return row in self._rows or row in self._spans

    def _cell_in_text(self, row: int, col: int) -> tuple[bytes, int, int, int] | None:
        """(the row's text, start and end of the cell's XML in it, end of its start tag), for a cell written
        with its ``r`` first (a cell holds no ``<`` but its own elements'); None when not found so."""
        text = self._spans[row]
        key = f'<c r="{ref_of(row, col)}"'.encode()
        start = text.find(key)
        if start < 0 or text.find(key, start + 1) >= 0:
            return None
        close = text.find(b">", start)
        if close < 0:
            return None
        end = close + 1 if text[close - 1:close] == b"/" else text.find(b"</c>", close) + 4
        if end < close:
            return None
        return text, start, end, close

    def value(self, ref: str) -> object:
        """The value of a cell as it is stored: text, number, bool, or None when blank."""
        return self.value_at(*split_ref(ref))

    def value_at(self, row: int, col: int) -> object:
        if row in self._spans:
            if self._surely_without(row, col):
                return None
            found = self._cell_in_text(row, col)
            if found is not None:
                simple = SIMPLE_TEXT_CELL.fullmatch(found[0], found[1], found[2])
                if simple is not None and (simple.group(1) == b"inlineStr") == (simple.group(2) is None) and (
                        b"&#" not in simple.group(3)) and (simple.group(2) is None or simple.group(3).isdigit()):
                    text = simple.group(3).decode("utf-8")
                    if "&" in text:
                        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
                            "&apos;", "'").replace("&amp;", "&")
                    if simple.group(1) == b"inlineStr":
                        return text
                    strings = self.package.shared_strings()  # a shared string: its number
                    i = int(text)
                    return strings[i] if 0 <= i < len(strings) else ""
        c = self.cell_at(row, col)
        return None if c is None else self.package.cell_value(c)

    def has_formula(self, row: int, col: int) -> bool:
        if row in self._spans:
            if self._surely_without(row, col):
                return False
            found = self._cell_in_text(row, col)
            if found is not None:
                return FORMULA_START.search(found[0], found[1], found[2]) is not None
        c = self.cell_at(row, col)
        return c is not None and c.find(_F) is not None

    def cell_columns(self, row: int) -> list[int]:
        """The columns of the row's cells, blank or not (a row still bytes is searched, not parsed, when
        each of its cells names its ``r`` first)."""
        text = self._spans.get(row)
        if text is not None:
            refs = _CELL_REF.findall(text)
            if len(refs) == len(CELL_START.findall(text)):
                return [column_index(letters.decode("ascii")) for letters in refs]
        return list(self._row_cells(row))

    def used_columns(self, row: int) -> list[int]:
        return [col for col, c in self._row_cells(row).items() if self.package.cell_value(c) not in (None, "")]

    def last_column(self) -> int:
        """The rightmost column holding a value in any row."""
        last = 0
        for row in self._keys:
            cols = self.used_columns(row)
            if cols:
                last = max(last, max(cols))
        return last

    def column_style(self, col: int) -> int:
        styles = self._column_styles
        if col not in styles:  # remembered: asked once per marked row; set_column forgets
            styles[col] = 0
            cols = self.root.find(f"{{{MAIN}}}cols")
            if cols is not None:
                for c in cols:
                    if int(c.get("min", "0")) <= col <= int(c.get("max", "0")):
                        styles[col] = int(c.get("style", "0"))
                        break
        return styles[col]

    def style_of(self, ref: str) -> int:
        """The cell format a cell shows with: its own, else its column's."""
        row, col = split_ref(ref)
        if row in self._spans:
            if self._surely_without(row, col):
                return self.column_style(col)
            found = self._cell_in_text(row, col)
            if found is not None:
                text, start, _, close = found
                own = S_ATTR.search(text, start, close)
                if own is not None and own.group(1):
                    return int(own.group(1))
                if b" s=" not in text[start:close]:
                    return self.column_style(col)
        c = self.cell(ref)
        if c is not None and c.get("s"):
            return int(c.get("s"))
        return self.column_style(split_ref(ref)[1])

    def row_attribute(self, row: int, name: str) -> str | None:
        """An attribute of a row element (``ht``, ``customHeight``...), None when it has none or is not there."""
        text = self._spans.get(row)
        if text is not None:
            tag = ROW_TAG.match(text)
            if tag is not None and b"'" not in tag.group(1):
                found = attribute(name).search(tag.group(1))
                return None if found is None else found.group(1).decode()
        el = self._element(row)
        return None if el is None else el.get(name)


__all__ = ["SheetRows", "SheetOwner"]
