"""Small performance helpers shared by the readers, the validation and the figures."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, cast

_P = ParamSpec("_P")
_R = TypeVar("_R")


def cached(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``functools.cache``, seen by type checkers as the function it wraps.

    For functions keyed by a record class (``fields_of(cls, year)``): mypy does not count a class as
    ``Hashable`` (python/mypy#11470), so every call of a plain ``@cache`` function with one is an error.
    """
    return cast("Callable[_P, _R]", functools.cache(function))


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a big return is built or walked.

    A census return is a tree (no reference cycles), yet building or walking 20,000 children
    allocates enough objects to trigger repeated full collections, each walking the whole return:
    pausing it saves a third of the time. Memory is freed as usual by reference counting.

    On the way out, what was built is moved to the collector's permanent generation
    (``gc.freeze``): otherwise the first collection after the pause walks every record of the return
    (0.4 s at 20,000 children), and later ones again. The records hold no reference cycles, so
    nothing is kept that reference counting would not free.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def thaw() -> None:
    """Give what :func:`no_gc` froze back to the collector.

    A command-line run ends with its process, but Excel's Python lives on from one button to the
    next: a button calls this when it is done, so that anything of its work caught in a reference
    cycle is still collected.
    """
    gc.unfreeze()
