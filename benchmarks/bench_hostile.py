"""Benchmark: hostile workbooks are refused or read quickly, in bounded memory, with one line of output.

    python benchmarks/bench_hostile.py [--keep DIR]

Builds each workbook by streaming (the 1.2 GB shared string is never held in memory), runs
``cin-xl validate FILE`` on it in a fresh process, and prints the exit code, seconds, peak resident
memory, how much the command printed and the start of its message. The cases of issue 9 took 64 s
and 6.3 GB (the zip bomb) and over 7 minutes (XFD and row 1,048,576) before the package reader; 1.5
million cell formats took 27 s and 2.9 GB before the styles part was read as a stream and bounded.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.workbook.packages import edit_member, sheet_member  # noqa: E402

MB = 1 << 20

# Runs the CLI and leaves its peak resident memory (VmHWM, kB) in the file named by argv[1].
_CHILD = """
import sys
from cin_xl.cli import main
code = main(sys.argv[2:])
with open("/proc/self/status") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
with open(sys.argv[1], "w") as fh:
    fh.write(str(peak))
sys.exit(code)
"""


def base_workbook() -> bytes:
    from cin_xl.census.years import CensusYear
    from cin_xl.workbook.writer import workbook_bytes

    sys.path.insert(0, str(ROOT / "tests"))
    from rules.base import base_return  # type: ignore[import-not-found]

    year = CensusYear.parse("2026-27")
    return workbook_bytes(base_return(year.label), year)


def add_member(data: bytes, member: str, chunks) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open(member, "w", force_zip64=True) as fh:
            for chunk in chunks:
                fh.write(chunk)
    return out.getvalue()


def with_shared_strings(data: bytes) -> bytes:
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    return edit_member(data, "xl/_rels/workbook.xml.rels", lambda t: t.replace(
        "</Relationships>", f'<Relationship Id="rIdSST" Type="{kind}" Target="sharedStrings.xml"/></Relationships>'))


def bomb(total: int):
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    block = b"A" * (4 * MB)
    for _ in range(total // len(block)):
        yield block
    yield b"</t></si></sst>"


def lie(data: bytes, member: str, declared: int) -> bytes:
    import struct

    buf = bytearray(data)
    at = buf.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", buf, at + 28)[0]
        if bytes(buf[at + 46:at + 46 + n]) == member.encode():
            struct.pack_into("<I", buf, at + 24, declared)
            struct.pack_into("<I", buf, struct.unpack_from("<I", buf, at + 42)[0] + 22, declared)
            extra = struct.unpack_from("<H", buf, at + 30)[0]
            if extra:
                buf[at + 46 + n:at + 46 + n + extra] = b"\x99\x99" + struct.pack("<H", extra - 4) + b"\0" * (extra - 4)
            return bytes(buf)
        at = buf.find(b"PK\x01\x02", at + 4)
    raise ValueError(member)


def cases(base: bytes):
    children = sheet_member(base, "Children")
    yield "zip bomb: shared string to 1.2 GB", add_member(with_shared_strings(base), "xl/sharedStrings.xml",
                                                        bomb(1200 * MB))
    yield "part lying about its size (64 MB)", lie(add_member(with_shared_strings(base), "xl/sharedStrings.xml",
                                                              bomb(64 * MB)), "xl/sharedStrings.xml", 1000)
    yield "ratio: 100 MB of zeros as an image", add_member(base, "xl/media/image1.png", (b"\0" * MB for _ in range(100)))
    yield "header in XFD, a cell in row 1,048,576", edit_member(base, children, lambda t: t.replace(
        "<is><t>Marks</t></is></c></row>", '<is><t>Marks</t></is></c><c r="XFD1" t="inlineStr"><is><t>Notes</t>'
        "</is></c></row>", 1).replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x'
                                      "</t></is></c></row></sheetData>"))
    formats = "".join(f'<xf numFmtId="{n % 200}" fontId="0" fillId="0" borderId="0" xfId="0"><alignment indent="'
                      f'{n * 7 % 250}" textRotation="{n * 13 % 180}"/></xf>' for n in range(1_500_000))
    yield "1.5 million cell formats (Excel: 64,000)", edit_member(base, "xl/styles.xml", lambda t: t.replace(
        "</cellXfs>", formats + "</cellXfs>", 1))
    rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>{r}</v></c></row>' for r in range(10, 200_010))
    yield "200,000 rows with a value in XFD", edit_member(base, children, lambda t: t.replace(
        "</sheetData>", rows + "</sheetData>"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="keep the hostile workbooks in this folder")
    args = parser.parse_args(argv)
    base = base_workbook()
    print(f"{'case':<42} {'file':>9} {'exit':>4} {'seconds':>8} {'peak MB':>8} {'printed':>8}  message")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for i, (name, data) in enumerate(cases(base)):
            path = folder / f"hostile-{i}.xlsx"
            path.write_bytes(data)
            del data
            stats = Path(tmp) / "peak"
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", _CHILD, str(stats), "validate", str(path)],
                                  capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
            took = time.perf_counter() - started
            peak = int(stats.read_text()) / 1024 if stats.exists() else float("nan")
            message = (done.stderr.decode(errors="replace").strip().splitlines() or
                       done.stdout.decode(errors="replace").strip().splitlines() or [""])[0]
            printed = len(done.stdout) + len(done.stderr)
            print(f"{name:<42} {path.stat().st_size / MB:7.1f}MB {done.returncode:>4} {took:8.2f} {peak:8.0f} "
                  f"{printed:>8}  {message[:110]}", flush=True)
            if stats.exists():
                stats.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
