"""Writing into an existing workbook package (.xlsx, .xlsm) without re-saving it.

A workbook is a zip of XML parts (ECMA-376 Part 2, Open Packaging Conventions). :class:`Package`
opens one, lets a caller set cells of a sheet (:class:`SheetPart`, :mod:`.sheet`), replace or add a whole
sheet with its drawings and charts, and add the cell styles it needs (:class:`Styles`, :mod:`.styles`);
:meth:`Package.commit` writes the result whole or not at all. Only the parts a change needs are serialised again:

- an edited sheet: only the ``<c>`` elements that were set change (and the row attributes asked
  for, the ``<dimension>`` and ``<cols>`` when a column is added); every other element keeps its
  XML: formulas with their cached values, validation, conditional formats, hyperlinks, merged
  cells, extensions such as sparklines;
- ``xl/styles.xml`` when a cell format is added (appended, existing ones never change);
- ``xl/workbook.xml``, its relationships and ``[Content_Types].xml`` when a sheet comes or goes.

Every other member is copied with the same bytes: VBA project, drawings, images, charts, form
controls, comments, printer settings, custom XML. Text is written as inline strings, so the shared
string table is never rewritten, and a text cell is never a formula.
"""


from __future__ import annotations

import copy
import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lxml import etree

from cin_xl.errors import UnusableInput
from cin_xl.workbook.package.columns import column_index, column_letters, is_cell_ref, ref_of, split_ref
from cin_xl.workbook.package.fingerprint import Fingerprint, check_unchanged
from cin_xl.workbook.package.limits import MAX_STYLE_RECORDS
from cin_xl.workbook.package.ooxml import (
    CT,
    CT_CHART,
    CT_DRAWING,
    CT_WORKSHEET,
    DECLARATION,
    MAIN,
    OFFICE_DOCUMENT,
    PACKAGE_RELS,
    PKG_REL,
    REL_CHART,
    REL_DRAWING,
    REL_PRINTER,
    REL_WORKSHEET,
    STRICT_MAIN,
    XML_NS,
    R,
    free_name,
    new_relationship_id,
    parser,
    relationships_xml,
    relative,
    rels_name,
    resolve,
    to_utf8,
)
from cin_xl.workbook.package.row_text import last_filled_row, row_spans
from cin_xl.workbook.package.sheet import SheetPart
from cin_xl.workbook.package.styles import Styles
from cin_xl.workbook.package.values import Formula, Value, excel_text, serial

_ROW, _C, _IS, _T, _V, _F = (f"{{{MAIN}}}{n}" for n in ("row", "c", "is", "t", "v", "f"))
#: a part larger than this, unpacked, is refused (a census sheet of 20,000 children is under 10 MB)
MAX_PART_BYTES = 512 * 10**6


@dataclass
class NewPart:
    """A part to add with a sheet: its name in the package, bytes, content type and relationships."""

    name: str
    data: bytes
    content_type: str


