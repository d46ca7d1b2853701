"""Checking a large return on more than one core: the children in contiguous parts, one part a process.

Python runs one thread of Python at a time, so the DfE rules and the structural checks of a return (about
half of ``cin-xl validate`` on a large return) can use a second core only in a second process. On Linux (and
the other POSIX systems but macOS) that process is made by ``os.fork``: it starts as a copy of this one, with
the return already read and every module imported, so nothing is sent to it; only its findings come back,
pickled through a pipe.

How the findings keep the order of a run in one process (``validate`` lists the structural findings in
the order of the records, then each rule's findings in catalogue order, each rule in the order of the
children):

- the children are cut into contiguous parts; this process checks the first, each worker one of the others;
- a rule declared ``whole_return`` (it compares children, counts shares of the return or reads the
  header: :func:`cin_xl.validation.registry.rule`) runs here, on the whole return;
- every other rule runs on each part, and its findings are the first part's, then the second's...: what
  it finds on the whole return, as it looks at each child on its own, in the children's order (a test runs
  every rule both ways on a messy return);
- the structural findings are the header's and first part's, then the others' in order; a value a DfE rule
  has reported is dropped from them as before, by the identity of its record (the same object in every
  process: a forked process has this one's memory at the same addresses).

It is used only where it pays and where it is safe, else the return is checked here, as before, with the
same findings: a small return (under :data:`MIN_CHILDREN` children; the fork and the findings' way back cost
more than the second core saves), one usable CPU, no ``fork`` (Windows; macOS, where system libraries are
not safe in a forked process and Python's default is ``spawn``, which would import everything again and send
the whole return; pyodide, so xlwings Lite), or a caller that did not ask (``jobs=1``, the default of the
jobs: the Excel buttons never ask). A worker that fails (killed, out of memory, an error) has its part
checked again here: findings are never lost.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cin_xl.census.model import CensusReturn, Child, build

#: the fewest children for which a second process pays (measured: benchmarks/bench_jobs.py)
MIN_CHILDREN = 5_000
#: how many processes the command line uses unless told (``--jobs``): one turns it off
JOBS_VARIABLE = "CIN_XL_JOBS"
#: the fewest children for a second process, for tests and benchmarks (default :data:`MIN_CHILDREN`)
MIN_CHILDREN_VARIABLE = "CIN_XL_JOBS_MIN_CHILDREN"
#: how long past three times this process's own part a worker may take before it is taken as failed
GRACE_SECONDS = 10.0
#: the most processes used, whatever the number of CPUs (each more adds its findings' way back)
MOST_JOBS = 4


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity where the system says, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a worker can be a fork of this process: POSIX with ``os.fork``, not macOS, not pyodide."""
    return hasattr(os, "fork") and sys.platform not in ("darwin", "emscripten", "wasi", "win32", "cygwin")


#: what the command line does when neither ``--jobs`` nor :data:`JOBS_VARIABLE` says: one process (the measured
#: design decision, docs/maintainers.md: it pays only on an idle second core, and costs memory)
DEFAULT_JOBS = "1"


def jobs_from(text: str | int | None) -> int:
    """The number of processes asked for (``--jobs``, else :data:`JOBS_VARIABLE`, else :data:`DEFAULT_JOBS`): a
    whole number from 1, or ``auto`` / 0 for as many as pay (0). Anything else is refused with ValueError."""
    if text is None:
        text = os.environ.get(JOBS_VARIABLE, "").strip() or DEFAULT_JOBS
    if isinstance(text, str):
        if text.strip().lower() in ("auto", "0"):
            return 0
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number of processes (a whole number from 1, or auto)") from None
    else:
        number = text
    if number < 0:
        raise ValueError(f"{number} is not a number of processes (a whole number from 1, or auto)")
    return number


def min_children() -> int:
    text = os.environ.get(MIN_CHILDREN_VARIABLE, "").strip()
    return int(text) if text.isdigit() else MIN_CHILDREN


def processes(children: int, jobs: int) -> int:
    """How many processes check a return of ``children`` children when ``jobs`` are asked for (0: as many
    as pay): 1 unless it is large, there is a second CPU and workers can be forked."""
    if jobs == 1 or children < max(2, min_children()) or not can_fork():
        return 1
    cpus = usable_cpus()
    if jobs == 0:
        wanted = min(cpus, MOST_JOBS) - busy_cpus(cpus)
    else:
        wanted = min(jobs, cpus)
    return max(1, min(wanted, children))


