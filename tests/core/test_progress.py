"""Progress on stderr: shown on a terminal, not in a pipe, silenced by --quiet; the last line names the file."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden.cases import HERE

XML = HERE / "2026-27-messy.xml"


def run_on_terminal(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run ``cin-xl args`` with stderr on a pseudo-terminal; (stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm", COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "cin_xl.cli", *args], stdout=subprocess.PIPE, stderr=slave,
                            stdin=subprocess.DEVNULL, cwd=cwd, env=env)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal is closed when the process ends
            break
        if not chunk:
            break
        shown += chunk
    out = proc.stdout.read().decode("utf-8")
    proc.wait(timeout=60)
    os.close(master)
    return out, shown.decode("utf-8", "replace")


def test_terminal_shows_each_step_and_the_file_finished(tmp_path):
    out, shown = run_on_terminal(["validate", str(XML), "--report", "out.json"], tmp_path)
    for step in ("Reading 2026-27-messy.xml and checking the census schema", "Checking the DfE rules",
                 "Checking every item"):
        assert step in shown, step
    assert "100 children" in shown  # the children counted as the file is read
    assert re.search(r"Checking the DfE rules.*\b\d+ rules\b", shown)  # a count names its unit
    last = [line for line in shown.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert "out.json is finished and safe to open" in last
    assert " errors, " in out and "Checking" not in out  # the summary on stdout, progress not


@pytest.mark.parametrize("args", [["import", str(XML), "-o", "book.xlsx"],
                                  ["report", str(XML), "-o", "figures.html"]])
def test_every_long_command_shows_progress(tmp_path, args):
    _, shown = run_on_terminal(args, tmp_path)
    assert "Reading 2026-27-messy.xml" in shown and "Writing" in shown
    assert f"{args[-1]} is finished and safe to open" in shown


def test_quiet_silences_it(tmp_path):
    out, shown = run_on_terminal(["validate", str(XML), "--report", "out.json", "--quiet"], tmp_path)
    assert shown.strip() == ""
    assert " errors, " in out and (tmp_path / "out.json").exists()


def test_nothing_in_a_pipe(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cin_xl.cli", "validate", str(XML), "--report", "out.json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode in (1, 2)  # errors found (2: the messy file also breaks the schema)
    assert proc.stderr == ""
    assert " errors, " in proc.stdout
