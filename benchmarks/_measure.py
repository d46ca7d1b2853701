"""Shared helpers for the benchmark scripts: time a step, report peak memory."""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from contextlib import contextmanager


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@contextmanager
def step(name: str, children: int, results: list, *, trace_python: bool = True):
    """Time a step; report children per second, Python peak allocation and process peak RSS."""
    if trace_python:
        tracemalloc.start()
    started = time.perf_counter()
    yield
    elapsed = time.perf_counter() - started
    py_peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace_python else float("nan")
    if trace_python:
        tracemalloc.stop()
    row = (name, elapsed, children / elapsed if elapsed else float("inf"), py_peak, peak_rss_mb())
    results.append(row)
    print(f"{name:<34} {elapsed:8.2f} s  {row[2]:10,.0f} children/s  python peak {py_peak:8.1f} MB  "
          f"process peak {row[4]:8.1f} MB", flush=True)
