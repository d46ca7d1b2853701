"""What kind of file the user gave, told by its content as well as its name.

cin-xl reads census XML and Excel workbooks (.xlsx, .xlsm). Other spreadsheet files are common in
a local authority (an old .xls export, a .xlsb, LibreOffice's .ods, a CSV) and must get a message
that says what they are and what to do, not a parser error. :func:`file_kind` looks at the first
bytes (the zip and OLE2 signatures) and, for a zip, at its list of parts; :func:`refusal` gives the
message for a kind cin-xl cannot read.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the kinds :func:`file_kind` tells apart
WORKBOOK, XLSB, ODS, XLS, PROTECTED, OTHER_ZIP, CSV, TEXT = (
    "workbook", "xlsb", "ods", "xls", "protected", "zip", "csv", "text")

_ZIP = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: a password-protected .xlsx is an OLE2 file holding this stream (its name is stored as UTF-16)
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: how much of an OLE2 file is searched for that stream name
_OLE2_SCAN = 64 << 20
_SAVE_AS = "save it as an Excel Workbook (.xlsx), then give cin-xl that file"


def file_kind(path: str | os.PathLike) -> str:
    """One of :data:`WORKBOOK` (.xlsx/.xlsm content), :data:`XLSB`, :data:`ODS`, :data:`XLS`,
    :data:`PROTECTED`, :data:`OTHER_ZIP`, :data:`CSV` (by name) or :data:`TEXT` (anything else: XML
    or not, the XML reader says).

    Raises :class:`~cin_xl.errors.UnusableInput` for a damaged zip or one that would inflate too far
    (see :mod:`cin_xl.workbook.package.limits`)."""
    p = Path(path)
    with open(p, "rb") as fh:
        head = fh.read(128)
        if head.startswith(_OLE2):
            fh.seek(0)
            return PROTECTED if _ENCRYPTED_STREAM in fh.read(_OLE2_SCAN) else XLS
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
        return OTHER_ZIP
    if p.suffix.lower() in (".csv", ".tsv"):
        return CSV
    return TEXT


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
    return None


__all__ = ["file_kind", "refusal", "WORKBOOK", "XLSB", "ODS", "XLS", "PROTECTED", "OTHER_ZIP", "CSV", "TEXT"]
