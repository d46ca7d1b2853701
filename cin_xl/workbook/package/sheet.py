"""One worksheet part being written: cells set one by one or rows appended, the rest of its XML kept as it was.

A sheet in the plain form (:mod:`.row_text`) keeps its rows as bytes and parses a row only when an edit
needs it (:class:`~.sheet_rows.SheetRows`); the common edits of annotate (a mark in the last columns, an
Issues row written again, a row's height) are made in the text itself.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from lxml import etree

from cin_xl.safety.text_guard import looks_like_formula
from cin_xl.workbook.package.columns import column_index, ref_of, split_ref
from cin_xl.workbook.package.ooxml import MAIN, XML_NS, parser
from cin_xl.workbook.package.row_text import (
    CELL_REF,
    CELL_START,
    FORMULA_START,
    HEIGHT_ATTRS,
    ROW_TAG,
    S_ATTR,
    SPANS,
    attribute,
)
from cin_xl.workbook.package.sheet_rows import SheetOwner, SheetRows
from cin_xl.workbook.package.values import Formula, Value, cell_xml, excel_text, number_text, serial

_ROW, _C, _V, _F, _IS, _T = (f"{{{MAIN}}}{n}" for n in ("row", "c", "v", "f", "is", "t"))
#: attributes of a row that say nothing of its own (no height, no style)
_PLAIN_ROW = {"r", "spans", "{http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac}dyDescent"}


class SheetPart(SheetRows):
    """One worksheet's XML, indexed by row, for reading and setting single cells."""

    def _row(self, row: int) -> etree._Element:
        el = self._element(row)
        if el is not None:
            return el
        if self._holder is not None:
            el = etree.SubElement(self._holder, _ROW, r=str(row))
            bisect.insort(self._keys, row)
            self._rows[row] = el
            return el
        el = etree.Element(_ROW, r=str(row))

        i = bisect.bisect(self._keys, row)
        if i < len(self._keys):
            self._rows[self._keys[i]].addprevious(el)
        else:
            self.data.append(el)
        self._keys.insert(i, row)
        self._rows[row] = el
        return el

    def set(self, ref: str, value: Value, style: int | None = None) -> None:
        """Set one cell: its value (None: blank) and, if given, its cell format; other cells stay as they are."""
        row, col = split_ref(ref)
        if row in self._spans and self._set_in_text(row, col, value, style):
            return
        ref = ref_of(row, col)
        c, following = self._locate(row, col)
        keep = c.get("s") if c is not None else None
        s = str(style) if style is not None else keep
        if value is None or value == "":
            if c is None:
                if not s or s == "0":
                    return
            elif not s or s == "0":
                if c.find(_F) is not None:
                    self.package.formulas_changed = True
                c.getparent().remove(c)
                self.package.touch(self.part)
                return
        if c is None:
            row_el = self._row(row)
            c = etree.Element(_C)
            if following is None:
                row_el.append(c)
            else:
                following.addprevious(c)
            self._widen_spans(row_el, col)
        else:
            if c.find(_F) is not None:
                self.package.formulas_changed = True
            for child in list(c):
                c.remove(child)
            c.attrib.clear()
        c.set("r", ref)
        if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        if s and s != "0":
            c.set("s", s)
        self._fill(c, value)
        self._extend(row, col)
        self.package.touch(self.part)

    def add_row(self, row: int, cells: Iterable[tuple[int, Value, int | None]]) -> None:
        """Fill a row that has no element yet: (column, value, cell format or None) each, as :meth:`set`
        would one by one, without looking each cell up (the Issues sheet's many new rows)."""
        if row in self._rows or row in self._spans:
            raise ValueError(f"row {row} is already there")
        row_el = None
        written = []
        for col, value, s in sorted(self._formats(cells), key=lambda cell: cell[0]):
            if (value is None or value == "") and (not s or s == "0"):
                continue
            if row_el is None:
                row_el = self._row(row)
            c = etree.SubElement(row_el, _C, r=ref_of(row, col))
            if s and s != "0":
                c.set("s", s)
            self._fill(c, value)
            written.append(col)
        if written:
            self._extend(row, written[0])
            self._extend(row, written[-1])
            self.package.touch(self.part)

    def _formats(self, cells: Iterable[tuple[int, Value, int | None]]) -> list[tuple[int, Value, str | None]]:
        """(column, value, cell format as set() would give it to a new cell), in the order given (a format
        added to the styles gets the same number as cell-by-cell)."""
        out = []
        for col, value, style in cells:
            s = str(style) if style is not None else None
            if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
                s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
            out.append((col, value, s))
        return out

    def _cells_xml(self, row: int, cells: Iterable[tuple[int, Value, int | None]]) -> tuple[list[str], list[int]]:
        """The XML of a row's cells in column order, and their columns; a blank cell without a format is
        left out."""
        texts: list[str] = []
        written: list[int] = []
        for col, value, s in sorted(self._formats(cells), key=lambda cell: cell[0]):
            if (value is None or value == "") and (not s or s == "0"):
                continue
            texts.append(cell_xml(ref_of(row, col), s if s and s != "0" else None, value))
            written.append(col)
        return texts, written

    def append_rows(self, rows: Sequence[tuple[int, Sequence[tuple[int, Value, int | None]]]]) -> None:
        """:meth:`add_row` for many rows below the last one there, in ascending order: their XML is
        written as text and parsed in one go (the same elements, a tenth of the calls)."""
        if self.root.nsmap.get(None) != MAIN:  # main namespace with a prefix: the rows are made one by one
            for row, cells in rows:
                self.add_row(row, cells)
            return
        if not rows:
            return
        if (self._keys and rows[0][0] <= self._keys[-1]) or any(a[0] >= b[0] for a, b in zip(rows, rows[1:])):
            raise ValueError("rows to append must follow the sheet's last row, in order")
        parts: list[str] = []
        spans = []  # (row, first column, last column) of each row with cells
        for row, cells in rows:
            texts, written = self._cells_xml(row, cells)
            if written:
                parts.append(f'<row r="{row}">{"".join(texts)}</row>')
                spans.append((row, written[0], written[-1]))
        if not parts:
            return
        if self._holder is not None:  # the lazy form: the rows stay text, as the rows read do
            for text, (row, lo, hi) in zip(parts, spans):
                self._spans[row] = text.encode("utf-8")
                self._keys.append(row)
                self._extend(row, lo)
                self._extend(row, hi)
            self.package.touch(self.part)
            return
        # declared as on the sheet's root, so the rows moved into it need no declarations of their own
        wrapper = etree.Element(self.data.tag, nsmap=self.root.nsmap)
        head = etree.tostring(wrapper, encoding="unicode")[:-2] + ">"
        end = f"</{head[1:].split(' ', 1)[0].rstrip('>')}>"
        parsed = etree.fromstring((head + "".join(parts) + end).encode("utf-8"), parser())
        for el, (row, lo, hi) in zip(list(parsed), spans):
            self.data.append(el)
            self._keys.append(row)
            self._rows[row] = el
            self._extend(row, lo)
            self._extend(row, hi)
        self.package.touch(self.part)

    @staticmethod
    def _fill(c: etree._Element, value: Value) -> None:
        if value is None or value == "":
            return
        if isinstance(value, Formula):
            c.set("t", "str")
            etree.SubElement(c, _F).text = excel_text(value.text)
            if value.cached is not None:
                etree.SubElement(c, _V).text = excel_text(value.cached)
        elif isinstance(value, str):
            c.set("t", "inlineStr")  # text, never a formula, whatever it starts with
            t = etree.SubElement(etree.SubElement(c, _IS), _T)
            t.text = excel_text(value)
            if value != value.strip() or "\n" in value:
                t.set(f"{{{XML_NS}}}space", "preserve")
        elif isinstance(value, bool):
            c.set("t", "b")
            etree.SubElement(c, _V).text = "1" if value else "0"
        elif isinstance(value, (int, float)):
            etree.SubElement(c, _V).text = number_text(value)
        elif isinstance(value, (datetime, date)):
            etree.SubElement(c, _V).text = number_text(serial(value))
        else:
            raise TypeError(f"cannot write a {type(value).__name__} into a cell")

    @staticmethod
    def _widen_spans(row_el: etree._Element, col: int) -> None:
        spans = row_el.get("spans")
        if spans and ":" in spans and " " not in spans:
            lo, hi = (int(x) for x in spans.split(":"))
            if not lo <= col <= hi:
                row_el.set("spans", f"{min(lo, col)}:{max(hi, col)}")

    def _extend(self, row: int, col: int) -> None:
        b = self._bounds
        if b is None:
            self._bounds = [row, col, row, col]
        else:
            b[0], b[1], b[2], b[3] = min(b[0], row), min(b[1], col), max(b[2], row), max(b[3], col)

    def add_conditional_format(self, sqref: str, rules: list[tuple[str, int]]) -> None:
        """Add expression rules (formula, dxf index) over ``sqref``, after the sheet's own rules."""
        cf_tag = f"{{{MAIN}}}conditionalFormatting"
        priorities = [int(r.get("priority", "0")) for r in self.root.iter(f"{{{MAIN}}}cfRule")]
        priority = max(priorities, default=0)
        cf = etree.Element(cf_tag, sqref=sqref)
        for formula, dxf in rules:
            priority += 1
            rule = etree.SubElement(cf, f"{{{MAIN}}}cfRule", type="expression", dxfId=str(dxf),
                                    priority=str(priority), stopIfTrue="1")
            etree.SubElement(rule, f"{{{MAIN}}}formula").text = formula
        self._place(cf)
        self.package.touch(self.part)

    # -- a row still held as text (the lazy form): the common edits without parsing it ------------

    def _set_in_text(self, row: int, col: int, value: Value, style: int | None) -> bool:
        """:meth:`set` on a row still held as text, for a cell that is there (a mark written before) or that
        goes right of every cell of the row (a new mark): the cell's XML is written in as :meth:`set` would
        make it. False when the row must be parsed for it."""
        if not self._surely_without(row, col):
            return self._replace_in_text(row, col, value, style)
        if value is None or value == "":
            return style is None or str(style) == "0"  # nothing there and nothing to write: done
        text = self._spans[row]
        tag = ROW_TAG.match(text)
        last = text.rfind(b"<c ")
        found = CELL_REF.match(text, last) if last >= 0 else None
        if tag is None or b"'" in tag.group(1) or (last >= 0 and (
                found is None or column_index(found.group(1).decode()) >= col)):
            return False
        s = str(style) if style is not None else None
        if looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        cell = cell_xml(ref_of(row, col), s if s and s != "0" else None, value).encode("utf-8")
        attrs = tag.group(1)
        spans = SPANS.search(attrs)
        if spans is not None:
            lo, hi = int(spans.group(1)), int(spans.group(2))
            if not lo <= col <= hi:
                attrs = attrs[:spans.start()] + f' spans="{min(lo, col)}:{max(hi, col)}"'.encode() + attrs[spans.end():]
        if tag.group(2):  # <row .../>: the row had no cells
            rest = text[tag.end():]
            self._spans[row] = b"<row" + attrs + b">" + cell + b"</row>" + rest
        else:
            end = text.rfind(b"</row>")
            self._spans[row] = b"<row" + attrs + b">" + text[tag.end():end] + cell + text[end:]
        self._extend(row, col)
        self.package.touch(self.part)
        return True

    def _replace_in_text(self, row: int, col: int, value: Value, style: int | None) -> bool:
        """:meth:`_set_in_text` for a cell that is there (its XML is the text from ``<c r="REF"`` to its end:
        a cell holds no ``<`` but its own elements')."""
        found = self._cell_in_text(row, col)
        if found is None:
            return False
        text, start, end, close = found
        ref = ref_of(row, col)
        old = text[start:end]
        keep = S_ATTR.search(text, start, close)
        if keep is None and b" s=" in text[start:close]:
            return False
        s = str(style) if style is not None else (keep.group(1).decode() if keep else None)
        had_formula = FORMULA_START.search(old) is not None
        if value is None or value == "":
            if not s or s == "0":
                self.package.formulas_changed |= had_formula
                self._spans[row] = text[:start] + text[end:]
                self.package.touch(self.part)
                return True
        elif looks_like_formula(value):  # stored as text already; the quote prefix keeps it text when edited
            s = str(self.package.styles.derive(int(s or 0), quote_prefix=True))
        self.package.formulas_changed |= had_formula
        cell = cell_xml(ref, s if s and s != "0" else None, value).encode("utf-8")
        self._spans[row] = text[:start] + cell + text[end:]
        self._extend(row, col)
        self.package.touch(self.part)
        return True

    def rewrite_cells(self, row: int, cells: Sequence[tuple[int, Value, int | None]]) -> bool:
        """:meth:`set` of each of ``cells`` (column, value, cell format) in a row still held as text whose
        cells are all in those columns (a row of the Issues sheet written before): the row's cells are
        written anew. False (nothing done) when the row is not so."""
        text = self._spans.get(row)
        if text is None:
            return False
        tag = ROW_TAG.match(text)
        if tag is None or b"'" in tag.group(1):
            return False
        columns = {col for col, _, _ in cells}
        for found in CELL_START.finditer(text):
            ref = CELL_REF.match(text, found.start())
            if ref is None or column_index(ref.group(1).decode()) not in columns:
                return False
        parts, written = self._cells_xml(row, cells)
        attrs = tag.group(1)
        spans = SPANS.search(attrs)
        if spans is not None and written:
            lo, hi = int(spans.group(1)), int(spans.group(2))
            lo, hi = min(lo, written[0]), max(hi, written[-1])
            attrs = attrs[:spans.start()] + f' spans="{lo}:{hi}"'.encode() + attrs[spans.end():]
        if FORMULA_START.search(text):
            self.package.formulas_changed = True
        end = len(text) if tag.group(2) else text.rfind(b"</row>") + len(b"</row>")
        body = "".join(parts).encode("utf-8")
        self._spans[row] = b"<row" + attrs + b">" + body + b"</row>" + text[end:]
        for col in written:
            self._extend(row, col)
        self.package.touch(self.part)
        return True

    def _height_in_text(self, row: int, height: float | None) -> bool:
        """:meth:`set_row_height` on a row still held as text; False when it must be parsed for it."""
        text = self._spans[row]
        tag = ROW_TAG.match(text)
        if tag is None or b"'" in tag.group(1):
            return False
        attrs = tag.group(1)
        if height is None:
            kept = HEIGHT_ATTRS.sub(b"", attrs)
            if kept != attrs:
                self._spans[row] = b"<row" + kept + text[tag.end(1):]
                self.package.touch(self.part)
            return True
        new = attrs
        for name, value in (("ht", number_text(float(height)).encode()), ("customHeight", b"1")):
            found = attribute(name).search(new)
            if found is None:  # a new attribute goes last, as lxml puts it
                new += b" " + name.encode() + b'="' + value + b'"'
            elif found.group(1) != value:
                new = new[:found.start(1)] + value + new[found.end(1):]
        if new != attrs:
            self._spans[row] = b"<row" + new + text[tag.end(1):]
            self.package.touch(self.part)
        return True

    def set_row_height(self, row: int, height: float | None) -> None:
        """Give a row a fixed height in points, or (None) let it take the default height again."""
        if row in self._spans and self._height_in_text(row, height):
            return
        el = self._row(row) if height is not None else self._element(row)
        if el is None:
            return
        if height is None:
            if "ht" in el.attrib or "customHeight" in el.attrib:
                el.attrib.pop("ht", None)
                el.attrib.pop("customHeight", None)
                self.package.touch(self.part)
            return
        text = number_text(float(height))
        if el.get("ht") != text or el.get("customHeight") != "1":
            el.set("ht", text)
            el.set("customHeight", "1")
            self.package.touch(self.part)

    def set_column(self, col: int, *, width: float | None = None, hidden: bool | None = None,
                   at_least: bool = False) -> None:
        """Width (characters) or hidden state of one column; a ``<col>`` range covering others is split."""
        self._column_styles.clear()
        cols = self.root.find(f"{{{MAIN}}}cols")
        if cols is None:
            cols = etree.Element(f"{{{MAIN}}}cols")
            self._place(cols)
        target = None
        for c in list(cols):
            lo, hi = int(c.get("min", "0")), int(c.get("max", "0"))
            if not lo <= col <= hi:
                continue
            if lo == hi:
                target = c
                break
            parts = [(lo, col - 1), (col, col), (col + 1, hi)]
            for a, b in parts:
                if a > b:
                    continue
                piece = copy.deepcopy(c)
                piece.set("min", str(a))
                piece.set("max", str(b))
                c.addprevious(piece)
                if a == col:
                    target = piece
            cols.remove(c)
            break
        if target is None:
            target = etree.Element(f"{{{MAIN}}}col", min=str(col), max=str(col))
            following = next((c for c in cols if int(c.get("min", "0")) > col), None)
            if following is None:
                cols.append(target)
            else:
                following.addprevious(target)
            if width is None:
                target.set("width", "9.140625")
        if width is not None:
            current = float(target.get("width", "0") or 0)
            if not (at_least and current >= width):
                target.set("width", number_text(float(width)))
                target.set("customWidth", "1")
        if hidden is not None:
            if hidden:
                target.set("hidden", "1")
            else:
                target.attrib.pop("hidden", None)
        self.package.touch(self.part)

    def remove_empty_rows(self, rows: Iterable[int]) -> None:
        """Drop row elements left with no cells and nothing of their own (height, style)."""
        for n in rows:
            if n in self._spans and CELL_START.search(self._spans[n]):
                continue  # holds cells: not empty (and left as bytes)
            el = self._element(n)
            if el is None or len(el) or set(el.attrib) - _PLAIN_ROW:
                continue
            el.getparent().remove(el)
            del self._rows[n]
            self._keys.pop(bisect.bisect_left(self._keys, n))
            self.package.touch(self.part)

    def finish(self) -> None:
        """Widen ``<dimension>`` to the cells set (it only ever grows here)."""
        if self._bounds is None:
            return
        r0, c0, r1, c1 = self._bounds
        dim = self.root.find(f"{{{MAIN}}}dimension")
        if dim is None:
            return
        ref = dim.get("ref", "A1")
        first, _, last = ref.partition(":")
        last = last or first
        try:
            a, b = split_ref(first), split_ref(last)
        except ValueError:
            return
        lo = (min(a[0], r0), min(a[1], c0))
        hi = (max(b[0], r1), max(b[1], c1))
        new = f"{ref_of(*lo)}:{ref_of(*hi)}" if lo != hi else ref_of(*lo)
        if new != ref:
            dim.set("ref", new)


__all__ = ["SheetPart", "SheetOwner"]



__all__ = ["SheetPart", "SheetOwner"]
