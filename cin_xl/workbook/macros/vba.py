"""A minimal VBA project writer: the ``xl/vbaProject.bin`` of a macro-enabled workbook.

No library here writes VBA projects, so this module follows [MS-OVBA] (Office VBA File Format
Structure) directly. A VBA project is an OLE compound file (:mod:`.cfb`) holding::

    PROJECT          text: project properties, one line per module           (MS-OVBA 2.3.1)
    PROJECTwm        module names in MBCS and UTF-16                          (MS-OVBA 2.3.3)
    VBA/_VBA_PROJECT version-dependent cache; we write the empty one           (MS-OVBA 2.3.4.1)
    VBA/dir          compressed records: project info, references, modules    (MS-OVBA 2.3.4.2)
    VBA/<module>     each module's source code, compressed                    (MS-OVBA 2.3.4.3)

The module streams hold no compiled p-code (their ``MODULEOFFSET`` is 0) and ``_VBA_PROJECT``
says version 0xFFFF, which per MS-OVBA 2.3.4.1 tells the host to ignore the (absent) cache and
compile the project from its source when it is opened.

A project holds three kinds of module (MS-OVBA 2.3.1.3): *standard* (procedural) modules
(:func:`standard_module`, from a .bas file), *class* modules (:func:`class_module`, from a .cls
file) and *document modules* - ``ThisWorkbook`` and one per sheet, named by the sheet's
``codeName`` - which Excel always writes (:func:`document_module`). In the ``dir`` stream a
standard module's MODULETYPE record has Id 0x0021 and a class or document module's 0x0022
(MS-OVBA 2.3.4.2.3.2.8); the PROJECT stream tells them apart (``Module=``, ``Class=``,
``Document=``). Everything is deterministic: the same modules give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import struct
import uuid
from dataclasses import dataclass

from cin_xl.workbook.macros.cfb import compound_file

#: the code page of the project (PROJECTCODEPAGE): module source and names are stored in it
CODEPAGE = 1252
_ENCODING = "cp1252"
#: VB_Base of the document modules: the workbook and worksheet object classes of Excel
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
#: VB_Base of a class module, as Excel stores every class module (checked in the tests against
#: the VBA projects Excel saved in the xlwings package)
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
#: the "OLE Automation" type library every new VBA project references (MS-OVBA 2.3.4.2.2.5)
_STDOLE = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"

# ---------------------------------------------------------------------------------------------
# Compression (MS-OVBA 2.4.1): an LZ77 variant in chunks of 4096 bytes
# ---------------------------------------------------------------------------------------------

_CHUNK = 4096


def _copy_token_fields(difference: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) of a CopyToken ``difference`` bytes into its
    chunk (MS-OVBA 2.4.1.3.19.1 CopyToken Help): the offset takes the fewest bits that can
    reach back to the chunk start (at least 4), the length the other bits."""
    bit_count = max((difference - 1).bit_length(), 4)
    return bit_count, (0xFFFF >> bit_count) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    """The token sequences of one decompressed chunk (MS-OVBA 2.4.1.3.7-2.4.1.3.9).

    The match search is the one of MS-OVBA 2.4.1.3.19.4 - the longest earlier match in the chunk,
    the nearest one on a tie, used when at least 3 long - sped up by only trying earlier
    positions that start with the same 3 bytes."""
    out = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3 bytes -> earlier positions starting with them

    def remember(p: int) -> None:
        if p + 3 <= len(chunk):
            seen.setdefault(chunk[p:p + 3], []).append(p)

    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= len(chunk):
                break
            best_len, best_at = 0, 0
            most = len(chunk) - pos
            for cand in reversed(seen.get(chunk[pos:pos + 3], ())):
                n = 3
                while n < most and chunk[cand + n] == chunk[pos + n]:
                    n += 1
                if n > best_len:
                    best_len, best_at = n, cand
                    if n == most:
                        break
            if best_len >= 3:
                bit_count, max_len = _copy_token_fields(pos)
                length = min(best_len, max_len)
                out += struct.pack("<H", ((pos - best_at - 1) << (16 - bit_count)) | (length - 3))
                out[flag_at] |= 1 << bit
                for p in range(pos, pos + length):
                    remember(p)
                pos += length
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as a CompressedContainer (MS-OVBA 2.4.1.1.1 and 2.4.1.3.6).

    A signature byte 0x01, then one CompressedChunk per 4096 bytes of data, each with a 2-byte
    header: bits 0-11 the chunk's size minus 3, bits 12-14 the signature 0b011, bit 15 set when
    the chunk is compressed. A chunk that would not get smaller is stored raw (4096 bytes,
    zero-padded when it is the last one, as the spec says)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        body = _compress_chunk(chunk)
        if len(body) > _CHUNK:  # MS-OVBA 2.4.1.3.10: a raw chunk
            out += struct.pack("<H", 0x3000 | (_CHUNK - 1)) + chunk.ljust(_CHUNK, b"\x00")
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """The data of a CompressedContainer (MS-OVBA 2.4.1.3.1 Decompression Algorithm)."""
    if not container or container[0] != 0x01:
        raise ValueError("not a compressed container: its signature byte is not 0x01")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError("truncated chunk header")
        (header,) = struct.unpack_from("<H", container, pos)
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"bad chunk signature at byte {pos}")
        end = min(pos + (header & 0x0FFF) + 3, len(container))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:  # raw chunk: 4096 bytes as they are
            out += container[pos:pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not flags >> bit & 1:
                    out.append(container[pos])
                    pos += 1
                    continue
                (token,) = struct.unpack_from("<H", container, pos)
                pos += 2
                bit_count, _ = _copy_token_fields(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + 3
                offset = (token >> (16 - bit_count)) + 1
                if offset > len(out) - chunk_start:
                    raise ValueError("copy token reaches before its chunk")
                for _ in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[-offset])
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Data encryption of the PROJECT stream's protection fields (MS-OVBA 2.4.3)
# ---------------------------------------------------------------------------------------------


def encrypt(data: bytes, project_id: str, seed: int) -> str:
    """``data`` obfuscated as MS-OVBA 2.4.3.2 says, as the hex digits the PROJECT stream holds.

    Layout (2.4.3.1): Seed, VersionEnc, ProjKeyEnc, IgnoredEnc ((Seed & 6) / 2 bytes),
    DataLengthEnc (4 bytes), DataEnc; each byte after the third is XORed with the sum of the
    previous plain byte and the encrypted byte two back."""
    version, proj_key = 2, sum(project_id.encode(_ENCODING)) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    plain1, enc1, enc2 = proj_key, seed ^ proj_key, seed ^ version
    ignored = bytes((seed & 6) // 2)  # arbitrary bytes; zeros
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + plain1) & 0xFF)
        out.append(enc)
        plain1, enc1, enc2 = byte, enc, enc1
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """The data of an encrypted field (MS-OVBA 2.4.3.3 Decryption), for tests and readers."""
    raw = bytes.fromhex(text)
    seed, version_enc, proj_key_enc = raw[:3]
    if seed ^ version_enc != 2:
        raise ValueError("not version 2 data encryption")
    plain1, enc1, enc2 = seed ^ proj_key_enc, proj_key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + plain1) & 0xFF)
        plain.append(byte)
        plain1, enc1, enc2 = byte, enc, enc1
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    data = bytes(plain[ignored + 4:])
    if len(data) != length:
        raise ValueError(f"encrypted data says {length} bytes but holds {len(data)}")
    return data


