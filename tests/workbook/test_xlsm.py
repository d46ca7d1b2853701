"""The macro-enabled workbook: VBA compression, the compound file, the VBA project and the .xlsm.

Every file we write is read back by something other than our own writer: the MS-OVBA spec's
compression example, a VBA project Excel wrote (the xlwings package ships one), olefile (an
independent compound file reader), olevba (an independent VBA project reader), openpyxl and,
where it is installed, LibreOffice, which imports the VBA modules as Basic and the buttons as form
controls wired to the macros.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import os
import random
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.cli import main
from cin_xl.workbook import template_bytes
from cin_xl.workbook.macros.cfb import compound_file
from cin_xl.workbook.macros.vba import (
    CLASS_BASE,
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    Module,
    class_module,
    compress,
    decompress,
    decrypt,
    dir_stream,
    document_module,
    encrypt,
    standard_module,
    vba_project,
)
from cin_xl.workbook.macros.xlsm import (
    CIN_XL_MACROS,
    Button,
    _Geometry,
    cin_xl_buttons,
    cin_xl_module,
    macro_workbook,
    xlsm_bytes,
    xlwings_dictionary_class,
    xlwings_module,
)

olefile = pytest.importorskip("olefile")

Y = CensusYear.parse("2026-27")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XLWINGS_DIR = Path(importlib.util.find_spec("xlwings").origin).parent


# ---------------------------------------------------------------------------------------------
# Compression (MS-OVBA 2.4.1)
# ---------------------------------------------------------------------------------------------


def test_compression_matches_the_spec_example():
    """MS-OVBA 3.2.2 Normal Compression Example, byte for byte, both ways."""
    text = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    packed = bytes.fromhex("01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20"
                           " 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C")
    assert compress(text) == packed
    assert decompress(packed) == text


def test_no_compression_example():
    """A text with no repeats: flag bytes of literals only (the spec's "no compression" example)."""
    text = b"abcdefghijklmnopqrstuv."
    packed = bytes.fromhex("01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
    assert compress(text) == packed
    assert decompress(packed) == text


def test_long_runs_and_chunks():
    for data in (b"", b"a", b"ab", b"aaa", b"a" * 4096, b"a" * 4097, b"a" * 20000,
                 bytes(range(256)) * 40, (b"Sub X()\r\n    Y\r\nEnd Sub\r\n" * 600)):
        packed = compress(data)
        assert decompress(packed) == data
        # every chunk is a compressed chunk of at most 4096 decompressed bytes
        assert len(data) <= 4096 * sum(1 for _ in _chunk_headers(packed))
    assert len(compress(b"a" * 20000)) < 60


def _chunk_headers(packed: bytes):
    pos = 1
    while pos < len(packed):
        (header,) = struct.unpack_from("<H", packed, pos)
        assert header >> 12 & 0b111 == 0b011
        yield header
        pos += (header & 0x0FFF) + 3


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=9000) | st.text("ab \r\nSubEnd()\"'", max_size=9000).map(str.encode))
def test_compression_round_trips(data):
    assert decompress(compress(data)) == data


def test_incompressible_chunks_are_stored_raw():
    data = random.Random(0).randbytes(8192)  # random: too few 3-byte repeats to pay for the flag bytes
    packed = compress(data)
    headers = list(_chunk_headers(packed))
    assert headers == [0x3FFF, 0x3FFF]  # raw: flag 0, size 4098
    assert decompress(packed) == data


def test_the_xlwings_module_round_trips():
    source = (XLWINGS_DIR / "xlwings.bas").read_bytes()
    packed = compress(source)
    assert decompress(packed) == source
    assert len(packed) < len(source) / 2


# ---------------------------------------------------------------------------------------------
# A VBA project written by Excel: our decompressor, decryption and document modules against it
# ---------------------------------------------------------------------------------------------


def _dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """(id, data) of the records of a decompressed dir stream (MS-OVBA 2.3.4.2)."""
    out, pos = [], 0
    while pos < len(data):
        rid, size = struct.unpack_from("<HI", data, pos)
        if rid == 0x0009:  # PROJECTVERSION: its "size" is a reserved 4, then 6 bytes
            size = 6
        out.append((rid, data[pos + 6:pos + 6 + size]))
        pos += 6 + size
    return out


@pytest.fixture(scope="module")
def excel_project():
    """The vbaProject.bin of quickstart_standalone.xlsm, a workbook saved by Excel, shipped by xlwings."""
    path = XLWINGS_DIR / "quickstart_standalone.xlsm"
    if not path.exists():
        pytest.skip("this xlwings has no quickstart_standalone.xlsm")
    with zipfile.ZipFile(path) as z:
        return olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))