#: the shared strings' start tag and its count; a cell referring to a shared string
_SST_START = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_SST_COUNT = re.compile(rb"""\scount=["'][0-9]*["']""")
_XF = re.compile(rb"<(?:\w+:)?xf[\s/>]")
_SHARED_CELL = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\bt=["']s["']""")


class Package:
    """An .xlsx or .xlsm workbook opened for writing (see the module docstring)."""

    def __init__(self, path: str | os.PathLike, data: bytes | None = None):
        """Open the workbook at ``path`` (or, given ``data``, those bytes: a scratch package)."""
        self.path = Path(path)
        if data is None:
            try:
                data = self.path.read_bytes()
            except OSError as exc:
                raise UnusableInput(f"{self.path}: cannot be read ({exc.strerror})") from None
            self.fingerprint: Fingerprint | None = Fingerprint.of(self.path, data)
        else:
            self.fingerprint = None
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._order = [i.filename for i in self._zip.infolist()]
            self._infos = {i.filename: i for i in self._zip.infolist()}
            self._trees: dict[str, etree._Element] = {}
            self._declarations: dict[str, bytes] = {}
            self._dirty: set[str] = set()
            self._new: dict[str, bytes] = {}
            self._removed: set[str] = set()
            self._sheets: dict[str, SheetPart] = {}
            #: sheets open in the lazy form (rows kept as bytes), by part
            self._lazy: dict[str, SheetPart] = {}
            self._shared: list[str] | None = None
            self._styles: Styles | None = None
            self._pending_type: dict[str, str] = {}
            #: a formula was overwritten or removed (then Excel's calculation chain must go: it lists them)
            self.formulas_changed = False
            self.workbook_part = self._main_part()
            self.workbook = self.xml(self.workbook_part)
            if self.workbook.tag.startswith(f"{{{STRICT_MAIN}}}"):
                raise UnusableInput(f"{self.path} is saved as Strict Open XML, which cin-xl does not write into; "
                                    "save it in Excel as an Excel Workbook (.xlsx) and run again. Nothing was "
                                    "changed.")
            self.workbook_rels = self.xml(rels_name(self.workbook_part))
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, ValueError, EOFError) as exc:
            raise UnusableInput(f"{self.path}: not a workbook cin-xl can write into ({exc.__class__.__name__}: "
                                f"{str(exc)[:120]}); nothing was changed") from None

    # -- parts -------------------------------------------------------------------------------

    def _main_part(self) -> str:
        rels = self.xml(PACKAGE_RELS)
        for rel in rels:
            if rel.get("Type", "").endswith(OFFICE_DOCUMENT):
                return resolve("", rel.get("Target"))
        raise KeyError("no workbook part")

    def names(self) -> list[str]:
        return [n for n in self._order if n not in self._removed] + [n for n in self._new if n not in self._order]

    def read(self, name: str) -> bytes:
        if name in self._trees and name in self._dirty:
            return self._serialise(name)
        if name in self._new:
            return self._new[name]
        return self._zip.read(name)

    def has(self, name: str) -> bool:
        return name in self._new or (name in self._infos and name not in self._removed)

    def xml(self, name: str) -> etree._Element:
        """The parsed part (edits to it are written back on commit once :meth:`touch` is called). For a sheet
        opened by :meth:`sheet` in the lazy form, its ``<sheetData>`` is empty: the rows are the sheet's."""
        root = self._trees.get(name)
        if root is None:
            root = self._parse(name, self._part_bytes(name))
        return root

    def _part_bytes(self, name: str) -> bytes:
        info = self._infos.get(name)
        if name not in self._new and info is not None and info.file_size > MAX_PART_BYTES:
            raise UnusableInput(f"{self.path}: its part {name} would unpack to {info.file_size // 10**6} MB, far "
                                "beyond any census workbook; nothing was changed")
        # one encoding, UTF-8, for every part read: rows kept as bytes and rows written anew must agree
        return self._new[name] if name in self._new else to_utf8(self._zip.read(name))

    def _parse(self, name: str, data: bytes) -> etree._Element:
        if data.startswith(b"<?xml"):
            declaration = data[:data.index(b"?>") + 2]
            if b"encoding" in declaration and not re.search(rb"encoding=.utf-?8.", declaration, re.I):
                declaration = DECLARATION  # written back as UTF-8, whatever it was read as
            self._declarations[name] = declaration
        root = etree.fromstring(data, parser())
        self._trees[name] = root
        return root

    def touch(self, name: str) -> None:
        self._dirty.add(name)

    def put(self, name: str, data: bytes) -> None:
        """Add or replace a part with these bytes."""
        self._new[name] = data
        self._trees.pop(name, None)
        self._lazy.pop(name, None)
        self._dirty.discard(name)
        self._removed.discard(name)

    def remove(self, name: str) -> None:
        self._new.pop(name, None)
        self._trees.pop(name, None)
        self._lazy.pop(name, None)
        self._dirty.discard(name)
        if name in self._infos:
            self._removed.add(name)

    def _serialise(self, name: str) -> bytes:
        lazy = self._lazy.get(name)
        if lazy is not None:
            body = lazy.rows_xml()
        else:
            body = etree.tostring(self._trees[name], encoding="UTF-8", xml_declaration=False)
        declaration = self._declarations.get(name)
        if declaration is None and name not in self._infos:
            declaration = DECLARATION
        return (declaration + b"\n" if declaration else b"") + body

    def free_name(self, pattern: str) -> str:
        """The first ``pattern % n`` (n = 1, 2, ...) not used in the package (ignoring case)."""
        return free_name(self.names(), pattern)

    # -- relationships and content types -----------------------------------------------------

    def relationships(self, part: str) -> list[tuple[str, str, str, str]]:
        """(Id, Type, target part, TargetMode) of a part's relationships."""
        name = rels_name(part)
        if not self.has(name):
            return []
        out = []
        for rel in self.xml(name):
            mode = rel.get("TargetMode", "Internal")
            target = rel.get("Target", "")
            out.append((rel.get("Id"), rel.get("Type"), target if mode == "External" else resolve(part, target),
                        mode))
        return out

    def content_type(self, part: str, content_type: str | None) -> None:
        """Declare (or, with None, forget) the content type of a part."""
        types = self.xml("[Content_Types].xml")
        key = "/" + part
        for o in types.findall(f"{{{CT}}}Override"):
            if o.get("PartName", "").lower() == key.lower():
                if content_type is None:
                    types.remove(o)
                else:
                    o.set("ContentType", content_type)
                self.touch("[Content_Types].xml")
                return
        if content_type is not None:
            etree.SubElement(types, f"{{{CT}}}Override", PartName=key, ContentType=content_type)
            self.touch("[Content_Types].xml")

    # -- cells -------------------------------------------------------------------------------

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            part = next((t for _, typ, t, _ in self.relationships(self.workbook_part)
                         if typ.endswith("/sharedStrings")), None)
            if part and self.has(part):
                for si in self.xml(part).iterchildren(f"{{{MAIN}}}si"):
                    self._shared.append("".join(
                        t.text or "" for t in si.iter(_T)
                        if etree.QName(t.getparent()).localname != "rPh"))
        return self._shared

    def cell_value(self, c: etree._Element) -> object:
        t = c.get("t", "n")
        if t == "inlineStr":
            is_ = c.find(_IS)
            return None if is_ is None else "".join(
                x.text or "" for x in is_.iter(_T) if etree.QName(x.getparent()).localname != "rPh")
        v = c.find(_V)
        if v is None or v.text is None:
            return None if c.find(_F) is None else ""
        if t == "s":
            strings = self.shared_strings()
            i = int(v.text)
            return strings[i] if 0 <= i < len(strings) else ""
        if t in ("str", "e"):
            return v.text
        if t == "b":
            return v.text == "1"
        try:
            return float(v.text)
        except ValueError:
            return v.text

    @property
    def styles(self) -> Styles:
        if self._styles is None:
            part = next(t for _, typ, t, _ in self.relationships(self.workbook_part) if typ.endswith("/styles"))
            if part not in self._trees and sum(1 for _ in _XF.finditer(self._part_bytes(part))) > MAX_STYLE_RECORDS:
                raise UnusableInput(f"{self.path}: its styles hold more than {MAX_STYLE_RECORDS:,} cell formats "
                                    "(Excel allows 64,000); nothing was changed. Save it again from Excel, or copy "
                                    "the sheets into a new workbook.")
            self._styles = Styles(self.xml(part))
            self._styles_part = part
        return self._styles

    # -- sheets ------------------------------------------------------------------------------

    @property
    def date1904(self) -> bool:
        """The workbook counts days from 1904 (``<workbookPr date1904="1">``): every date written must too."""
        props = self.workbook.find(f"{{{MAIN}}}workbookPr")
        return props is not None and (props.get("date1904") or "").lower() in ("1", "true")

    def _sheet_elements(self) -> list[etree._Element]:
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        return [] if sheets is None else list(sheets.iterchildren(f"{{{MAIN}}}sheet"))

    def sheet_names(self) -> list[str]:
        return [s.get("name") for s in self._sheet_elements()]

    def sheet_part(self, name: str) -> str | None:
        rels = {rid: target for rid, _, target, _ in self.relationships(self.workbook_part)}
        for s in self._sheet_elements():
            if s.get("name") == name:
                return rels.get(s.get(f"{{{R}}}id"))
        return None

    def sheet(self, name: str) -> SheetPart:
        part = self._sheets.get(name)
        if part is None:
            path = self.sheet_part(name)
            if path is None or not self.has(path):
                raise KeyError(name)
            rows = None
            if path not in self._trees:
                rows = row_spans(self._part_bytes(path))
            if rows is None:
                part = SheetPart(self, name, path, self.xml(path))
            else:
                part = SheetPart(self, name, path, self._parse(path, rows.rest), rows)
                if part.root.nsmap.get(None) != MAIN or part.data.getparent() is not part.root:
                    self._trees.pop(path, None)  # not the plain form after all: parsed whole
                    part = SheetPart(self, name, path, self.xml(path))
                else:
                    self._lazy[path] = part
            self._sheets[name] = part
        return part

    def last_filled_row(self, name: str) -> int:
        """The number of the last row of a sheet holding cells (0: none), read as a stream when the sheet is
        not open (a sheet of 20,000 children is never all in memory for this)."""
        sheet = self._sheets.get(name)
        if sheet is not None:
            return max(sheet.filled_rows(), default=0)
        part = self.sheet_part(name)
        if part is None or not self.has(part):
            raise KeyError(name)
        if part in self._trees:
            return max(self.sheet(name).filled_rows(), default=0)
        info = self._infos.get(part)
        if part not in self._new and info is not None and info.file_size > MAX_PART_BYTES:
            self.xml(part)  # refused there, with its message
        found = last_filled_row(self._part_bytes(part))
        if found is not None:  # the plain form: found in the bytes
            return found
        source = io.BytesIO(self._new[part]) if part in self._new else self._zip.open(part)
        filled: dict[int, bool] = {}  # the later of two rows with one number wins, as in SheetPart
        last = 0
        with source:
            for _, row in etree.iterparse(source, events=("end",), tag=_ROW, resolve_entities=False,
                                          no_network=True, huge_tree=True, load_dtd=False):
                r = row.get("r")
                last = int(r) if r else last + 1
                filled[last] = len(row) > 0
                row.clear(keep_tail=True)
                while row.getprevious() is not None:  # the rows already counted
                    del row.getparent()[0]
        return max((n for n, has_cells in filled.items() if has_cells), default=0)

    def release(self, name: str) -> None:
        """Done with a sheet for now: its edits are kept as bytes and its parsed tree is freed (a sheet of
        20,000 children takes far more memory parsed than written), so sheets can be edited one at a time.
        Opening it again parses those bytes."""
        sheet = self._sheets.pop(name, None)
        if sheet is None:
            return
        sheet.finish()
        if sheet.part in self._dirty and sheet.part in self._trees:
            self.put(sheet.part, self._serialise(sheet.part))
        else:
            self._trees.pop(sheet.part, None)
            self._lazy.pop(sheet.part, None)

    def defined_cells(self, name: str) -> list[tuple[str, str]]:
        """(sheet, cell) of a workbook-level defined name that refers to single cells, such as ``'Start'!$B$12``."""
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        if names is None:
            return []
        for d in names:
            if d.get("name") == name and d.get("localSheetId") is None:
                out = []
                for part in (d.text or "").split(","):
                    sheet, _, ref = part.strip().rpartition("!")
                    sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
                    if sheet and is_cell_ref(ref):
                        out.append((sheet, ref.replace("$", "")))
                return out
        return []

    def set_defined_name(self, name: str, text: str, *, hidden: bool = False) -> None:
        """Add or change the workbook-level defined name ``name`` (``text``: what it refers to)."""
        book = self.workbook
        names = book.find(f"{{{MAIN}}}definedNames")
        if names is None:
            names = etree.Element(f"{{{MAIN}}}definedNames")
            after = [book.find(f"{{{MAIN}}}{tag}") for tag in ("sheets", "functionGroups", "externalReferences")]
            [el for el in after if el is not None][-1].addnext(names)
        found = next((d for d in names if d.get("name") == name and d.get("localSheetId") is None), None)
        if found is None:
            found = etree.SubElement(names, f"{{{MAIN}}}definedName", name=name)
        if hidden:
            found.set("hidden", "1")
        if found.text != text:
            found.text = text
        self.touch(self.workbook_part)

    def add_sheet(self, name: str, data: bytes, *, index: int | None = None,
                  rels: Iterable[tuple[str, str, NewPart]] = ()) -> str:
        """Add a worksheet named ``name`` at position ``index`` (default last); returns its part name.

        ``rels`` are the sheet's relationships: (Id, Type, part), each part added to the package.
        """
        part = self.free_name("xl/worksheets/sheet%d.xml")
        self._put_sheet(part, data, rels)
        rels_root = self.workbook_rels
        rid = new_relationship_id(r.get("Id") for r in rels_root)
        etree.SubElement(rels_root, f"{{{PKG_REL}}}Relationship", Id=rid, Type=REL_WORKSHEET,
                         Target=relative(self.workbook_part, part))
        self.touch(rels_name(self.workbook_part))
        sheets = self.workbook.find(f"{{{MAIN}}}sheets")
        existing = self._sheet_elements()
        sheet_id = max((int(s.get("sheetId", "0")) for s in existing), default=0) + 1
        el = etree.Element(f"{{{MAIN}}}sheet", nsmap={"r": R})
        el.set("name", name)
        el.set("sheetId", str(sheet_id))
        el.set(f"{{{R}}}id", rid)
        if index is None or index >= len(existing):
            sheets.append(el)
            index = len(existing)
        else:
            existing[index].addprevious(el)
            self._shift_sheet_indexes(index)
        self.touch(self.workbook_part)
        return part

    def _shift_sheet_indexes(self, index: int) -> None:
        """A sheet was inserted at ``index``: sheet-local names and the views point one further on."""
        names = self.workbook.find(f"{{{MAIN}}}definedNames")
        for d in names if names is not None else ():
            local = d.get("localSheetId")
            if local is not None and int(local) >= index:
                d.set("localSheetId", str(int(local) + 1))
        for view in self.workbook.iter(f"{{{MAIN}}}workbookView"):
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and int(value) >= index and not (attr == "firstSheet" and int(value) == 0):
                    view.set(attr, str(int(value) + 1))

    def replace_sheet(self, name: str, data: bytes, *, rels: Iterable[tuple[str, str, NewPart]] = (),
                      drop: Callable[[str, str], None] | None = None) -> None:
        """Put new content in an existing worksheet; the parts only the old sheet used are removed.

        ``drop(type, part)`` is called first for each relationship of the old sheet, and may raise
        (to refuse, when a part is not the tool's to remove).
        """
        part = self.sheet_part(name)
        if part is None:
            raise KeyError(name)
        data = self._keep_code_name(part, data)
        old = self.relationships(part)
        for _, typ, target, mode in old:
            if mode != "External" and drop is not None:
                drop(typ, target)
        for _, _, target, mode in old:
            if mode != "External":
                self._remove_tree(target)
        self.remove(rels_name(part))
        self._sheets.pop(name, None)
        self._put_sheet(part, data, rels)
        self.formulas_changed = True  # the old sheet's formulas, if any, are gone

    def _keep_code_name(self, part: str, data: bytes) -> bytes:
        """The new content of a sheet with the old one's ``codeName`` (a macro-enabled workbook's VBA
        project has a document module of that name for the sheet)."""
        old = self.xml(part).find(f"{{{MAIN}}}sheetPr")
        code = old.get("codeName") if old is not None else None
        if not code:
            return data
        root = etree.fromstring(data, parser())
        pr = root.find(f"{{{MAIN}}}sheetPr")
        if pr is None:
            pr = etree.Element(f"{{{MAIN}}}sheetPr")
            root.insert(0, pr)
        pr.set("codeName", code)
        return etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)

    def _remove_tree(self, part: str) -> None:
        """Remove a part and what it alone relates to (a drawing and its charts)."""
        if not self.has(part):
            return
        related = self.relationships(part)
        self.remove(rels_name(part))
        self.remove(part)  # first, so a relationship back to it ends the walk
        self.content_type(part, None)
        for _, _, target, mode in related:
            if mode != "External":
                self._remove_tree(target)

    def _put_sheet(self, part: str, data: bytes, rels: Iterable[tuple[str, str, NewPart]]) -> None:
        self.put(part, data)
        self.content_type(part, CT_WORKSHEET)
        rels = list(rels)
        if rels:
            self.put(rels_name(part), relationships_xml([(rid, typ, relative(part, p.name)) for rid, typ, p in rels]))
            for _, _, p in rels:
                self.put(p.name, p.data)
                self.content_type(p.name, p.content_type)

    def import_sheet(self, source: Package, name: str) -> tuple[bytes, list[tuple[str, str, NewPart]]]:
        """A worksheet of another (scratch) package, made to fit this one, for :meth:`add_sheet` or
        :meth:`replace_sheet`: cell formats copied into this package's styles, shared strings made
        inline, and its drawing and charts copied under free part names."""
        part = source.sheet_part(name)
        if part is None:
            raise KeyError(name)
        root = copy.deepcopy(source.xml(part))
        theirs, ours = source.styles, self.styles
        for c in root.iter(_C):
            if c.get("s"):
                c.set("s", str(ours.import_xf(theirs, int(c.get("s")))))
            if c.get("t") == "s":
                value = source.cell_value(c)
                text = value if isinstance(value, str) else ""
                for child in list(c):
                    c.remove(child)
                c.set("t", "inlineStr")
                t = etree.SubElement(etree.SubElement(c, _IS), _T)
                t.text = text
                if text != text.strip() or "\n" in text:
                    t.set(f"{{{XML_NS}}}space", "preserve")
        for row in root.iter(_ROW):
            if row.get("s"):
                row.set("s", str(ours.import_xf(theirs, int(row.get("s")))))
        for col in root.iter(f"{{{MAIN}}}col"):
            if col.get("style"):
                col.set("style", str(ours.import_xf(theirs, int(col.get("style")))))
        for view in root.iter(f"{{{MAIN}}}sheetView"):
            view.attrib.pop("tabSelected", None)  # else the sheet would be grouped with the active one
        rels = []
        for rid, typ, target, mode in source.relationships(part):
            if mode == "External":
                continue
            new = self._copy_part(source, target)
            rels.append((rid, typ, NewPart(new, self._new[new], self._pending_type.pop(new))))
        data = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
        return data, rels

    def _copy_part(self, source: Package, part: str) -> str:
        """Copy a part (and, recursively, what it relates to) from another package; returns its new name."""
        pattern = re.sub(r"\d*(\.[A-Za-z0-9]+)$", r"%d\1", part.replace("%", "%%"))
        new = self.free_name(pattern)
        self.put(new, source.read(part))
        self._pending_type[new] = source.part_content_type(part)
        rels = source.relationships(part)
        if rels:
            out = []
            for rid, typ, target, mode in rels:
                if mode == "External":
                    out.append((rid, typ, target))
                    continue
                child = self._copy_part(source, target)
                self.content_type(child, self._pending_type.pop(child))
                out.append((rid, typ, relative(new, child)))
            self.put(rels_name(new), relationships_xml(out))
        return new

    def part_content_type(self, part: str) -> str:
        types = self.xml("[Content_Types].xml")
        for o in types.iterchildren(f"{{{CT}}}Override"):
            if o.get("PartName", "").lower() == "/" + part.lower():
                return o.get("ContentType")
        ext = part.rsplit(".", 1)[-1].lower()
        for d in types.iterchildren(f"{{{CT}}}Default"):
            if d.get("Extension", "").lower() == ext:
                return d.get("ContentType")
        return "application/octet-stream"

    # -- commit ------------------------------------------------------------------------------

    def commit(self, path: str | os.PathLike | None = None, *, expect: Fingerprint | None = None,
               before_replace: Callable[[], None] | None = None) -> None:
        """Write the package to ``path`` (default: where it came from) whole or not at all.

        The new file is written next to the target and renamed over it, keeping its permission
        bits. Just before the rename the target must still match ``expect`` (default: the
        fingerprint taken when the package was opened) and ``before_replace`` (a lock-file check)
        must pass; otherwise :class:`UnusableInput` is raised and nothing is written.
        """
        target = Path(path) if path is not None else self.path
        expect = expect or (self.fingerprint if target == self.path else None)
        for sheet in self._sheets.values():
            sheet.finish()
        if self._styles is not None and self._styles.changed:
            self.touch(self._styles_part)
        if self.formulas_changed:
            self._drop_calc_chain()
        self._count_shared_strings()
        from cin_xl.safety.atomic import write_atomic

        def checks() -> None:
            if expect is not None:
                check_unchanged(target, expect)
            if before_replace is not None:
                before_replace()

        # a temporary file renamed over the workbook, with its permissions; read-only refused; signals safe
        write_atomic(target, self._write_zip, before_replace=checks)

    def _count_shared_strings(self) -> None:
        """Keep the shared strings' ``count`` (how many cells refer to one) true once cells of changed sheets
        were rewritten (a shared string replaced by text of the cell's own): Excel tolerates a count too
        high, but it is wrong."""
        part = next((t for _, typ, t, _ in self.relationships(self.workbook_part)
                     if typ.endswith("/sharedStrings")), None)
        sheets = [t for _, typ, t, mode in self.relationships(self.workbook_part)
                  if typ == REL_WORKSHEET and mode != "External" and self.has(t)]
        if part is None or not self.has(part) or not any(s in self._dirty or s in self._new for s in sheets):
            return
        data = self.read(part)
        head = _SST_START.search(data[:4096])
        if head is None or _SST_COUNT.search(head.group(0)) is None:
            return
        total = 0
        for sheet in sheets:
            if sheet in self._dirty and sheet in self._trees:  # serialised once, here rather than in the zip
                self._new[sheet] = self._serialise(sheet)
                self._dirty.discard(sheet)
            total += len(_SHARED_CELL.findall(self.read(sheet)))
        tag = _SST_COUNT.sub(b' count="%d"' % total, head.group(0), count=1)
        if tag != head.group(0):
            self.put(part, data[:head.start()] + tag + data[head.end():])

    def _drop_calc_chain(self) -> None:
        """Remove ``calcChain.xml``, Excel's list of formula cells, once a listed formula is gone: a stale
        chain makes Excel "repair" the file, a missing one is rebuilt silently."""
        rels = self.workbook_rels
        for rel in list(rels):
            if rel.get("Type", "").endswith("/calcChain"):
                part = resolve(self.workbook_part, rel.get("Target", ""))
                rels.remove(rel)
                self.touch(rels_name(self.workbook_part))
                self.remove(part)
                self.content_type(part, None)

    def _write_zip(self, fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out:
            for name in self.names():
                if name in self._dirty and name in self._trees:
                    data = self._serialise(name)
                elif name in self._new:
                    data = self._new[name]
                else:
                    data = None
                old = self._infos.get(name)
                if old is not None:
                    info = zipfile.ZipInfo(name, old.date_time)
                    info.compress_type = old.compress_type
                    info.external_attr = old.external_attr
                    info.create_system = old.create_system
                    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                        info.compress_type = zipfile.ZIP_DEFLATED
                    if data is None:  # the same bytes as before, streamed (a large picture is never all in memory)
                        info.file_size = old.file_size
                        with self._zip.open(old) as src, out.open(info, "w", force_zip64=old.file_size > 2**31) as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
                        continue
                else:
                    info = zipfile.ZipInfo(name, datetime.now().timetuple()[:6])
                    info.compress_type = zipfile.ZIP_DEFLATED
                if data is None:  # cannot happen: a part not read from the file was put, so it has bytes
                    raise KeyError(name)
                # the fastest level: a marked sheet of 20,000 children is rewritten at every validation
                out.writestr(info, data, compresslevel=1)


__all__ = ["Package", "SheetPart", "Styles", "Formula", "Fingerprint", "NewPart", "Value", "check_unchanged",
           "column_index", "column_letters", "split_ref", "ref_of", "serial", "excel_text", "REL_DRAWING", "REL_CHART",
           "REL_PRINTER", "CT_DRAWING", "CT_CHART", "MAIN", "R"]
