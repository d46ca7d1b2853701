"""A large return checked in two (or more) processes finds exactly what one process finds, in the same order;
it falls back to one process where that is not safe or does not pay, and loses nothing when a worker fails."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cin_xl.validation as engine
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.messy import BENCHMARK_RATE
from cin_xl.validation import parallel, validate
from cin_xl.validation.registry import REGISTRY, Family, implementation, load_rules
from cin_xl.validation.view import CensusView
from tests.golden.cases import HERE, cases

YEAR = CensusYear.parse("2026-27")

forking = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked: POSIX but macOS only")


@pytest.fixture(scope="module")
def messy():
    """A messy return of a few thousand children (about one finding per child) and its findings in one process."""
    census = generate(2500, YEAR, seed=11, mistakes=BENCHMARK_RATE)
    return census, validate(census, YEAR)


@pytest.fixture
def small_threshold(monkeypatch):
    """Workers for any return of two children or more, on a machine of four CPUs."""
    monkeypatch.setenv(parallel.MIN_CHILDREN_VARIABLE, "2")
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 4)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))  # nothing else running


@forking
@pytest.mark.parametrize("jobs", [2, 3, 0])
def test_parts_find_what_one_process_finds_in_the_same_order(messy, small_threshold, jobs):
    census, serial = messy
    assert len(serial) > 2000 and len({f.code for f in serial}) > 80  # not vacuous: most rules, many findings
    found = validate(census, YEAR, jobs=jobs)
    assert parallel.LAST.processes == {2: 2, 3: 3, 0: 4}[jobs] and parallel.LAST.retried == 0
    assert found == serial


@forking
def test_a_record_reported_by_a_whole_return_rule_here_is_dropped_from_a_workers_structural_findings(
        monkeypatch, small_threshold):
    # The LA child IDs of two children, one in each half, are the same and too long: 8510 (duplicates, whole
    # return, run here) and the per-child rules on the ID's length and characters report them, so the structural
    # X-FORMAT on them is dropped. With those per-child rules declared whole-return too, only this process
    # reports the worker's child: the worker's X-FORMAT must be dropped by the identity of its record.
    census = generate(40, YEAR, seed=2)
    for child in (census.children[1], census.children[-2]):
        child.identifiers.la_child_id = "not an id!" * 10
    load_rules()
    for code in ("1570", "1580"):
        impl = implementation(code, YEAR)
        assert impl is not None
        versions = REGISTRY[code]
        monkeypatch.setitem(REGISTRY, code, [dataclasses.replace(v, whole_return=True) if v is impl else v
                                             for v in versions])
    serial = validate(census, YEAR)
    assert not [f for f in serial if f.code.startswith("X-")]
    assert [f.code for f in serial if f.fields == ("la_child_id",)].count("8510") == 2
    assert validate(census, YEAR, jobs=2) == serial and parallel.LAST.processes == 2


def test_each_rule_not_declared_whole_return_finds_on_parts_what_it_finds_on_the_whole():
    """The promise each per-child rule makes: run on contiguous parts of the children one after the other, it
    finds what it finds on the whole return. A new rule comparing children must say ``whole_return=True``."""
    load_rules()
    for label in ("2023-24", "2026-27"):
        year = CensusYear.parse(label)
        census = generate(500, year, seed=5, mistakes=1.0)
        whole = CensusView(census, year)
        # in thirds, and each child alone: a rule counting or comparing children finds otherwise alone
        for n in (3, len(census.children)):
            views = [CensusView(parallel.part_of(census, p), year) for p in parallel.parts(census.children, n)]
            for versions in REGISTRY.values():
                for impl in versions:
                    if impl.family is not Family.DFE or not impl.in_force(year) or impl.whole_return:
                        continue
                    expected = [(id(h.node), h.fields) for h in impl.run(whole)]
                    got = [(id(h.node), h.fields) for view in views for h in impl.run(view)]
                    assert got == expected, f"{impl.code} ({impl.name}) reads more than one child: whole_return=True"


def test_the_rules_that_read_more_than_one_child_say_so():
    load_rules()
    declared = {c.code for versions in REGISTRY.values() for c in versions if c.whole_return}
    assert declared == {"100", "1520", "2883", "2886Q", "2887Q", "2888Q", "8510", "8995Q", "9000Q"}


def test_parts_are_contiguous_in_order_and_as_equal_as_can_be():
    children = list(range(11))
    got = parallel.parts(children, 3)
    assert [list(p) for p in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]


# --- when one process is used -------------------------------------------------------------------------------


def test_one_process_unless_asked_large_with_a_second_cpu_and_fork(monkeypatch):
    monkeypatch.delenv(parallel.MIN_CHILDREN_VARIABLE, raising=False)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.2, 1.0, 1.0))  # this process only
    big = parallel.MIN_CHILDREN
    assert parallel.processes(big, 0) == 2 and parallel.processes(big, 2) == 2
    assert parallel.processes(big, 8) == 2  # never more than the CPUs
    assert parallel.processes(big, 1) == 1  # --jobs 1, CIN_XL_JOBS=1, and the jobs' default
    assert parallel.processes(big - 1, 0) == 1  # a small return
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 1)
    assert parallel.processes(big, 0) == 1 and parallel.processes(big, 2) == 1  # one CPU
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.processes(big, 2) == 1  # no fork


def test_auto_leaves_cpus_busy_with_other_work_alone(monkeypatch):
    monkeypatch.delenv(parallel.MIN_CHILDREN_VARIABLE, raising=False)
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 2)
    monkeypatch.setattr(parallel, "can_fork", lambda: True)
    big = parallel.MIN_CHILDREN
    monkeypatch.setattr(os, "getloadavg", lambda: (2.3, 2.0, 2.0))  # this process and another
    assert parallel.processes(big, 0) == 1
    assert parallel.processes(big, 2) == 2  # asked for by number: as asked
    monkeypatch.setattr(parallel, "usable_cpus", lambda: 4)
    assert parallel.processes(big, 0) == 3
    monkeypatch.delattr(os, "getloadavg")  # a system that does not say
    assert parallel.processes(big, 0) == 4


@pytest.mark.parametrize("platform", ["win32", "darwin", "emscripten"])
def test_no_fork_on_windows_macos_or_pyodide(monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    assert not parallel.can_fork()


def test_usable_cpus_follows_the_affinity(monkeypatch):
    if hasattr(os, "sched_getaffinity"):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
        assert parallel.usable_cpus() == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert parallel.usable_cpus() == 1


def test_jobs_from_option_or_environment(monkeypatch):
    monkeypatch.delenv(parallel.JOBS_VARIABLE, raising=False)
    assert parallel.jobs_from(None) == 1  # one process unless asked (the measured decision)
    assert parallel.jobs_from("auto") == 0 and parallel.jobs_from("2") == 2
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "auto")
    assert parallel.jobs_from(None) == 0
    assert parallel.jobs_from("1") == 1  # --jobs wins
    for bad in ("two", "-1", "1.5"):
        with pytest.raises(ValueError, match="not a number of processes"):
            parallel.jobs_from(bad)


@forking
def test_the_jobs_default_is_one_process_so_the_excel_buttons_are_unchanged(messy, small_threshold):
    from cin_xl.jobs.load import Loaded
    from cin_xl.jobs.validate import validate_loaded

    census, serial = messy
    found = validate_loaded(Loaded(census, YEAR, "book.xlsx", [])).findings
    assert parallel.LAST.processes == 1 and found == serial


# --- a worker that fails ------------------------------------------------------------------------------------


def _failing_in_worker(monkeypatch, fail):
    """The workers' structural check fails (``fail()`` runs in a worker only); here it works as before."""
    here = os.getpid()
    real = engine.check_children

    def check_children(children, year):
        if os.getpid() != here:
            fail()
        return real(children, year)

    monkeypatch.setattr(engine, "check_children", check_children)