def busy_cpus(cpus: int) -> int:
    """For ``auto``: the CPUs kept busy by other work, from the load average of the last minute less this
    process's own (a worker on a busy CPU costs more than it saves: measured). 0 where the system does not say."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0
    return max(0, min(cpus, round(load - 1)))


def parts(children: Sequence[Child], n: int) -> list[Sequence[Child]]:
    """``n`` contiguous parts of the children, as equal as can be, in order."""
    size, extra = divmod(len(children), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(children[start:end])
        start = end
    return out


def part_of(census: CensusReturn, children: Sequence[Child]) -> CensusReturn:
    """The return with only these children (the same header and records, not copies)."""
    return build(CensusReturn, {"header": census.header, "children": list(children)}, census._origin)


@dataclass
class Outcome:
    """What one process found in its part: each rule's findings (by its place in the list of rules run, None
    for a rule not run there), the structural problems as (record id, field, finding), the (record id, field)
    pairs the rules reported, and how the worker went."""

    rules: list[list[Any] | None]
    structural: list[tuple[int, str, Any]]
    flagged: set[tuple[int, str]]
    #: the worker's peak resident memory in kB (VmHWM, pages shared with this process included), and its own
    #: memory (not shared) when it was done, where the system says
    peak_kb: int | None = None
    private_kb: int | None = None
    seconds: float = 0.0


@dataclass
class RunStats:
    """How the last validation was split (for benchmarks): processes, each worker's peak memory in kB,
    the bytes of findings sent back, and the parts checked again here after a worker failed."""

    processes: int = 1
    worker_peak_kb: list[int | None] = field(default_factory=list)
    worker_private_kb: list[int | None] = field(default_factory=list)
    bytes_back: int = 0
    retried: int = 0
    unpickle_seconds: float = 0.0
    worker_seconds: list[float] = field(default_factory=list)
    #: this process's own part, from the first fork to asking for the workers' findings; then the wait
    own_seconds: float = 0.0
    wait_seconds: float = 0.0


#: the last validation's split (benchmarks read it)
LAST = RunStats()


def private_kb() -> int | None:
    """This process's memory of its own (pages not shared with the process it was forked from), in kB."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            return sum(int(line.split()[1]) for line in rollup if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except (OSError, ValueError):
        return None


def peak_kb() -> int | None:
    """This process's peak resident memory (VmHWM) in kB, where /proc says."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class Worker:
    """A forked process checking one part; :meth:`outcome` its findings, or None if it failed."""

    def __init__(self, work: Callable[[], Outcome]):
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the worker: never returns into the caller's frames
            code = 1
            try:
                os.close(read)
                started = time.perf_counter()
                outcome = work()
                outcome.seconds = time.perf_counter() - started
                outcome.peak_kb, outcome.private_kb = peak_kb(), private_kb()
                data = memoryview(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(write, data):]
                code = 0
            except BaseException:  # noqa: BLE001 - the worker reports failure by its exit code, nothing else
                pass
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.read = pid, read
        self.started = time.monotonic()

    def outcome(self, stats: RunStats | None = None) -> Outcome | None:
        """The worker's findings, or None if it failed (it ended in error, was killed, or took far longer
        than this process took for its own part: then it is stopped); waits for it to end."""
        import select

        now = time.monotonic()
        deadline = now + 3 * (now - self.started) + GRACE_SECONDS  # its part is the size of this process's
        chunks = []
        failed = False
        try:
            while True:
                ready, _, _ = select.select([self.read], [], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    failed = True
                    break
                chunk = os.read(self.read, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self.read)
            self.read = -1
        if failed:
            self.stop()
            return None
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        data = b"".join(chunks)
        if stats is not None:
            stats.bytes_back += len(data)
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            return None
        started = time.perf_counter()
        try:
            outcome = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a cut message: its part is checked again
            return None
        if not isinstance(outcome, Outcome):
            return None
        if stats is not None:
            stats.unpickle_seconds += time.perf_counter() - started
            stats.worker_peak_kb.append(outcome.peak_kb)
            stats.worker_private_kb.append(outcome.private_kb)
            stats.worker_seconds.append(outcome.seconds)
        return outcome

    def stop(self) -> None:
        """End a worker still running (the caller failed or was stopped)."""
        import signal

        if self.read >= 0:
            os.close(self.read)
            self.read = -1
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0


__all__ = ["MIN_CHILDREN", "JOBS_VARIABLE", "MIN_CHILDREN_VARIABLE", "LAST", "Outcome", "RunStats", "Worker",
           "DEFAULT_JOBS", "busy_cpus", "can_fork", "jobs_from", "min_children", "part_of", "parts", "peak_kb",
           "private_kb", "processes", "usable_cpus"]