def test_decompress_reads_excel_streams(excel_project):
    records = _dir_records(decompress(excel_project.openstream("VBA/dir").read()))
    names = [data.decode("cp1252") for rid, data in records if rid == 0x0019]
    assert "ThisWorkbook" in names and "xlwings" in names
    offsets = [struct.unpack("<I", data)[0] for rid, data in records if rid == 0x0031]
    for name, offset in zip(names, offsets):
        source = decompress(excel_project.openstream(f"VBA/{name}").read()[offset:])
        assert source.startswith(f'Attribute VB_Name = "{name}"'.encode())
        # our document modules hold exactly what Excel writes for an empty one
        if name == "ThisWorkbook":
            assert source.decode("cp1252") == document_module(name, WORKBOOK_BASE).source
        elif name.startswith("Sheet"):
            assert source.decode("cp1252") == document_module(name, WORKSHEET_BASE).source


def test_our_module_records_follow_excel(excel_project):
    """Record by record, a module of our dir stream has the records of one Excel wrote."""
    theirs = [rid for rid, _ in _dir_records(decompress(excel_project.openstream("VBA/dir").read()))]
    ours = [rid for rid, _ in _dir_records(dir_stream("VBAProject", [standard_module("A", "Sub B()\nEnd Sub\n")]))]
    module = ours[ours.index(0x0019):]
    standard = theirs.index(0x0021)  # MODULETYPE of their first standard module; back to its MODULENAME
    start = max(i for i in range(standard) if theirs[i] == 0x0019)
    assert theirs[start:start + len(module) - 1] == module[:-1]  # ... then our end-of-dir record
    assert ours[-1] == theirs[-1] == 0x0010
    assert ours[:ours.index(0x000C) + 2] == theirs[:theirs.index(0x000C) + 2]  # project information


def test_decrypt_reads_excel_protection_fields(excel_project):
    text = excel_project.openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(\w+)="([^"]*)"', text, re.MULTILINE))
    assert decrypt(fields["CMG"]) == b"\x00\x00\x00\x00"  # not protected
    assert decrypt(fields["DPB"]) == b"\x00"              # no password
    assert decrypt(fields["GC"]) == b"\xff"               # visible
    # the project key is the byte sum of the project id, braces and all (MS-OVBA 2.4.3.2)
    raw = bytes.fromhex(fields["CMG"])
    assert raw[0] ^ raw[2] == sum(fields["ID"].encode()) & 0xFF


def _excel_modules(path: Path | io.BytesIO) -> dict[str, tuple[list[tuple[int, bytes]], bytes]]:
    """Module name -> (its dir records, its decompressed source) of the VBA project of the
    workbook or add-in Excel saved at ``path``."""
    with zipfile.ZipFile(path) as z:
        ole = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
    records = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    out = {}
    for start, (rid, name) in enumerate(records):
        if rid == 0x0019:
            end = next(i for i in range(start, len(records)) if records[i][0] == 0x002B)
            module = records[start:end + 1]
            (offset,) = struct.unpack("<I", dict(module)[0x0031])
            source = decompress(ole.openstream(f"VBA/{name.decode('cp1252')}").read()[offset:])
            out[name.decode("cp1252")] = (module, source)
    return out


#: workbooks and add-ins saved by Excel, shipped by xlwings, whose projects hold the Dictionary class
EXCEL_WITH_DICTIONARY = ["quickstart_standalone.xlsm", "addin/xlwings.xlam"]


def _header(source: bytes) -> list[bytes]:
    lines = source.split(b"\r\n")
    return lines[:next(i for i, line in enumerate(lines) if not line.startswith(b"Attribute "))]


@pytest.mark.parametrize("name", EXCEL_WITH_DICTIONARY)
def test_class_module_is_stored_as_excel_stores_it(name):
    """Our Dictionary class module, made from xlwings' Dictionary.cls, against the one Excel
    stored: no VERSION/BEGIN/END export header, the same Attribute lines in the same order, the
    same code. Only the case of identifiers may differ: the VBE re-cases an identifier everywhere in
    a project after its last spelling (``err.Raise`` in quickstart_standalone.xlsm)."""
    path, cls = XLWINGS_DIR / name, xlwings_dictionary_class()
    if not path.exists() or cls is None:
        pytest.skip(f"this xlwings has no {name} or no addin/Dictionary.cls")
    modules = _excel_modules(path)
    records, theirs = modules["Dictionary"]
    ours = class_module("Dictionary", cls).source.encode("cp1252")
    assert _header(ours) == _header(theirs)
    assert _header(ours)[:2] == [b'Attribute VB_Name = "Dictionary"', f'Attribute VB_Base = "{CLASS_BASE}"'.encode()]
    assert ours.lower() == theirs.lower()
    assert b"VERSION 1.0 CLASS" in cls.encode() and b"VERSION" not in ours.split(b"\r\n", 1)[0]
    # its dir records: Excel's, record for record, with the description in MODULEDOCSTRING
    mine = _excel_modules_of(vba_project([class_module("Dictionary", cls)]))["Dictionary"][0]
    assert [r for r, _ in mine] == [r for r, _ in records]
    assert dict(records)[0x0022] == b"" and 0x0021 not in dict(records)  # Excel's class: MODULETYPE 0x0022
    for rid in (0x0019, 0x0047, 0x001A, 0x0032, 0x001C, 0x0048, 0x0022):  # names, docstrings, type
        assert dict(mine)[rid] == dict(records)[rid], hex(rid)
    assert dict(mine)[0x001C].startswith(b"Drop-in replacement for Scripting.Dictionary on Mac\r\n")
    # every other class module of the add-in has the same header layout
    for other, (recs, source) in modules.items():
        if dict(recs).get(0x0022) is not None and not _header(source)[1].startswith(b'Attribute VB_Base = "0{000208'):
            assert [line.split(b" = ")[0] for line in _header(source)[:8]] == \
                [line.split(b" = ")[0] for line in _header(ours)[:8]], other
            assert _header(source)[1] == f'Attribute VB_Base = "{CLASS_BASE}"'.encode()


