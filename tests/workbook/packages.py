"""Test workbooks made part by part: a minimal package around given sheet XML, and edits of a package's parts."""

from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

#: cell styles of :func:`package`: 0 plain, 1 dd/mm/yyyy, 2 a custom date and time, 3 a time, 4 [h]:mm elapsed,
#: 5 a number format with a quoted "d" (not a date), 6 built-in 14 (a date)
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}"><numFmts count="5"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>
<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/><numFmt numFmtId="166" formatCode="h:mm"/>
<numFmt numFmtId="167" formatCode="[h]:mm"/><numFmt numFmtId="168" formatCode="0.0&quot; days&quot;"/></numFmts>
<cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/>
<xf numFmtId="167"/><xf numFmtId="168"/><xf numFmtId="14"/></cellXfs></styleSheet>"""


def sheet_xml(cells: str, *, root: str = f'<worksheet xmlns="{MAIN}">', close: str = "</worksheet>") -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{root}<sheetData>{cells}</sheetData>{close}'


def package(sheets: dict[str, str], *, strings: list[str] | None = None, date1904: bool = False,
            extra: dict[str, bytes] | None = None) -> bytes:
    """An .xlsx holding ``sheets`` (name -> sheet part XML), the styles above and ``strings`` as shared strings."""
    buf = io.BytesIO()
    names = list(sheets)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, len(names) + 1))
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/'
                   'xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
                   '+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/'
                   'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        listed = "".join(f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(names, 1))
        props = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}">{props}<sheets>{listed}</sheets>'
                   "</workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, len(names) + 1))
        rels += f'<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/>'
        rels += f'<Relationship Id="rIdT" Type="{REL}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>')
        z.writestr("xl/styles.xml", STYLES)
        items = "".join(s if s.startswith("<si>") else f"<si><t>{s}</t></si>" for s in strings or [])
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}">{items}</sst>')
        for i, name in enumerate(names, 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])
        for member, data in (extra or {}).items():
            z.writestr(member, data)
    return buf.getvalue()


def sheet_member(data: bytes, sheet: str) -> str:
    """The part holding ``sheet`` in a package written by cin-xl (or openpyxl)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    path = target.group(1).lstrip("/")
    return path if path.startswith("xl/") else "xl/" + path


def edit_member(data: bytes, member: str, edit) -> bytes:
    """The package with ``member``'s text replaced by ``edit(text)``; every other part as it was."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == member:
                body = edit(body.decode("utf-8")).encode("utf-8")
            z.writestr(info, body)
    return out.getvalue()


def edit_cell(data: bytes, sheet: str, ref: str, new_cell: str) -> bytes:
    """The package with cell ``ref`` of ``sheet`` replaced by the XML ``new_cell`` (the cell must exist)."""
    def edit(text: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        assert pattern.search(text), f"{sheet}!{ref} not found"
        return pattern.sub(lambda _: new_cell, text, count=1)

    return edit_member(data, sheet_member(data, sheet), edit)


def style_of(data: bytes, sheet: str, ref: str) -> str | None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        text = z.read(sheet_member(data, sheet)).decode()
    m = re.search(rf'<c r="{ref}"([^>]*)', text)
    s = re.search(r's="(\d+)"', m.group(1)) if m else None
    return s.group(1) if s else None