@forking
@pytest.mark.parametrize("how", ["killed", "raises", "exits"])
def test_a_failed_worker_has_its_part_checked_again_here(messy, small_threshold, monkeypatch, how):
    def fail():
        if how == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        elif how == "raises":
            raise MemoryError
        os._exit(0)  # ends "well" without sending its findings

    _failing_in_worker(monkeypatch, fail)
    census, serial = messy
    assert validate(census, YEAR, jobs=3) == serial
    assert parallel.LAST.processes == 3 and parallel.LAST.retried == 2


@forking
def test_no_process_could_be_made_so_the_part_is_checked_here(messy, small_threshold, monkeypatch):
    def fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)
    census, serial = messy
    assert validate(census, YEAR, jobs=2) == serial and parallel.LAST.retried == 1


@forking
def test_a_worker_that_hangs_is_stopped_and_its_part_checked_here(messy, small_threshold, monkeypatch):
    monkeypatch.setattr(parallel, "GRACE_SECONDS", 0.5)
    _failing_in_worker(monkeypatch, lambda: time.sleep(120))
    census, serial = messy
    started = time.monotonic()
    assert validate(census, YEAR, jobs=2) == serial
    assert parallel.LAST.retried == 1 and time.monotonic() - started < 60


@forking
def test_a_worker_is_stopped_when_this_process_fails(messy, small_threshold, monkeypatch):
    pids = []
    real = parallel.Worker.__init__

    def remember(self, work):
        real(self, work)
        pids.append(self.pid)

    def interrupted(view):
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel.Worker, "__init__", remember)
    monkeypatch.setattr(engine, "_local_findings", interrupted)
    census, _ = messy
    with pytest.raises(KeyboardInterrupt):
        validate(census, YEAR, jobs=2)
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):  # already waited for: no process left behind
        os.waitpid(pids[0], os.WNOHANG)