def _excel_modules_of(project: bytes) -> dict[str, tuple[list[tuple[int, bytes]], bytes]]:
    """:func:`_excel_modules` of a vbaProject.bin of ours."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/vbaProject.bin", project)
    return _excel_modules(buf)


def test_class_module_header():
    """The export header goes, the Attribute lines are completed and put in Excel's order, and
    the procedure attributes stay in the code."""
    cls = ("VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n"
           'Attribute VB_Name = "Counter"\r\nAttribute VB_Description = "Counts ""things"""\r\n'
           "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
           "Private n As Long\r\nPublic Property Get Value() As Long\r\n"
           "Attribute Value.VB_UserMemId = 0\r\n    Value = n\r\nEnd Property\r\n")
    module = class_module("Counter", cls)
    assert module.kind == "class"
    assert module.source == (
        'Attribute VB_Name = "Counter"\r\n'
        f'Attribute VB_Base = "{CLASS_BASE}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n"
        'Attribute VB_Description = "Counts ""things"""\r\n'
        "Private n As Long\r\nPublic Property Get Value() As Long\r\n"
        "Attribute Value.VB_UserMemId = 0\r\n    Value = n\r\nEnd Property\r\n")
    records = dict(_dir_records(dir_stream("VBAProject", [module])))
    assert records[0x001C] == b'Counts "things"' and records[0x0048] == 'Counts "things"'.encode("utf-16-le")
    # no header at all: VB_Name added, the defaults of a new (private) class module
    bare = class_module("C", "Option Explicit\n").source
    assert bare.split("\r\n")[:9] == [
        'Attribute VB_Name = "C"', f'Attribute VB_Base = "{CLASS_BASE}"', "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = False", "Attribute VB_Exposed = False",
        "Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False", "Option Explicit"]
    assert class_module("C", "\ufeffVERSION 1.0 CLASS\nBEGIN\nEND\n").source == bare.replace("Option Explicit\r\n", "")
    with pytest.raises(ValueError, match="VB_Name"):
        class_module("C", 'Attribute VB_Name = "D"\r\n')
    with pytest.raises(ValueError, match="twice"):
        class_module("C", "Attribute VB_Exposed = True\r\nAttribute VB_EXPOSED = False\r\n")
    with pytest.raises(ValueError, match="not the header of a class module"):
        class_module("F", "VERSION 5.00\r\nBegin {C62A69F0-16DC-11CE-9E98-00AA00574A4F} F\r\nEnd\r\n")
    with pytest.raises(ValueError, match="BEGIN without END"):
        class_module("C", "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1\r\n")


@pytest.mark.parametrize("seed", range(0, 256, 37))
def test_encrypt_round_trips(seed):
    pid = "{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}"
    for data in (b"\x00", b"\xff", b"\x00\x00\x00\x00", bytes(range(29))):
        assert decrypt(encrypt(data, pid, seed)) == data


# ---------------------------------------------------------------------------------------------
# The compound file (MS-CFB), read with olefile
# ---------------------------------------------------------------------------------------------


def _cfb_less(a: str, b: str) -> bool:
    return (len(a), a.upper()) < (len(b), b.upper())


def _check_red_black(ole, sid: int) -> int:
    """Check the sibling tree under ``sid`` (a binary search tree in CFB order, no red node with a
    red child, the same number of black nodes on every path); return its black height."""
    if sid == 0xFFFFFFFF:
        return 1
    e = ole.direntries[sid]
    for child, smaller in ((e.sid_left, True), (e.sid_right, False)):
        if child != 0xFFFFFFFF:
            other = ole.direntries[child]
            assert _cfb_less(other.name, e.name) == smaller
            assert not (e.color == 0 and other.color == 0), "red node with a red child"
    left, right = _check_red_black(ole, e.sid_left), _check_red_black(ole, e.sid_right)
    assert left == right, f"unequal black heights under {e.name}"
    return left + (e.color == 1)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 40])
