"""``xl/styles.xml`` of a package being written: cell formats appended (never changed), and reused when there."""

from __future__ import annotations

import copy

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.workbook.package.limits import MAX_CELL_FORMATS
from cin_xl.workbook.package.ooxml import MAIN, STYLES_ORDER


def _key(el: etree._Element) -> tuple:
    """What makes two formats the same: names (with their namespaces), attributes, text and children, but
    not the namespace declarations in scope (a format copied from another part carries fewer)."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_key(child) for child in el if isinstance(child.tag, str)))


class Styles:
    """``xl/styles.xml``: cell formats are only ever appended, and reused when already there."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.changed = False
        self._interned: dict[str, dict[tuple, int]] = {}
        self._derived: dict[tuple, int] = {}

    def _list(self, name: str) -> etree._Element:
        el = self.root.find(f"{{{MAIN}}}{name}")
        if el is None:
            el = etree.Element(f"{{{MAIN}}}{name}", count="0")
            for nxt in STYLES_ORDER[STYLES_ORDER.index(name) + 1:]:  # keep CT_Stylesheet's order
                following = self.root.find(f"{{{MAIN}}}{nxt}")
                if following is not None:
                    following.addprevious(el)
                    break
            else:
                self.root.append(el)
        return el

    def _intern(self, list_name: str, el: etree._Element) -> int:
        """The index of ``el`` in the list (fonts, fills, borders, cellXfs, dxfs), appended if new."""
        parent = self._list(list_name)
        table = self._interned.get(list_name)
        if table is None:
            table = {}
            for i, child in enumerate(parent):
                table.setdefault(_key(child), i)
            self._interned[list_name] = table
        key = _key(el)
        if key in table:
            return table[key]
        if list_name == "cellXfs" and len(parent) >= MAX_CELL_FORMATS:
            raise UnusableInput(f"The workbook has {len(parent):,} cell formats, the most Excel allows, and its marks "
                                "need one more; remove unused cell styles in Excel (or copy the sheets into a new "
                                "workbook) and run again. Nothing was changed.")
        parent.append(el)
        index = len(parent) - 1
        table[key] = index
        parent.set("count", str(len(parent)))
        self.changed = True
        return index

    def dxf(self, xml: str) -> int:
        """The index of a differential format (for conditional formatting), given as XML in the main namespace."""
        return self._intern("dxfs", etree.fromstring(xml))

    def xf(self, index: int) -> etree._Element:
        xfs = self._list("cellXfs")
        return xfs[index] if 0 <= index < len(xfs) else etree.Element(
            f"{{{MAIN}}}xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")

    def number_format_id(self, code: str) -> int:
        fmts = self._list("numFmts")
        used = [164]
        for fmt in fmts:
            if fmt.get("formatCode") == code:
                return int(fmt.get("numFmtId"))
            used.append(int(fmt.get("numFmtId", "0")) + 1)
        new = max(used)
        etree.SubElement(fmts, f"{{{MAIN}}}numFmt", numFmtId=str(new), formatCode=code)
        fmts.set("count", str(len(fmts)))
        self.changed = True
        return new

    def derive(self, base: int, *, wrap: bool | None = None, vertical: str | None = None,
               number_format: str | None = None, quote_prefix: bool | None = None) -> int:
        """A cell format like ``base`` with text wrapping, vertical alignment, a number format or the quote
        prefix (Excel keeps the cell's text as text when it is edited) changed."""
        memo = (base, wrap, vertical, number_format, quote_prefix)
        if memo in self._derived:
            return self._derived[memo]
        xf = copy.deepcopy(self.xf(base))
        if quote_prefix is not None:
            xf.set("quotePrefix", "1" if quote_prefix else "0")
        if number_format is not None:
            xf.set("numFmtId", str(self.number_format_id(number_format)))
            xf.set("applyNumberFormat", "1")
        if wrap is not None or vertical is not None:
            align = xf.find(f"{{{MAIN}}}alignment")
            if align is None:
                align = etree.Element(f"{{{MAIN}}}alignment")
                xf.insert(0, align)
            if wrap is not None:
                align.set("wrapText", "1" if wrap else "0")
            if vertical is not None:
                align.set("vertical", vertical)
            xf.set("applyAlignment", "1")
        index = self._intern("cellXfs", xf)
        self._derived[memo] = index
        return index

    def import_xf(self, other: Styles, index: int) -> int:
        """Copy cell format ``index`` of another styles part (with its font, fill, border, number format)."""
        memo = (id(other), index)
        if memo in self._derived:
            return self._derived[memo]
        xf = copy.deepcopy(other.xf(index))
        for attr, list_name in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            source = other._list(list_name)
            i = int(xf.get(attr, "0"))
            if 0 <= i < len(source):
                xf.set(attr, str(self._intern(list_name, copy.deepcopy(source[i]))))
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id >= 164:
            code = next((f.get("formatCode") for f in other._list("numFmts") if f.get("numFmtId") == str(fmt_id)),
                        "General")
            xf.set("numFmtId", str(self.number_format_id(code)))
        xf.set("xfId", "0")  # the Normal cell style
        new = self._intern("cellXfs", xf)
        self._derived[memo] = new
        return new


__all__ = ["Styles"]
