"""Census XML out: the DfE layout, exactly, from a :class:`CensusReturn`.

Element order and nesting come from the spec; empty values are not written; the same return gives
the same bytes. Every export is checked against the year's XSD before any file is written, and
the file is written whole (temporary file, then renamed) or not at all.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from lxml import etree

from cin_xl.findings import plural
from cin_xl.progress import phase, wrote
from cin_xl.model import CensusReturn, Node, ROOT_ELEMENT
from cin_xl.signals import check as check_signals, signals_deferred
from cin_xl.spec import fields_of
from cin_xl.values import format_value, is_missing
from cin_xl.years import CensusYear
from cin_xl.xml.xsd import schema_problems


class ExportRefused(Exception):
    """The XML would not pass the census schema; nothing was written."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        first = "; ".join(f"{path}: {msg}" for _, path, msg in problems[:3])
        super().__init__(f"the return does not fit the census schema ({plural(len(problems), 'problem')}): {first}")


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
#: element -> (record, field name or None): what each written element came from
Index = dict[etree._Element, tuple[Node, str | None]]


def _fill(el: etree._Element, node: Node, year: CensusYear, index: Index | None) -> None:
    if index is not None:
        index[el] = (node, None)

    def sub(parent: etree._Element, tag: str, field: str) -> etree._Element:
        child = etree.SubElement(parent, tag)
        if index is not None:
            index[child] = (node, field)
        return child

    for f in fields_of(type(node), year):
        value = getattr(node, f.name)
        spec = f.spec
        if f.is_group:
            members = value if f.many else ([] if value is None else [value])
            if spec.wrapper:
                if not members:
                    continue
                el_parent = sub(el, spec.wrapper, f.name)
            else:
                el_parent = el
            for member in members:
                _fill(etree.SubElement(el_parent, spec.xml), member, year, index)
        elif spec.many:
            values = [v for v in value if not is_missing(v)]
            if values:
                wrapper = sub(el, spec.wrapper, f.name)
                for v in values:
                    sub(wrapper, spec.xml, f.name).text = format_value(spec.kind, v)
        elif not is_missing(value):
            sub(el, spec.xml, f.name).text = format_value(spec.kind, value)


def to_tree(census: CensusReturn, year: CensusYear, *, index: Index | None = None) -> etree._Element:
    """The census XML as an element tree; ``index``, when given, is filled with what each element came from."""
    root = etree.Element(ROOT_ELEMENT)
    _fill(root, census, year, index)
    return root


def to_xml_bytes(census: CensusReturn, year: CensusYear, *, check: bool = True) -> bytes:
    """The census XML of ``census`` for ``year``; raises :class:`ExportRefused` if it breaks the XSD."""
    root = to_tree(census, year)
    if check:
        problems = schema_problems(root, year)
        if problems:
            del root  # the traceback keeps this frame: let the tree go while the caller locates the problems
            raise ExportRefused(problems)
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def write_atomic(path: str | os.PathLike, data: bytes | Callable[[BinaryIO], None], *,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write ``data`` (bytes, or a function writing into the open file) to ``path`` whole or not at all.
    ``before_replace`` runs just before the rename: it may refuse (raise) and then nothing is replaced.

    The bytes go to a temporary file next to the target, then are renamed over it; whatever stops the
    write (an error, a full disk, SIGINT/SIGTERM/SIGHUP: see :mod:`cin_xl.signals`) deletes the
    temporary file. A read-only target is refused, not replaced; a replaced file keeps its
    permissions; a symbolic link stays a link and its target is replaced.
    """
    given = Path(path)  # as the user named it, for the message
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        from cin_xl.outputs import is_read_only

        if is_read_only(path):
            raise PermissionError(errno.EACCES, "read-only, so it was not replaced", str(path))
        mode = stat.S_IMODE(os.stat(path).st_mode)
    else:  # the permissions of any new file (mkstemp makes it private, 0600)
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = handle = None
    try:
        with signals_deferred():  # the temporary file exists only once its name is known here
            try:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            except OSError as exc:  # name the file the user asked for, not our temporary one
                raise OSError(exc.errno, f"cannot write there ({exc.strerror})", str(path)) from None
            handle = os.fdopen(fd, "wb")
        with handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
            handle.flush()
            check_signals()  # a signal whose exception was lost on the way (see cin_xl.signals.check)
            os.fsync(handle.fileno())
        with signals_deferred():
            check_signals()
            os.chmod(tmp, mode)
            if before_replace is not None:
                before_replace()
            os.replace(tmp, path)
            tmp = None
    except BaseException:
        with signals_deferred():
            if handle is not None:
                handle.close()
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        raise
    wrote(given)


def write_xml(census: CensusReturn, year: CensusYear, path: str | os.PathLike, *, check: bool = True) -> None:
    with phase(f"Writing {Path(path).name}"):
        data = to_xml_bytes(census, year, check=check)
    write_atomic(path, data)