def test_compound_file_reads_back(n):
    streams = {f"S{i}": bytes([i]) * (i * 97 % 300) for i in range(n)}  # mini streams, one empty
    streams["Big"] = os.urandom(70_000)                                 # > 128 sectors: 2 FAT sectors
    streams["Dir/Edge"] = b"x" * 4095                                   # largest mini stream
    streams["Dir/Cutoff"] = b"y" * 4096                                 # smallest regular stream
    streams["Dir/Deeper/Leaf"] = b"leaf"
    data = compound_file(streams)
    assert len(data) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, content in streams.items():
        assert ole.openstream(path).read() == content
    for e in ole.direntries:
        if e is not None and e.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            root = ole.direntries[e.sid_child] if e.sid_child != 0xFFFFFFFF else None
            assert root is None or root.color == 1, "the root of a tree is black"
            _check_red_black(ole, e.sid_child)


def test_compound_file_refuses_bad_names():
    with pytest.raises(ValueError):
        compound_file({"a:b": b""})
    with pytest.raises(ValueError):
        compound_file({"x" * 32: b""})


# ---------------------------------------------------------------------------------------------
# The VBA project, read with olevba
# ---------------------------------------------------------------------------------------------


def _crlf(text: str) -> str:
    text = text.replace("\r\n", "\n")
    return (text if text.endswith("\n") else text + "\n").replace("\n", "\r\n")


@pytest.fixture(scope="module")
def xlsm() -> bytes:
    return macro_workbook(template_bytes(Y))


def test_olevba_reads_our_modules(xlsm):
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser("cin.xlsm", data=xlsm)
    assert parser.detect_vba_macros()
    code = {name.rsplit(".", 1)[0]: text for _, _, name, text in parser.extract_macros()}
    assert code["xlwings"] == _crlf(xlwings_module())
    assert code["CinXl"] == _crlf('Attribute VB_Name = "CinXl"\r\n' + cin_xl_module())
    for macro, func in CIN_XL_MACROS.items():
        call = f'RunPython "import cin_xl.excel; cin_xl.excel.{func}()"'
        assert f"Sub {macro}()\r\n    {call}\r\nEnd Sub" in code["CinXl"]
    assert code["ThisWorkbook"] == document_module("ThisWorkbook", WORKBOOK_BASE).source
    assert sorted(n for n in code if n.startswith("Sheet")) == sorted(f"Sheet{i}" for i in range(1, 13))
    # the Dictionary class module: exactly its stored form, which has no .cls export header
    dictionary = class_module("Dictionary", xlwings_dictionary_class()).source
    assert code["Dictionary"] == _crlf(dictionary)
    assert code["Dictionary"].startswith('Attribute VB_Name = "Dictionary"\r\n')
    assert "VERSION 1.0 CLASS" not in code["Dictionary"] and "\r\nBEGIN\r\n" not in code["Dictionary"]
    assert sorted(code) == sorted(["xlwings", "CinXl", "Dictionary", "ThisWorkbook", *(f"Sheet{i}" for i in range(1, 13))])
    parser.close()


def test_macro_workbook_declares_the_class_module(xlsm):
    """In the workbook's project, Dictionary is a class module: ``Class=`` in PROJECT, MODULETYPE
    0x0022 in the dir stream (read with our decompressor), like Excel's (MS-OVBA 2.3.4.2.3.2.8)."""
    if xlwings_dictionary_class() is None:
        pytest.skip("this xlwings has no addin/Dictionary.cls")
    ole = olefile.OleFileIO(io.BytesIO(_parts(xlsm)["xl/vbaProject.bin"]))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert re.findall(r"^(Module|Class)=(\w+)\r$", project, re.MULTILINE) == \
        [("Module", "xlwings"), ("Module", "CinXl"), ("Class", "Dictionary")]
    records = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    types = {}
    for rid, data in records:
        if rid == 0x0019:
            name = data.decode("cp1252")
        elif rid in (0x0021, 0x0022):
            types[name] = rid
    assert types["Dictionary"] == 0x0022
    assert types["xlwings"] == types["CinXl"] == 0x0021
    assert {types[n] for n in types if n == "ThisWorkbook" or n.startswith("Sheet")} == {0x0022}
    assert dict(records)[0x000F] == struct.pack("<H", 16)  # PROJECTMODULES count: 12 sheets + 4
    assert b"Dictionary\x00" + "Dictionary".encode("utf-16-le") + b"\x00\x00" in ole.openstream("PROJECTwm").read()


def test_macro_workbook_without_the_dictionary(monkeypatch):
    """An xlwings without addin/Dictionary.cls: the workbook is made without the class module."""
    import cin_xl.workbook.macros.xlsm as xlsm_module

    monkeypatch.setattr(xlsm_module, "xlwings_dictionary_class", lambda: None)
    ole = olefile.OleFileIO(io.BytesIO(_parts(macro_workbook(template_bytes(Y)))["xl/vbaProject.bin"]))
    assert "Class=" not in ole.openstream("PROJECT").read().decode("cp1252")
    assert not ole.exists("VBA/Dictionary")