# ---------------------------------------------------------------------------------------------
# The project
# ---------------------------------------------------------------------------------------------


#: the kinds of module we write: the ``kind`` of :class:`Module`
MODULE_KINDS = ("standard", "class", "document")


@dataclass(frozen=True)
class Module:
    """A VBA module of ``kind`` ``"standard"``, ``"class"`` or ``"document"`` (the document module
    of the workbook or a sheet). ``source`` is the source as stored in the project: it starts
    with the module's ``Attribute`` lines."""

    name: str
    source: str
    kind: str = "standard"

    def __post_init__(self) -> None:
        if self.kind not in MODULE_KINDS:
            raise ValueError(f"module {self.name!r}: kind {self.kind!r} is not one of {MODULE_KINDS}")


def _attribute_name(source: str) -> str | None:
    first = source.lstrip("\ufeff").split("\n", 1)[0].strip()
    prefix = "Attribute VB_Name = "
    return first[len(prefix):].strip('"') if first.startswith(prefix) else None


def standard_module(name: str, source: str) -> Module:
    """A standard module: ``source`` as a .bas file has it (with or without its leading
    ``Attribute VB_Name`` line, which must then name ``name``)."""
    found = _attribute_name(source)
    if found is None:
        source = f'Attribute VB_Name = "{name}"\r\n' + source
    elif found != name:
        raise ValueError(f"module {name!r}: its source says Attribute VB_Name = {found!r}")
    return Module(name, source.lstrip("\ufeff"))


