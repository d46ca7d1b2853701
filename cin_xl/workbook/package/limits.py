"""Bounds on what opening a workbook package may cost: a zip that would inflate too far is refused.

A workbook is a zip of XML parts. A census workbook of the largest authority unpacks to a few tens
of MB; a crafted one (a "zip bomb") can unpack a 1 MB file to gigabytes. :class:`BoundedZip` refuses,
quickly and with one line (:class:`~cin_xl.errors.UnusableInput`, exit 2):

- a file bigger than :data:`MAX_FILE` on disk, or whose zip directory lists more than
  :data:`MAX_PARTS` parts (read from the end record before the directory is parsed);
- parts whose sizes, as the zip directory declares them, add up to more than :data:`MAX_UNPACKED`,
  or one part over :data:`RATIO_FLOOR` packed more than :data:`MAX_RATIO` times;
- while a part is actually unpacked (declared sizes can lie): more bytes than it declared, or more
  than :data:`MAX_UNPACKED` in all.

Messages name a part by a short prefix of its name only (:func:`short`): no message echoes a value
from the file at length.
"""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

from cin_xl.errors import UnusableInput

MB = 1 << 20
#: the file on disk (a 20,000-child workbook is about 2.5 MB)
MAX_FILE = 256 * MB
#: all parts unpacked (the same workbook unpacks to about 22 MB)
MAX_UNPACKED = 512 * MB
#: packed-to-unpacked ratio of one part (census XML packs about 10 times) ...
MAX_RATIO = 200
#: ... counted for parts that unpack to more than this
RATIO_FLOOR = 16 * MB
#: parts listed in the zip directory (a workbook has a few dozen)
MAX_PARTS = 10_000
#: Excel's most cell formats in a workbook (``cellXfs``): annotate adds none past it
MAX_CELL_FORMATS = 64_000
#: cell formats read from a styles part (both lists): Excel writes at most 64,000; more are refused before
#: they are parsed (1.5 million took 3 GB)
MAX_STYLE_RECORDS = 200_000
#: shared strings read (different texts of the workbook): 20,000 children have a few hundred thousand
MAX_SHARED_STRINGS = 4_000_000
#: the most bytes one read hands over (the XML parser asks for 64 KB at a time)
CHUNK = 1 << 20

_REFUSED = "refused as a damaged file or a zip bomb; nothing was read or changed"


def short(value: object, limit: int = 40) -> str:
    """``value`` as text for a message: one line, at most ``limit`` characters and an ellipsis."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "..."


def reason(exc: BaseException) -> str:
    """What went wrong, for a message: the exception's own words, or, when it has none (a file that
    ended early, or changed while it was read), those."""
    text = short(exc, 60)
    return text or "it ends before its end: was the file changed while it was read? Run again"


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


def _directory_size(fh) -> int | None:
    """Bytes of the zip's central directory, from its end record; None when there is no end record."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    tail = min(size, 22 + 0xFFFF)  # the end record, and a comment of up to 64 KB before it
    fh.seek(size - tail)
    data = fh.read(tail)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    return struct.unpack("<I", data[at + 12:at + 16])[0]


class _Budget:
    def __init__(self, name: str):
        self.name = name
        self.spent = 0

    def spend(self, n: int) -> None:
        self.spent += n
        if self.spent > MAX_UNPACKED:
            raise UnusableInput(f"{self.name}: its parts unpack to more than {_mb(MAX_UNPACKED)}, far beyond any "
                                f"census workbook: {_REFUSED}")


class BoundedPart:
    """A part being unpacked, read by the XML parser: stops at the declared size and at the budget."""

    def __init__(self, raw, member: str, declared: int, budget: _Budget):
        self._raw = raw
        self._member = member
        self._left = declared
        self._budget = budget

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > CHUNK:
            size = CHUNK
        try:
            # one byte past the declared size tells a part that lies about it
            data = self._raw.read(min(size, self._left + 1))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise UnusableInput(f"{self._budget.name}: part {short(self._member)} is damaged "
                                f"({reason(exc)}); save the workbook again from Excel") from None
        self._left -= len(data)
        if self._left < 0:
            raise UnusableInput(f"{self._budget.name}: part {short(self._member)} unpacks to more than its zip "
                                f"directory says: {_REFUSED}")
        self._budget.spend(len(data))
        return data

    def close(self) -> None:
        self._raw.close()


class BoundedZip:
    """A workbook's zip, checked on opening; :meth:`open` gives parts that are checked while unpacked."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        name = self.path.name
        self.budget = _Budget(name)
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise UnusableInput(f"{name}: cannot read the file ({exc.strerror or exc})") from None
        if size > MAX_FILE:
            raise UnusableInput(f"{name}: the file is {_mb(size)}, far beyond any census workbook "
                                f"(at most {_mb(MAX_FILE)}); nothing was read or changed")
        self._fh = open(self.path, "rb")
        try:
            directory = _directory_size(self._fh)
            if directory is not None and directory > MAX_PARTS * 400:
                raise UnusableInput(f"{name}: its zip directory is {_mb(directory)}, listing far more parts than "
                                    f"any workbook has: {_REFUSED}")
            self._fh.seek(0)
            try:
                self.zip = zipfile.ZipFile(self._fh)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
                raise UnusableInput(f"{name}: not a readable .xlsx workbook (the zip is damaged: {reason(exc)}); "
                                    "save it again as .xlsx from Excel or LibreOffice") from None
            self._check_directory()
        except BaseException:
            self._fh.close()
            raise
        self.members = {i.filename: i for i in self.zip.infolist()}

    def _check_directory(self) -> None:
        name = self.path.name
        infos = self.zip.infolist()
        if len(infos) > MAX_PARTS:
            raise UnusableInput(f"{name}: its zip directory lists {len(infos):,} parts, far more than any workbook "
                                f"has: {_REFUSED}")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise UnusableInput(f"{name}: part {short(info.filename)} would unpack {ratio:,} times over, to "
                                    f"{_mb(info.file_size)}: {_REFUSED}")
        if total > MAX_UNPACKED:
            raise UnusableInput(f"{name}: its parts would unpack to {_mb(total)}, more than the "
                                f"{_mb(MAX_UNPACKED)} any census workbook needs: {_REFUSED}")

    def has(self, member: str) -> bool:
        return member in self.members

    def open(self, member: str) -> BoundedPart:
        info = self.members[member]
        try:
            raw = self.zip.open(info)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, OSError) as exc:
            # RuntimeError: an encrypted part; NotImplementedError: a compression zipfile cannot unpack
            raise UnusableInput(f"{self.path.name}: part {short(member)} cannot be unpacked ({reason(exc)}); "
                                "save the workbook again as .xlsx from Excel or LibreOffice") from None
        return BoundedPart(raw, member, info.file_size, self.budget)

    def close(self) -> None:
        self.zip.close()
        self._fh.close()

    def __enter__(self) -> BoundedZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["BoundedZip", "BoundedPart", "short", "MAX_UNPACKED", "MAX_RATIO", "RATIO_FLOOR", "MAX_FILE",
           "MAX_PARTS"]