def test_project_streams():
    modules = [document_module("ThisWorkbook", WORKBOOK_BASE), standard_module("M", "Sub A()\nEnd Sub"),
               class_module("K", "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\nAttribute VB_Name = \"K\"\n"
                                 "Public X As Long\n")]
    ole = olefile.OleFileIO(io.BytesIO(vba_project(modules)))
    assert ole.openstream("VBA/_VBA_PROJECT").read()[:5] == b"\xcc\x61\xff\xff\x00"  # version 0xFFFF
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000\r\nModule=M\r\nClass=K\r\nName=" in project
    fields = dict(re.findall(r'^(\w+)="([^"]*)"', project, re.MULTILINE))
    assert (decrypt(fields["CMG"]), decrypt(fields["DPB"]), decrypt(fields["GC"])) == (bytes(4), b"\x00", b"\xff")
    assert ole.openstream("PROJECTwm").read() == b"ThisWorkbook\x00" + "ThisWorkbook".encode("utf-16-le") \
        + b"\x00\x00M\x00M\x00\x00\x00K\x00K\x00\x00\x00\x00\x00"
    records = _dir_records(decompress(ole.openstream("VBA/dir").read()))
    assert [d for r, d in records if r == 0x0019] == [b"ThisWorkbook", b"M", b"K"]
    assert [r for r, _ in records if r in (0x0021, 0x0022)] == [0x0022, 0x0021, 0x0022]
    assert dict(records)[0x000F] == b"\x03\x00"
    assert decompress(ole.openstream("VBA/M").read()) == b'Attribute VB_Name = "M"\r\nSub A()\r\nEnd Sub\r\n'
    assert decompress(ole.openstream("VBA/K").read()) == class_module("K", 'Attribute VB_Name = "K"\nPublic X As Long\n') \
        .source.encode() == (f'Attribute VB_Name = "K"\r\nAttribute VB_Base = "{CLASS_BASE}"\r\n'
                             "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
                             "Attribute VB_PredeclaredId = False\r\nAttribute VB_Exposed = False\r\n"
                             "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n"
                             "Public X As Long\r\n").encode()
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser("p.bin", data=vba_project(modules))
    assert {name: code for _, _, name, code in parser.extract_macros()}["K.cls"] == modules[2].source
    parser.close()
    assert vba_project(modules) == vba_project(modules)  # deterministic


def test_module_names_are_checked():
    with pytest.raises(ValueError):
        vba_project([standard_module("A", ""), standard_module("a", "")])
    with pytest.raises(ValueError):
        vba_project([standard_module("1A", "")])
    with pytest.raises(ValueError):
        standard_module("A", 'Attribute VB_Name = "B"\r\n')
    with pytest.raises(ValueError):
        vba_project([standard_module("A", ""), class_module("a", "")])
    with pytest.raises(ValueError, match="kind"):
        Module("A", "", kind="designer")


# ---------------------------------------------------------------------------------------------
# The .xlsm package
# ---------------------------------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        return {n: z.read(n) for n in z.namelist()}