def document_module(name: str, base: str) -> Module:
    """An empty document module (``base``: :data:`WORKBOOK_BASE` or :data:`WORKSHEET_BASE`),
    with the attributes Excel gives one."""
    lines = [f'Attribute VB_Name = "{name}"', f'Attribute VB_Base = "{base}"',
             "Attribute VB_GlobalNameSpace = False", "Attribute VB_Creatable = False",
             "Attribute VB_PredeclaredId = True", "Attribute VB_Exposed = True",
             "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = True"]
    return Module(name, "\r\n".join(lines) + "\r\n", kind="document")


#: the header attributes of a stored class module, in the order Excel stores them, with the
#: values the VBE gives those a .cls file leaves out (a new class module is private: not exposed)
_CLASS_HEADER = {"VB_Name": None, "VB_Base": f'"{CLASS_BASE}"', "VB_GlobalNameSpace": "False",
                 "VB_Creatable": "False", "VB_PredeclaredId": "False", "VB_Exposed": "False",
                 "VB_TemplateDerived": "False", "VB_Customizable": "False"}
_ATTRIBUTE = re.compile(r"Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*", re.IGNORECASE)


def class_module(name: str, source: str) -> Module:
    """A class module: ``source`` as a .cls file exported from the VBE has it.

    A .cls file starts with an export header - ``VERSION 1.0 CLASS`` and a ``BEGIN`` ... ``END``
    block (``MultiUse = -1``) - then the ``Attribute VB_...`` lines of the module, then the code.
    Excel stores the source without the export header but with the attributes, and with the
    header attributes completed and in a fixed order: ``VB_Name``, ``VB_Base`` (the class base
    :data:`CLASS_BASE`), ``VB_GlobalNameSpace``, ``VB_Creatable``, ``VB_PredeclaredId``,
    ``VB_Exposed``, ``VB_TemplateDerived``, ``VB_Customizable``, then any others (such as
    ``VB_Description``) as given; the attributes of procedures (``Attribute Item.VB_UserMemId``)
    stay in the code. This makes that stored form (a missing ``VB_Name`` is added; one naming
    another module is an error)."""
    lines = source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    at = 0
    if lines[0].strip().upper().startswith("VERSION"):
        if lines[0].split()[-1].upper() != "CLASS":
            raise ValueError(f"module {name!r}: {lines[0].strip()!r} is not the header of a class module")
        at = 1
    if at < len(lines) and lines[at].strip().upper() == "BEGIN":
        end = next((i for i in range(at + 1, len(lines)) if lines[i].strip().upper() == "END"), None)
        if end is None:
            raise ValueError(f"module {name!r}: BEGIN without END in its header")
        at = end + 1
    given: dict[str, tuple[str, str]] = {}  # lower-case name -> (name, value), in source order
    while at < len(lines) and (m := _ATTRIBUTE.fullmatch(lines[at])):
        key, value = m.groups()
        if key.lower() in given:
            raise ValueError(f"module {name!r}: attribute {key} is given twice")
        given[key.lower()] = (key, value)
        at += 1
    found = given.pop("vb_name", (None, f'"{name}"'))[1].strip('"')
    if found != name:
        raise ValueError(f"module {name!r}: its source says Attribute VB_Name = {found!r}")
    header = [f'Attribute VB_Name = "{name}"']
    for key, default in list(_CLASS_HEADER.items())[1:]:
        header.append(f"Attribute {key} = {given.pop(key.lower(), (key, default))[1]}")
    header += [f"Attribute {key} = {value}" for key, value in given.values()]
    return Module(name, "\r\n".join(header + lines[at:]), kind="class")