# --- the golden results, and the command line ---------------------------------------------------------------


@forking
@pytest.mark.parametrize("case", [c for c in cases() if c[:7] >= "2022-23"])
def test_golden_findings_in_parts(case, small_threshold, tmp_path):
    from cin_xl.jobs.validate import validate_file
    from cin_xl.workbook.writer import write_workbook
    from cin_xl.xml.reader import read_xml

    expected = json.loads((HERE / f"{case}.json").read_text(encoding="utf-8"))
    xml = HERE / f"{case}.xml"
    got = [f.as_dict() for f in validate_file(xml, jobs=2).findings]
    assert parallel.LAST.processes == 2
    assert json.loads(json.dumps(got, ensure_ascii=False)) == expected["xml_findings"]
    read = read_xml(xml)
    book = tmp_path / "census.xlsx"
    write_workbook(book, read.census, read.year, issues=read.problems, force=True)
    got = [f.as_dict() for f in validate_file(book, jobs=3).findings]
    assert parallel.LAST.processes == 3
    assert json.loads(json.dumps(got, ensure_ascii=False)) == expected["workbook_findings"]


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cin_xl.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **env}, timeout=120)


@forking
def test_command_line_jobs_same_summary_and_report(tmp_path):
    xml = HERE / "2026-27-messy.xml"
    runs = {}
    for jobs in ("1", "2"):
        proc = _cli(["validate", str(xml), "--jobs", jobs, "--report", "out.json", "--force"], tmp_path,
                    **{parallel.MIN_CHILDREN_VARIABLE: "2"})
        assert proc.returncode in (1, 2) and proc.stderr == ""
        runs[jobs] = (proc.stdout, (tmp_path / "out.json").read_bytes())
    assert runs["1"] == runs["2"]


@forking
def test_command_line_one_process_unless_asked(small_threshold, monkeypatch, capsys):
    from cin_xl.cli import main

    xml = str(HERE / "2026-27-messy.xml")
    monkeypatch.delenv(parallel.JOBS_VARIABLE, raising=False)
    main(["validate", xml, "--quiet"])
    assert parallel.LAST.processes == 1
    monkeypatch.setenv(parallel.JOBS_VARIABLE, "auto")
    main(["validate", xml, "--quiet"])
    assert parallel.LAST.processes == 4
    main(["validate", xml, "--quiet", "--jobs", "1"])
    assert parallel.LAST.processes == 1
    capsys.readouterr()


def test_command_line_refuses_a_bad_number_of_jobs(tmp_path):
    xml = HERE / "2026-27-messy.xml"
    proc = _cli(["validate", str(xml), "--jobs", "many"], tmp_path)
    assert proc.returncode == 2 and "--jobs: 'many' is not a number of processes" in proc.stderr
    proc = _cli(["validate", str(xml)], tmp_path, **{parallel.JOBS_VARIABLE: "lots"})
    assert proc.returncode == 2 and "$CIN_XL_JOBS: 'lots' is not a number of processes" in proc.stderr


@forking
@pytest.mark.skipif(parallel.usable_cpus() < 2, reason="needs a second CPU")
def test_progress_on_a_terminal_in_parts(tmp_path, monkeypatch):
    from tests.core.test_progress import run_on_terminal

    monkeypatch.setenv(parallel.MIN_CHILDREN_VARIABLE, "2")
    out, shown = run_on_terminal(["validate", str(HERE / "2026-27-messy.xml"), "--jobs", "2", "--report",
                                  "out.json"], tmp_path)
    for step in ("Checking the DfE rules", "Checking every item",
                 "Checking the other half of the children (another process)"):
        assert step in shown, step
    last = [line for line in shown.replace("\r", "\n").splitlines() if line.strip()][-1]
    assert "out.json is finished and safe to open" in last
    assert " errors, " in out and "Checking" not in out
