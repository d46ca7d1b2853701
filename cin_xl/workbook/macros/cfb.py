"""A minimal writer of OLE compound files ([MS-CFB], version 3), the container of a VBA project.

A compound file is a small file system in 512-byte sectors::

    header (512 bytes)       signature, sector sizes, where the FAT, directory and mini FAT start
    FAT sectors              one 4-byte entry per sector: the next sector of its chain
    directory sectors        128-byte entries: the root, storages (folders) and streams (files)
    mini FAT sectors         the FAT of the mini stream
    the mini stream          streams smaller than 4096 bytes, in 64-byte mini sectors
    larger streams           each a chain of whole sectors

We write everything once, in that order, with each chain in consecutive sectors. Only what a
VBA project needs is supported: fewer than 109 FAT sectors (files up to about 6.8 MB), no DIFAT
sectors, no timestamps or class ids.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096            # streams smaller than this live in the mini stream (MS-CFB 2.2)
ENTRY = 128                   # size of a directory entry (MS-CFB 2.6.1)
FREESECT, ENDOFCHAIN, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD   # MS-CFB 2.1
NOSTREAM = 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_STORAGE, _STREAM, _ROOT = 1, 2, 5                                   # Object Type (2.6.1)
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    # filled in while writing
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _sort_key(name: str) -> tuple[int, str]:
    """Directory order of sibling names (MS-CFB 2.6.4): shorter first, then by upper-cased name."""
    return len(name), name.upper()


def _tree(siblings: list[_Entry], depth: int, deepest: int) -> int:
    """Link ``siblings`` (sorted) as a balanced binary search tree; return the root's id.

    A red-black tree is required (MS-CFB 2.6.4). Splitting at the middle gives a tree whose empty
    children are all at depth ``deepest`` or ``deepest + 1``; colouring the nodes of the deepest
    level red (below a black root) gives every path the same number of black nodes."""
    if not siblings:
        return NOSTREAM
    mid = len(siblings) // 2
    node = siblings[mid]
    node.color = _RED if depth == deepest and depth > 0 else _BLACK
    node.left = _tree(siblings[:mid], depth + 1, deepest)
    node.right = _tree(siblings[mid + 1:], depth + 1, deepest)
    return node.sid


def _sectors(size: int, unit: int = SECTOR) -> int:
    return -(-size // unit)


def _chain_fat(fat: list[int], start: int, count: int) -> None:
    """Mark ``count`` consecutive sectors from ``start`` as one chain."""
    for i in range(start, start + count - 1):
        fat[i] = i + 1
    if count:
        fat[start + count - 1] = ENDOFCHAIN


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams``, keyed by path ("PROJECT", "VBA/dir"): storages are
    made for the folders of the paths."""
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        *folders, name = path.split("/")
        node = root
        for folder in folders:
            node = node.children.setdefault(folder, _Entry(folder, _STORAGE))
            if node.kind != _STORAGE:
                raise ValueError(f"{path}: {folder} is a stream")
        if name in node.children:
            raise ValueError(f"{path} given twice")
        node.children[name] = _Entry(name, _STREAM, bytes(data))
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:  # depth first, each storage's children in directory order
        for n in entry.name:
            if n in "/\\:!":
                raise ValueError(f"{entry.name!r}: a name cannot hold / \\ : or !")
        if len(entry.name) > 31:
            raise ValueError(f"{entry.name!r}: names are at most 31 characters")
        entry.sid = len(entries)
        entries.append(entry)
        for child in sorted(entry.children.values(), key=lambda e: _sort_key(e.name)):
            number(child)

    number(root)
    for entry in entries:
        kids = sorted(entry.children.values(), key=lambda e: _sort_key(e.name))
        entry.child = _tree(kids, 0, max(len(kids).bit_length() - 1, 0))

    # the mini stream and its FAT: small streams in 64-byte mini sectors (MS-CFB 2.4)
    mini_fat: list[int] = []
    mini_stream = bytearray()
    big: list[_Entry] = []
    for e in entries:
        if e.kind != _STREAM or not e.data:
            continue
        if len(e.data) >= MINI_CUTOFF:
            big.append(e)
            continue
        e.start = len(mini_fat)
        count = _sectors(len(e.data), MINI_SECTOR)
        mini_fat += [0] * count
        _chain_fat(mini_fat, e.start, count)
        mini_stream += e.data.ljust(count * MINI_SECTOR, b"\x00")
    mini_fat += [FREESECT] * (-len(mini_fat) % (SECTOR // 4))  # whole sectors; unused entries free
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)

    # sector layout: FAT, directory, mini FAT, mini stream, large streams
    n_dir = _sectors(len(entries) * ENTRY)
    n_minifat = _sectors(len(mini_fat_bytes))
    n_mini = _sectors(len(mini_stream))
    n_content = n_dir + n_minifat + n_mini + sum(_sectors(len(e.data)) for e in big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_content:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for this writer (it needs DIFAT sectors)")
    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for i in range(n_fat):
        fat[i] = FATSECT
    at = n_fat
    dir_start = at
    _chain_fat(fat, at, n_dir)
    at += n_dir
    minifat_start = at if n_minifat else ENDOFCHAIN
    _chain_fat(fat, at, n_minifat)
    at += n_minifat
    root.start = at if n_mini else ENDOFCHAIN
    root.data = bytes(mini_stream)
    _chain_fat(fat, at, n_mini)
    at += n_mini
    for e in big:
        e.start = at
        _chain_fat(fat, at, _sectors(len(e.data)))
        at += _sectors(len(e.data))

    header = bytearray(SECTOR)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIII", header, 0, SIGNATURE, bytes(16),
                     0x003E, 0x0003, 0xFFFE,   # minor version, major version 3, little-endian mark
                     9, 6, bytes(6),           # sector size 2**9, mini sector size 2**6, reserved
                     0, n_fat, dir_start,      # directory sectors (0 in version 3), FAT sectors, dir start
                     0, MINI_CUTOFF,           # transaction signature, mini stream cutoff
                     minifat_start, n_minifat,
                     ENDOFCHAIN, 0)            # first DIFAT sector, DIFAT sectors: none
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    struct.pack_into("<109I", header, 76, *difat)

    directory = bytearray()
    for e in entries:
        utf16 = (e.name + "\x00").encode("utf-16-le")
        size = len(e.data) if e.kind in (_STREAM, _ROOT) else 0
        start = e.start if e.kind in (_STREAM, _ROOT) and size else (ENDOFCHAIN if e.kind != _STORAGE else 0)
        directory += struct.pack("<64sHBBIII16sIQQIQ", utf16, len(utf16), e.kind, e.color,
                                 e.left, e.right, e.child, bytes(16), 0, 0, 0, start, size)
    unused = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0)
    while len(directory) % SECTOR:
        directory += unused

    def pad(data: bytes) -> bytes:
        return data.ljust(_sectors(len(data)) * SECTOR, b"\x00")

    body = [struct.pack(f"<{len(fat)}I", *fat), bytes(directory), pad(mini_fat_bytes), pad(bytes(mini_stream))]
    body += [pad(e.data) for e in big]
    return bytes(header) + b"".join(body)


__all__ = ["compound_file"]
