"""Reading costs what a census needs, not what a styles part declares (issue 18, 13): a workbook whose
styles hold far more cell formats than Excel allows is refused quickly, with one line, by every command."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from cin_xl.workbook.package.limits import MAX_STYLE_RECORDS
from tests.excel.test_excel_buttons import make_workbook

XF = b'<xf numFmtId="0"/>'


@pytest.fixture(scope="module")
def bloated(tmp_path_factory):
    path = tmp_path_factory.mktemp("styles") / "census.xlsx"
    make_workbook(path, n=30)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    styles = parts["xl/styles.xml"]
    at = styles.index(b"</cellXfs>")
    parts["xl/styles.xml"] = styles[:at] + XF * (MAX_STYLE_RECORDS + 100_000) + styles[at:]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)
    return path


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory Linux reports")
@pytest.mark.parametrize("command", [["validate"], ["validate", "--annotate"], ["export"]])
def test_a_styles_part_past_the_bound_is_refused_quickly(bloated, command, tmp_path):
    before = bloated.read_bytes()
    args = [command[0], str(bloated), *command[1:]]
    if command == ["export"]:
        args += ["-o", str(tmp_path / "out.xml")]
    start = time.monotonic()
    # the child reports its own peak (VmHWM: getrusage's maxrss keeps the peak of the forked test process on Linux)
    child = ("import re, sys\nfrom cin_xl.cli import main\ncode = main()\n"
             "print(re.search(r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\nsys.exit(code)")
    done = subprocess.run([sys.executable, "-c", child, *args], capture_output=True, text=True, timeout=300)
    took = time.monotonic() - start
    peak_mb = int(done.stdout.strip().splitlines()[-1]) / 1024
    assert done.returncode == 2, done.stderr[-500:]
    assert "cell formats" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert took < 30 and peak_mb < 1024, (took, peak_mb)
    assert bloated.read_bytes() == before
    assert not (tmp_path / "out.xml").exists()


def test_shared_strings_past_the_bound_are_refused(tmp_path, monkeypatch, capsys):
    from cin_xl.cli import main
    from cin_xl.workbook.package import read
    from tests.workbook.test_package_details import _to_shared_strings

    path = tmp_path / "census.xlsx"
    make_workbook(path, n=30)
    _to_shared_strings(path)
    monkeypatch.setattr(read, "MAX_SHARED_STRINGS", 10)  # as if the workbook held millions of texts
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "more than 10 different texts" in err and len(err.strip().splitlines()) == 1
