"""What kind of file the user gave, told by its content as well as its name.

cin-xl reads census XML and Excel workbooks (.xlsx, .xlsm). Other spreadsheet files are common in
a local authority (an old .xls export, a .xlsb, LibreOffice's .ods, a CSV) and must get a message
that says what they are and what to do, not a parser error. :func:`file_kind` looks at the first
bytes (the zip and OLE2 signatures) and, for a zip, at its list of parts; :func:`refusal` gives the
message for a kind cin-xl cannot read.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: the kinds :func:`file_kind` tells apart
WORKBOOK, XLSB, ODS, XLS, PROTECTED, OTHER_ZIP, CSV, TEXT = (
    "workbook", "xlsb", "ods", "xls", "protected", "zip", "csv", "text")
PDF, WORD, IMAGE, PLAIN_TEXT = "pdf", "word", "image", "plain text"

_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: a password-protected .xlsx is an OLE2 file holding this stream (its name is stored as UTF-16)
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: how much of an OLE2 file is searched for that stream name
_OLE2_SCAN = 64 << 20
_SAVE_AS = "save it as an Excel Workbook (.xlsx), then give cin-xl that file"
_WANTED = "give cin-xl the census workbook (.xlsx, .xlsm) or the census XML file"
#: first bytes of image files people attach by mistake (a screenshot of the sheet)
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
#: how much of a text file is looked at to tell XML from CSV or other text
_TEXT_SCAN = 4096


#: a URL (two letters or more before the colon: ``C:`` is a drive)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:")


def on_another_machine(name: str) -> bool:
    """Whether the path ``name`` (as typed in a workbook) is on another machine or a device: a Windows
    network path (``\\\\host\\share``, ``//host/share``, ``\\\\?\\`` and ``\\\\.\\`` device names) or a URL.
    Opening one makes the computer contact that machine (on Windows, with the user's credentials), so a
    path that came inside a file is opened only once the person has confirmed it."""
    text = name.strip()
    return text[:2] in ("\\\\", "//", "\\/", "/\\") or bool(_URL.match(text))


def _text_kind(head: bytes, suffix: str) -> str:
    """:data:`TEXT` for what may be XML (the XML reader then says what is wrong with it), :data:`CSV` for a
    table of commas, semicolons or tabs, :data:`PLAIN_TEXT` for anything else that is text."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom):].decode(codec, "ignore").encode("utf-8", "ignore")
            break
    text = head.lstrip()
    if not text or text.startswith(b"<") or b"\x00" in text[:64]:
        return TEXT  # empty, XML or UTF-16 without a mark: the XML reader's own message is the right one
    first = text.split(b"\n", 1)[0]
    if suffix in (".csv", ".tsv") or any(first.count(sep) >= 2 for sep in (b",", b";", b"\t")):
        return CSV
    return PLAIN_TEXT


def file_kind(path: str | os.PathLike) -> str:
    """One of :data:`WORKBOOK` (.xlsx/.xlsm content), :data:`XLSB`, :data:`ODS`, :data:`XLS`,
    :data:`PROTECTED`, :data:`OTHER_ZIP`, :data:`WORD` (a Word or PowerPoint file), :data:`PDF`,
    :data:`IMAGE`, :data:`CSV` (by content, whatever its name), :data:`PLAIN_TEXT` (text that is not
    XML) or :data:`TEXT` (what may be XML: the XML reader says what is wrong with it). The name's
    suffix is never trusted alone: a CSV renamed .xlsx is still a CSV.

    Raises :class:`~cin_xl.errors.UnusableInput` for a damaged zip or one that would inflate too far
    (see :mod:`cin_xl.workbook.package.limits`)."""
    p = Path(path)
    with open(p, "rb") as fh:
        head = fh.read(_TEXT_SCAN)
        if head.startswith(_OLE2):
            fh.seek(0)
            return PROTECTED if _ENCRYPTED_STREAM in fh.read(_OLE2_SCAN) else XLS
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_IMAGES):
        return IMAGE
    if head.startswith((_ZIP, _EMPTY_ZIP)):
        if _ODS_MIMETYPE in head:  # ODF stores its mimetype first and uncompressed
            return ODS
        from cin_xl.workbook.package.limits import BoundedZip

        with BoundedZip(p) as z:  # a damaged zip or a zip bomb is refused here
            names = set(z.members)
        if "xl/workbook.bin" in names:
            return XLSB
        if "mimetype" in names and "content.xml" in names:
            return ODS
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return WORKBOOK
        if "[Content_Types].xml" in names and any(n.startswith(("word/", "ppt/")) for n in names):
            return WORD
        return OTHER_ZIP
    return _text_kind(head, p.suffix.lower())


def refusal(path: str | os.PathLike, kind: str) -> str | None:
    """The one-line message for a file of ``kind`` that cin-xl cannot read; None for workbooks and text."""
    name = Path(path).name
    if kind == XLS:
        return (f"{name} is an Excel 97-2003 workbook (.xls), which cin-xl cannot read: open it in Excel or "
                f"LibreOffice and {_SAVE_AS}")
    if kind == PROTECTED:
        return (f"{name} is a password-protected workbook, which cin-xl cannot open: open it in Excel, remove the "
                f"password (File > Info > Protect Workbook > Encrypt with Password) and {_SAVE_AS}")
    if kind == XLSB:
        return f"{name} is an Excel binary workbook (.xlsb), which cin-xl cannot read: open it in Excel and {_SAVE_AS}"
    if kind == ODS:
        return (f"{name} is an OpenDocument spreadsheet (.ods), which cin-xl cannot read: open it in LibreOffice "
                f"Calc or Excel and {_SAVE_AS}")
    if kind == OTHER_ZIP:
        return (f"{name} is a zip file but not an Excel workbook (it has no workbook part): give cin-xl the census "
                "workbook (.xlsx, .xlsm) or census XML")
    if kind == CSV:
        return (f"{name} is a CSV file, which holds one table: cin-xl reads the census workbook (.xlsx, .xlsm) or "
                "census XML; paste its rows into the matching sheet of a workbook from `cin-xl template`")
    if kind == PDF:
        return f"{name} is a PDF document, not census data: {_WANTED}"
    if kind == WORD:
        return f"{name} is a Word or PowerPoint document, not census data: {_WANTED}"
    if kind == IMAGE:
        return f"{name} is a picture, not census data: {_WANTED}"
    if kind == PLAIN_TEXT and Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        return (f"{name} is not a readable .xlsx workbook: it holds plain text (a damaged file, or another kind of "
                f"file renamed): {_WANTED}")
    if kind == PLAIN_TEXT:
        return (f"{name} is a file of plain text, not census XML (census XML starts with <Message>): {_WANTED}; "
                "a CSV of census rows is pasted into the matching sheet of a workbook from `cin-xl template`")
    return None


__all__ = ["file_kind", "refusal", "WORKBOOK", "XLSB", "ODS", "XLS", "PROTECTED", "OTHER_ZIP", "CSV", "TEXT", "PDF",
           "WORD", "IMAGE", "PLAIN_TEXT"]
