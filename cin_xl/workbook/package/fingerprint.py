"""Was a file changed since it was read? Size, modification time and the SHA-256 of its bytes."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cin_xl.errors import UnusableInput


@dataclass(frozen=True)
class Fingerprint:
    """Size, modification time and SHA-256 of a file's bytes."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike, data: bytes | None = None) -> Fingerprint:
        st = os.stat(path)
        if data is None:
            data = Path(path).read_bytes()
        return cls(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())

    def quick_match(self, path: Path) -> bool:
        try:
            st = os.stat(path)
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


def check_unchanged(path: Path, expect: Fingerprint) -> None:
    """Raise :class:`UnusableInput` when the file at ``path`` is not the one read (size, time, content)."""
    same = expect.quick_match(path)
    if same:
        try:
            same = Fingerprint.of(path) == expect
        except OSError:
            same = False
    if not same:
        raise UnusableInput(f"{path} was changed by another program while cin-xl was working on it; nothing "
                            "was written. Run again to mark the saved version.")



__all__ = ["Fingerprint", "check_unchanged"]