def _description(module: Module) -> str:
    """The module's ``VB_Description`` attribute as text (Excel also keeps it in the dir stream's
    MODULEDOCSTRING): the string literal unquoted, ``""`` a quote and ``\\r``, ``\\n`` the control
    characters, as Excel turns xlwings' Dictionary description into its MODULEDOCSTRING."""
    for line in module.source.split("\n"):
        m = _ATTRIBUTE.fullmatch(line.rstrip("\r"))
        if not m:
            break
        if m.group(1).lower() == "vb_description" and len(m.group(2)) >= 2 and m.group(2)[0] == m.group(2)[-1] == '"':
            text = m.group(2)[1:-1].replace('""', '"')
            return text.replace("\\r", "\r").replace("\\n", "\n")
    return ""


def _mbcs(text: str) -> bytes:
    return text.encode(_ENCODING)


def _source_bytes(module: Module) -> bytes:
    """Module source as stored: CRLF line ends, in the project code page, ending in a newline."""
    text = module.source.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    try:
        return _mbcs(text.replace("\n", "\r\n"))
    except UnicodeEncodeError as exc:
        raise ValueError(f"module {module.name!r} has a character outside code page {CODEPAGE}") from exc


def _record(rid: int, data: bytes) -> bytes:
    """A dir stream record: Id (2 bytes), Size (4 bytes), then Size bytes."""
    return struct.pack("<HI", rid, len(data)) + data


def _text_records(rid: int, text: str, unicode_rid: int) -> bytes:
    """A record with MBCS text followed by its UTF-16 twin (the 'Reserved' Id of MS-OVBA is the
    twin's record Id, e.g. 0x0040 after PROJECTDOCSTRING)."""
    return _record(rid, _mbcs(text)) + _record(unicode_rid, text.encode("utf-16-le"))


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def dir_stream(project_name: str, modules: list[Module]) -> bytes:
    """The decompressed ``dir`` stream (MS-OVBA 2.3.4.2): PROJECTINFORMATION, PROJECTREFERENCES,
    PROJECTMODULES, then the terminator."""
    out = bytearray()
    # 2.3.4.2.1 PROJECTINFORMATION
    out += _record(0x0001, _u32(1))            # PROJECTSYSKIND: 32-bit Windows
    out += _record(0x0002, _u32(0x0409))       # PROJECTLCID: en-US, as the spec requires
    out += _record(0x0014, _u32(0x0409))       # PROJECTLCIDINVOKE
    out += _record(0x0003, _u16(CODEPAGE))     # PROJECTCODEPAGE
    out += _record(0x0004, _mbcs(project_name))  # PROJECTNAME
    out += _text_records(0x0005, "", 0x0040)   # PROJECTDOCSTRING
    out += _text_records(0x0006, "", 0x003D)   # PROJECTHELPFILEPATH (HelpFile1, HelpFile2)
    out += _record(0x0007, _u32(0))            # PROJECTHELPCONTEXT
    out += _record(0x0008, _u32(0))            # PROJECTLIBFLAGS
    # PROJECTVERSION: Id, Reserved (=4, in the place of a size), VersionMajor (4), VersionMinor (2)
    out += _u16(0x0009) + _u32(4) + _u32(1) + _u16(0)
    out += _text_records(0x000C, "", 0x003C)   # PROJECTCONSTANTS
    # 2.3.4.2.2 PROJECTREFERENCES: stdole, as a REFERENCENAME then a REFERENCEREGISTERED
    out += _text_records(0x0016, "stdole", 0x003E)
    libid = _mbcs(_STDOLE)
    out += _record(0x000D, _u32(len(libid)) + libid + _u32(0) + _u16(0))
    # 2.3.4.2.3 PROJECTMODULES
    out += _record(0x000F, _u16(len(modules)))
    out += _record(0x0013, _u16(0xFFFF))       # PROJECTCOOKIE
    for m in modules:
        out += _record(0x0019, _mbcs(m.name))                   # MODULENAME
        out += _record(0x0047, m.name.encode("utf-16-le"))      # MODULENAMEUNICODE
        out += _text_records(0x001A, m.name, 0x0032)            # MODULESTREAMNAME
        out += _text_records(0x001C, _description(m), 0x0048)   # MODULEDOCSTRING
        out += _record(0x0031, _u32(0))                         # MODULEOFFSET: source at byte 0
        out += _record(0x001E, _u32(0))                         # MODULEHELPCONTEXT
        out += _record(0x002C, _u16(0xFFFF))                    # MODULECOOKIE
        out += _record(0x0021 if m.kind == "standard" else 0x0022, b"")  # MODULETYPE (2.3.4.2.3.2.8)
        out += _record(0x002B, b"")                             # terminator of the module
    out += _record(0x0010, b"")                                 # terminator of dir
    return bytes(out)


