"""SIGTERM, SIGINT and SIGHUP while cin-xl writes: no temporary file, no partial output, the old file kept.

Each test starts a real ``cin-xl`` process on a large generated return and signals it while it writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.xml import to_xml_bytes

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

YEAR = CensusYear.parse("2026-27")
SIGNALS = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]

#: a disk that takes its time to flush: the write stays open long enough to be interrupted in the middle
SLOW_DISK = """
import os, sys, time
def slow_fsync(fd, _fsync=os.fsync):
    time.sleep(60)
    _fsync(fd)
os.fsync = slow_fsync
from cin_xl.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def big_xml(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "census.xml"
    path.write_bytes(to_xml_bytes(generate(800, YEAR, 8), YEAR))
    return path


def cin_xl_command() -> list[str]:
    script = Path(sys.executable).with_name("cin-xl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cin_xl.cli"]


def temporary_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def wait_for(condition, process: subprocess.Popen, timeout: float = 120) -> bool:
    """Poll until ``condition()`` holds (True) or the process ends (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.001)
    raise AssertionError("timed out")


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_during_the_write_leaves_nothing_behind(tmp_path, big_xml, signum):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "census.xlsx"
    process = subprocess.Popen([sys.executable, "-c", SLOW_DISK, "import", str(big_xml), "-o", str(target)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: temporary_files(out), process), process.communicate()
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert stderr.strip() == f"cin-xl: stopped by {signal.Signals(signum).name}; no file was left half-written"
    assert "Traceback" not in stderr and not stdout
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_a_signal_while_replacing_keeps_the_old_file(tmp_path, big_xml, signum):
    target = tmp_path / "census.xml"
    target.write_bytes(b"last year's file")
    workbook = tmp_path / "w.xlsx"
    subprocess.run([*cin_xl_command(), "import", str(big_xml), "-o", str(workbook)], check=False,
                   capture_output=True)
    process = subprocess.Popen([sys.executable, "-c", SLOW_DISK, "export", str(workbook), "-o", str(target),
                                "--allow-errors", "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: temporary_files(tmp_path), process), process.communicate()
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 128 + signum, stderr
    assert target.read_bytes() == b"last year's file"
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: signal.Signals(s).name)
def test_the_real_command_signalled_as_soon_as_it_writes(tmp_path, big_xml, signum):
    """No slowed disk: the signal lands wherever the write has got to; the output is whole or absent."""
    out = tmp_path / "out"
    out.mkdir()
    target = out / "census.xlsx"
    process = subprocess.Popen([*cin_xl_command(), "import", str(big_xml), "-o", str(target)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: temporary_files(out) or target.exists(), process)
    if process.poll() is None:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert temporary_files(out) == [] and "Traceback" not in stderr
    assert process.returncode in (0, 1, 128 + signum), stderr
    # stopped before the rename: nothing was written; it had finished, or the signal came during the
    # rename (held until it was done): the file is whole
    if process.returncode != 128 + signum or target.exists():
        with zipfile.ZipFile(target) as z:
            assert z.testzip() is None


def handles(pid: int, signum: int) -> bool:
    """Whether the process has a handler for ``signum`` (the SigCgt mask of /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) >> (signum - 1) & 1)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_signal_before_any_write_leaves_no_file(tmp_path, big_xml):
    out = tmp_path / "out"
    out.mkdir()
    process = subprocess.Popen([*cin_xl_command(), "import", str(big_xml), "-o", str(out / "census.xlsx")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # once its handler is in place (Linux shows it in /proc), it is reading 800 children: before any write
    wait_for(lambda: handles(process.pid, signal.SIGTERM), process)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert len(stderr.strip().splitlines()) == 1
    assert list(out.iterdir()) == []


def test_a_signal_whose_exception_was_lost_still_stops_the_write(tmp_path):
    """A handler can run inside a finaliser, where its exception is dropped: the writer asks again
    before committing, so the file is not written and no temporary file is left."""
    from cin_xl.safety import signals
    from cin_xl.safety.atomic import write_atomic

    target = tmp_path / "out.xml"
    with signals.raise_on_signals():
        try:
            signals._raise(signal.SIGTERM, None)  # what the handler does...
        except signals.Interrupted:
            pass  # ...and the exception lost, as in a __del__
        with pytest.raises(signals.Interrupted) as stopped:
            write_atomic(target, b"<Message/>")
    assert stopped.value.signum == signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
    with signals.raise_on_signals():  # the next command starts afresh
        write_atomic(target, b"<Message/>")
    assert target.read_bytes() == b"<Message/>"