def test_package_parts(xlsm):
    parts = _parts(xlsm)
    types = etree.fromstring(parts["[Content_Types].xml"])
    ct = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(ct + "Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(ct + "Default")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    assert defaults["vml"] == "application/vnd.openxmlformats-officedocument.vmlDrawing"
    ctrl = sorted(p for p in parts if p.startswith("xl/ctrlProps/"))
    assert len(ctrl) == 4
    for p in ctrl:
        assert overrides["/" + p] == "application/vnd.ms-excel.controlproperties+xml"
        assert b'objectType="Button"' in parts[p]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert 'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"' in rels
    assert olefile.isOleFile(io.BytesIO(parts["xl/vbaProject.bin"]))
    # every other part is carried over unchanged or only gained code names
    before = _parts(template_bytes(Y))
    assert set(before) <= set(parts)


def test_code_names_match_document_modules(xlsm):
    parts = _parts(xlsm)
    book = etree.fromstring(parts["xl/workbook.xml"])
    assert book.find(f"{{{MAIN}}}workbookPr").get("codeName") == "ThisWorkbook"
    names = {etree.fromstring(parts[p]).find(f"{{{MAIN}}}sheetPr").get("codeName")
             for p in parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", p)}
    ole = olefile.OleFileIO(io.BytesIO(parts["xl/vbaProject.bin"]))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    documents = set(re.findall(r"^Document=(\w+)/", project, re.MULTILINE))
    assert documents == names | {"ThisWorkbook"}
    assert len(names) == 12


def _start(parts: dict[str, bytes]) -> tuple[str, etree._Element]:
    return "xl/worksheets/sheet1.xml", etree.fromstring(parts["xl/worksheets/sheet1.xml"])


def test_start_sheet_has_the_buttons_in_schema_order(xlsm):
    from cin_xl.workbook.package.ooxml import WORKSHEET_ORDER as _SHEET_ORDER

    parts = _parts(xlsm)
    _, sheet = _start(parts)
    names = [etree.QName(c).localname for c in sheet]
    ranks = [_SHEET_ORDER.index("controls" if n == "AlternateContent" else n) for n in names]
    assert ranks == sorted(ranks), names
    assert names[-2:] == ["legacyDrawing", "AlternateContent"]
    rels = etree.fromstring(parts["xl/worksheets/_rels/sheet1.xml.rels"])
    targets = {r.get("Id"): r.get("Target") for r in rels}
    r_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    vml_target = targets[sheet.find(f"{{{MAIN}}}legacyDrawing").get(r_id)]
    vml = etree.fromstring(parts["xl/" + vml_target.removeprefix("../")])
    x = "{urn:schemas-microsoft-com:office:excel}"
    shapes = list(vml.iter("{urn:schemas-microsoft-com:vml}shape"))
    assert [s.find(x + "ClientData").get("ObjectType") for s in shapes] == ["Button"] * 4
    assert [s.findtext(f"{x}ClientData/{x}FmlaMacro") for s in shapes] == [f"[0]!{m}" for m in CIN_XL_MACROS]
    labels = [" ".join(t.strip() for t in s.find("{urn:schemas-microsoft-com:vml}textbox").itertext() if t.strip())
              for s in shapes]
    assert labels == ["Validate", "Export XML", "Import XML", "Clear marks"]
    controls = list(sheet.iter(f"{{{MAIN}}}control"))
    assert [c.get("shapeId") for c in controls] == [s.get("id").removeprefix("_x0000_s") for s in shapes]
    assert [c.find(f"{{{MAIN}}}controlPr").get("macro") for c in controls] == [f"[0]!{m}" for m in CIN_XL_MACROS]
    for c in controls:
        assert targets[c.get(r_id)].startswith("../ctrlProps/ctrlProp")
    # the VML anchor and the controls anchor agree
    for s, c in zip(shapes, controls):
        anchor = [int(v) for v in s.findtext(f"{x}ClientData/{x}Anchor").split(",")]
        xdr = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
        frm = c.find(f"{{{MAIN}}}controlPr/{{{MAIN}}}anchor/{{{MAIN}}}from")
        assert [int(frm.findtext(xdr + k)) for k in ("col", "colOff", "row", "rowOff")] == \
            [anchor[0], anchor[1] * 9525, anchor[2], anchor[3] * 9525]


def test_buttons_cover_no_text(xlsm):
    """Each button lies right of column B (the steps text), over empty cells, beside the steps,
    and no two buttons overlap."""
    parts = _parts(xlsm)
    _, sheet = _start(parts)
    geometry = _Geometry(sheet)
    ws = load_workbook(io.BytesIO(template_bytes(Y)))["Start"]
    steps = [r for r in range(1, 12) if str(ws.cell(r, 1).value or "")[:1] in "1234" and ws.cell(r, 1).value]
    boxes = []
    for b in cin_xl_buttons():
        c1, x1, r1, y1, c2, x2, r2, y2 = geometry.anchor(b)
        assert c1 >= 2  # column C or later
        assert steps[0] - 1 <= r1 and r2 <= steps[-1] + 1
        for r in range(r1 + 1, r2 + 2):
            for c in range(c1 + 1, c2 + 2):
                assert ws.cell(r, c).value is None, (b.label, ws.cell(r, c).coordinate)
        boxes.append(geometry.left_top(c1, x1, r1, y1) + geometry.left_top(c2, x2, r2, y2))
    for (_, _top1, _, bottom1), (_, top2, _, _) in itertools.pairwise(boxes):
        assert bottom1 < top2


def test_openpyxl_opens_it(xlsm):
    wb = load_workbook(io.BytesIO(xlsm), keep_vba=True)
    assert wb.sheetnames == load_workbook(io.BytesIO(template_bytes(Y))).sheetnames
    start = wb["Start"]
    assert start["A1"].value == f"Children in need census {Y.label}"
    assert start["A4"].value == "Steps" and start["B5"].value.startswith("Pick your LA")
    assert wb.vba_archive is not None and "xl/vbaProject.bin" in wb.vba_archive.namelist()


def test_xlsm_bytes_for_any_sheet_and_no_buttons():
    xlsx = template_bytes(Y)
    plain = _parts(xlsm_bytes(xlsx, {"M": "Sub A()\nEnd Sub\n"}, []))
    assert not any(p.startswith("xl/ctrlProps/") for p in plain)
    other = _parts(xlsm_bytes(xlsx, {"M": "Sub A()\nEnd Sub\n"}, [Button("Go", "A", "B2")], sheet="Lists"))
    assert any(p.startswith("xl/ctrlProps/") for p in other)
    with pytest.raises(ValueError, match="already has a VML drawing"):
        xlsm_bytes(xlsx, {}, [Button("Go", "A", "B2")], sheet="Children")  # its header notes are VML
    with pytest.raises(ValueError, match="no sheet"):
        xlsm_bytes(xlsx, {}, [], sheet="Nope")


def test_cli_template_xlsm(tmp_path, capsys):
    out = tmp_path / "cin.xlsm"
    assert main(["template", "--year", Y.label, "--xlsm", "-o", str(out)]) == 0
    parts = _parts(out.read_bytes())
    assert "xl/vbaProject.bin" in parts
    assert main(["template", "--year", Y.label, "--xlsm", "-o", str(tmp_path / "cin.xlsx")]) == 2
    assert "name it .xlsm" in capsys.readouterr().err
    assert main(["template", "--year", Y.label, "--xlsm", "--sample", "3", "--force", "-o", str(out)]) == 0
    assert load_workbook(out, keep_vba=True)["Children"].max_row >= 4


# ---------------------------------------------------------------------------------------------
# LibreOffice: it opens the file, imports the VBA modules as Basic and wires the buttons
# ---------------------------------------------------------------------------------------------


def _soffice(tmp_path: Path, fmt: str, *files: Path) -> None:
    profile = tmp_path / "profile"  # a private profile: no clash with another running soffice
    env = dict(os.environ, HOME=str(tmp_path))
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                           "--convert-to", fmt, "--outdir", str(tmp_path), *map(str, files)],
                          check=False, capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and "error" not in proc.stdout.lower(), proc.stdout + proc.stderr


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_macros_and_buttons(tmp_path, xlsm):
    book = tmp_path / "cin.xlsm"
    book.write_bytes(xlsm)
    _soffice(tmp_path, "pdf", book)
    assert (tmp_path / "cin.pdf").read_bytes()[:5] == b"%PDF-"
    _soffice(tmp_path, "ods", book)
    with zipfile.ZipFile(tmp_path / "cin.ods") as z:
        basic = {n for n in z.namelist() if n.startswith("Basic/")}
        assert {"Basic/VBAProject/CinXl.xml", "Basic/VBAProject/xlwings.xml", "Basic/VBAProject/Dictionary.xml",
                "Basic/VBAProject/ThisWorkbook.xml"} <= basic
        module = etree.fromstring(z.read("Basic/VBAProject/CinXl.xml")).text
        dictionary = etree.fromstring(z.read("Basic/VBAProject/Dictionary.xml"))
        content = z.read("content.xml").decode()
    # the class module, imported as a Basic class module: its code without the Attribute lines
    script = "{http://openoffice.org/2000/script}"
    assert dictionary.get(f"{script}moduleType") == "class"
    code = class_module("Dictionary", xlwings_dictionary_class()).source.split("\r\n")
    assert dictionary.text == ("Rem Attribute VBA_ModuleType=VBAClassModule\nOption VBASupport 1\nOption ClassModule\n"
                               + "".join(line + "\n" for line in code if not line.startswith("Attribute ")))
    for macro, func in CIN_XL_MACROS.items():
        assert f'Sub {macro}()\n    RunPython "import cin_xl.excel; cin_xl.excel.{func}()"\nEnd Sub' in module
        assert f"vnd.sun.star.script:VBAProject.CinXl.{macro}?language=Basic" in content
    labels = re.findall(r'<form:button [^>]*form:label="([^"]+)"', content)
    assert labels == ["Validate", "Export XML", "Import XML", "Clear marks"]
    _check_libreoffice_positions(content)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_imports_our_class_module_as_it_imports_excels(tmp_path, xlsm):
    """LibreOffice makes the same Basic class module of our Dictionary as of the one Excel saved
    in quickstart_standalone.xlsm (but for the VBE's re-casing of ``Err`` there)."""
    excel = XLWINGS_DIR / "quickstart_standalone.xlsm"
    if not excel.exists():
        pytest.skip("this xlwings has no quickstart_standalone.xlsm")
    ours, theirs = tmp_path / "ours.xlsm", tmp_path / "theirs.xlsm"
    ours.write_bytes(xlsm)
    shutil.copyfile(excel, theirs)
    _soffice(tmp_path, "ods", ours, theirs)
    texts = []
    for name in ("ours", "theirs"):
        with zipfile.ZipFile(tmp_path / f"{name}.ods") as z:
            texts.append(z.read("Basic/VBAProject/Dictionary.xml"))
    assert b'script:moduleType="class"' in texts[0]
    assert texts[0].lower() == texts[1].lower()


def _inches(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(in|cm|mm|pt)", value).groups()
    return float(number) / {"in": 1, "cm": 2.54, "mm": 25.4, "pt": 72}[unit]


def _check_libreoffice_positions(content: str) -> None:
    """Where LibreOffice put the buttons, in its own column widths and row heights: right of
    column B, from the first step down to the last."""
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
          "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
          "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"}
    root = etree.fromstring(content.encode())

    def q(prefix: str, name: str) -> str:
        return f"{{{ns[prefix]}}}{name}"

    size = {}
    for s in root.iter(q("style", "style")):
        props = s.find(q("style", "table-column-properties"))
        if props is None:
            props = s.find(q("style", "table-row-properties"))
        if props is not None:
            size[s.get(q("style", "name"))] = _inches(props.get(q("style", "column-width"))
                                                      or props.get(q("style", "row-height")))
    table = root.find(".//" + q("table", "table"))

    def sizes(tag: str, n: int) -> list[float]:
        out: list[float] = []
        for el in table.iter(q("table", tag)):
            out += [size[el.get(q("table", "style-name"))]] * int(el.get(q("table", f"number-{tag[6:]}s-repeated"), 1))
            if len(out) >= n:
                break
        return out[:n]

    cols, rows = sizes("table-column", 2), sizes("table-row", 9)
    controls = table.findall(f"{q('table', 'shapes')}/{q('draw', 'control')}")
    assert len(controls) == 4
    for c in controls:
        x, y = _inches(c.get(q("svg", "x"))), _inches(c.get(q("svg", "y")))
        assert x > sum(cols), "a button over columns A:B"
        assert sum(rows[:4]) <= y and y + _inches(c.get(q("svg", "height"))) <= sum(rows) + 0.05


def render_start(png: Path) -> None:
    """Picture of the .xlsm's Start sheet as LibreOffice prints it (columns A:F, rows 1-28, with
    headings and gridlines): ``docs/images/start-xlsm.png``."""
    import tempfile

    wb = load_workbook(io.BytesIO(template_bytes(Y)))
    for ws in wb.worksheets:
        ws.sheet_state = "visible" if ws.title == "Start" else "hidden"
    ws = wb["Start"]
    ws.print_area = "A1:F28"
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
    ws.print_options.gridLines = ws.print_options.headings = True
    buf = io.BytesIO()
    wb.save(buf)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "start.xlsm"
        book.write_bytes(macro_workbook(buf.getvalue()))
        _soffice(Path(tmp), "pdf", book)
        gray = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-gray",
                        str(book.with_suffix(".pdf")), str(gray)], check=True)
        x, y, w, h = _content_box(gray.with_suffix(".pgm").read_bytes())
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-x", str(x),
                        "-y", str(y), "-W", str(w), "-H", str(h), str(book.with_suffix(".pdf")),
                        str(png.with_suffix(""))], check=True)