def project_stream(project_name: str, modules: list[Module], project_id: str) -> bytes:
    """The PROJECT stream (MS-OVBA 2.3.1): ``Key=Value`` lines, the unprotected, visible state
    in CMG/DPB/GC (2.3.1.15-17, obfuscated by 2.4.3), then the host extender section."""
    seed = hashlib.sha256(project_id.encode()).digest()  # the spec wants random seeds; any will do
    no_password, visible = b"\x00", b"\xff"
    lines = [f'ID="{project_id}"']
    kinds = {"standard": "Module={}", "class": "Class={}", "document": "Document={}/&H00000000"}  # 2.3.1.3-6
    lines += [kinds[m.kind].format(m.name) for m in modules]
    lines += [f'Name="{project_name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{encrypt(_u32(0), project_id, seed[0])}"',    # ProjectProtectionState: none
              f'DPB="{encrypt(no_password, project_id, seed[1])}"',    # ProjectPassword: none
              f'GC="{encrypt(visible, project_id, seed[2])}"',     # ProjectVisibilityState: visible
              "", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
              ""]
    return _mbcs("\r\n".join(lines) + "\r\n")


def projectwm_stream(modules: list[Module]) -> bytes:
    """The PROJECTwm stream (MS-OVBA 2.3.3): each module name null-terminated in MBCS then in
    UTF-16, and a 2-byte terminator."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def vba_project(modules: list[Module], project_name: str = "VBAProject") -> bytes:
    """The ``vbaProject.bin`` compound file holding ``modules`` (document modules included)."""
    names = [m.name for m in modules]
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"module names must be unique (ignoring case): {names}")
    for n in names:
        if not (n[:1].isalpha() and n.isascii() and all(c.isalnum() or c == "_" for c in n) and len(n) <= 31):
            raise ValueError(f"{n!r} is not a VBA module name (a letter, then letters, digits or _)")
    digest = hashlib.sha256(b"\x00".join(_source_bytes(m) for m in modules)).digest()
    project_id = "{" + str(uuid.UUID(bytes=digest[:16])).upper() + "}"
    streams = {
        "PROJECT": project_stream(project_name, modules, project_id),
        "PROJECTwm": projectwm_stream(modules),
        # 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF ("compile from source"), Reserved2 0x00,
        # Reserved3 (2 bytes, undefined), no PerformanceCache
        "VBA/_VBA_PROJECT": _u16(0x61CC) + _u16(0xFFFF) + b"\x00" + _u16(0),
        "VBA/dir": compress(dir_stream(project_name, modules)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(_source_bytes(m))
    return compound_file(streams)


__all__ = ["CLASS_BASE", "MODULE_KINDS", "WORKBOOK_BASE", "WORKSHEET_BASE", "Module", "class_module", "compress",
           "decompress", "decrypt", "dir_stream", "document_module", "encrypt", "project_stream", "projectwm_stream",
           "standard_module", "vba_project"]
