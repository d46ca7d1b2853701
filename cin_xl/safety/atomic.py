"""Files written whole or not at all: a temporary file beside the target, renamed over it."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from cin_xl.progress import wrote
from cin_xl.safety.outputs import is_read_only
from cin_xl.safety.signals import Interrupted, signals_deferred
from cin_xl.safety.signals import check as check_signals


class Note(UserWarning):
    """Something a write did that the user should know, though nothing failed: the CLI prints each as one
    ``cin-xl: note: ...`` line on stderr."""


class OwnerChanged(Note):
    """A replaced file could not keep its owner (this account may not give a file to another)."""


class FolderMade(Note):
    """The output's folder did not exist and was made (a mistyped folder is then seen at once)."""


def _account(uid: int) -> str:
    try:
        import pwd

        return f"{pwd.getpwuid(uid).pw_name} (user id {uid})"
    except (ImportError, KeyError):
        return f"user id {uid}"


def _keep_owner(tmp: str, owner: tuple[int, int] | None) -> str | None:
    """Give the temporary file the owner and group of the file it replaces; what could not be kept, if any."""
    if owner is None or not hasattr(os, "chown"):
        return None
    st = os.stat(tmp)
    uid, gid = owner
    if (st.st_uid, st.st_gid) == owner:
        return None
    try:
        os.chown(tmp, uid, gid)
        return None
    except OSError:
        pass
    try:
        os.chown(tmp, -1, gid)  # the group, at least, if this account is in it
    except OSError:
        pass
    if os.stat(tmp).st_uid != uid:
        return f"the file now belongs to {_account(os.stat(tmp).st_uid)}, not to its owner {_account(uid)}"
    return "the file's group changed"


def write_atomic(path: str | os.PathLike, data: bytes | Callable[[BinaryIO], None], *,
                 before_replace: Callable[[], None] | None = None) -> None:
    """Write ``data`` (bytes, or a function writing into the open file) to ``path`` whole or not at all.
    ``before_replace`` runs just before the rename: it may refuse (raise) and then nothing is replaced.

    The bytes go to a temporary file next to the target, then are renamed over it; whatever stops the
    write (an error, a full disk, SIGINT/SIGTERM/SIGHUP: see :mod:`cin_xl.safety.signals`) deletes the
    temporary file. A read-only target is refused, not replaced; a replaced file keeps its
    permissions, and its owner and group where this account may give them (otherwise an
    :class:`OwnerChanged` warning says the owner changes); a symbolic link stays a link and its target is
    replaced.
    """
    given = Path(path)  # as the user named it, for the message
    path = Path(os.path.realpath(path))
    missing = next((f for f in reversed(path.parents) if not f.exists()), None)  # the first folder to make
    path.parent.mkdir(parents=True, exist_ok=True)
    if missing is not None:  # said, so a mistyped folder is seen at once
        warnings.warn(FolderMade(f"made the folder {missing} for {given.name}"), stacklevel=2)
    owner: tuple[int, int] | None = None
    changed: str | None = None
    if path.exists():
        if is_read_only(path):
            raise PermissionError(errno.EACCES, "read-only, so it was not replaced", str(path))
        st = os.stat(path)
        mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
    else:  # the permissions of any new file (mkstemp makes it private, 0600)
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp = handle = None
    replaced = False
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
            check_signals()  # a signal whose exception was lost on the way (see cin_xl.safety.signals.check)
            os.fsync(handle.fileno())
        with signals_deferred():
            check_signals()
            changed = _keep_owner(tmp, owner)  # before chmod: a change of owner clears set-id bits
            os.chmod(tmp, mode)
            if before_replace is not None:
                before_replace()
            os.replace(tmp, path)
            tmp, replaced = None, True
    except BaseException as exc:
        if replaced and isinstance(exc, Interrupted):  # held during the rename, delivered once it was done
            exc.written = str(given)
        with signals_deferred():
            if handle is not None:
                handle.close()
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        raise
    if changed:
        warnings.warn(OwnerChanged(f"{given} was replaced, but {changed}: this account may not give files to "
                                   "another; the owner may need to be given access again"), stacklevel=2)
    wrote(given)