def _content_box(pgm: bytes, margin: int = 6) -> tuple[int, int, int, int]:
    """(x, y, width, height) of the non-white part of a binary PGM page."""
    parts = pgm.split(maxsplit=4)
    width, height, data = int(parts[1]), int(parts[2]), parts[4]
    rows = [r for r in range(height) if min(data[r * width:(r + 1) * width]) < 200]
    cols = [c for c in range(width) if min(data[c::width]) < 200]
    x0, y0 = max(0, cols[0] - margin), max(0, rows[0] - margin)
    return x0, y0, min(width, cols[-1] + margin) - x0, min(height, rows[-1] + margin) - y0


@pytest.mark.skipif(SOFFICE is None or shutil.which("pdftoppm") is None, reason="needs LibreOffice and pdftoppm")
def test_render_start(tmp_path):
    png = tmp_path / "start.png"
    render_start(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("platform, python, key", [
    ("win32", r"C:\Users\ann\cin-xl\.venv\Scripts\python.exe", "INTERPRETER_WIN"),
    ("darwin", "/Users/ann/cin-xl/.venv/bin/python", "INTERPRETER_MAC"),
])
def test_xlwings_conf_sheet_names_the_python_that_made_the_workbook(tmp_path, platform, python, key):
    """xlwings' VBA reads keys from A1 down (no header, no blank row) with their values in B."""
    from cin_xl.workbook.macros.xlsm import XLWINGS_CONF_SHEET, write_macro_workbook, xlwings_conf

    conf = xlwings_conf(platform, python)
    assert conf == [(key, python)]  # only the platform it was made on: a blank would hide the add-in's own
    path = tmp_path / "census.xlsm"
    write_macro_workbook(path, None, Y, conf=conf)
    wb = load_workbook(path, keep_vba=True)
    ws = wb[XLWINGS_CONF_SHEET]
    assert (ws["A1"].value, ws["B1"].value) == (key, python)
    assert ws["A2"].value is None  # the end of the settings for xlwings' End(xlDown)
    assert "INTERPRETER_WIN" in ws["D2"].value and "docs/excel.md" in " ".join(c.value or "" for c in ws["D"])
    # the sheet's name is the one the VBA module looks for
    assert 'PROJECT_NAME & ".conf"' in xlwings_module() and 'PROJECT_NAME As String = "xlwings"' in xlwings_module()


def test_template_xlsm_uses_the_running_python(tmp_path, monkeypatch):
    from cin_xl.workbook.macros import xlsm

    python = tmp_path / "Scripts" / "python.exe"
    python.parent.mkdir()
    python.write_text("")
    (python.parent / "pythonw.exe").write_text("")
    monkeypatch.setattr(xlsm.sys, "platform", "win32")
    monkeypatch.setattr(xlsm.sys, "executable", str(python))
    out = tmp_path / "t.xlsm"
    assert main(["template", "--year", Y.label, "--xlsm", "-o", str(out)]) == 0
    monkeypatch.undo()
    ws = load_workbook(out, keep_vba=True)[xlsm.XLWINGS_CONF_SHEET]
    assert (ws["A1"].value, ws["B1"].value) == ("INTERPRETER_WIN", str(python.with_name("pythonw.exe")))
