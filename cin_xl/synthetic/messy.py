"""Messy returns: a generated return with realistic mistakes spread over every rule that has an injector.

Real returns arrive messy: the first validation of an authority's data usually reports thousands of
findings. ``add_mistakes(census, year, rate, seed)`` makes about ``rate`` mistakes per child, each one
of the known violations of :mod:`cin_xl.synthetic.inject` (one per rule, plus the rules that necessarily come
with it, :data:`cin_xl.synthetic.inject.COMPANIONS`), taking the rules in turn in a shuffled order so that
every rule in force for the year with an injector is broken about as often as the others. Rules
that concern the whole return (a proportion of children, more plans than conferences) are broken
once. At :data:`BENCHMARK_RATE` a return gets about one finding per child, as the benchmarks use.

Called through ``generate(..., mistakes=rate)``; the clean generator is not changed by it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from cin_xl.census.model import CensusReturn, Child
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.inject import INJECTORS, Injected, NoCandidate, Picker
from cin_xl.validation import catalogue

#: mistakes per child that give about one finding per child (see benchmarks/bench_messy.py)
BENCHMARK_RATE = 0.85

#: rules about the whole return: broken once, however large the return
RETURN_LEVEL = {"100", "2883", "2886Q", "2887Q", "2888Q", "8995Q", "9000Q"}

#: rules whose injectors list every child's ID each time: broken a few times only, not in every turn
OCCASIONAL = {"1570": 5, "1580": 5}

#: how many random children to try before looking through all of them (rare candidates)
_TRIES = 64


class _FastPicker(Picker):
    """A :class:`Picker` that draws candidates at random instead of listing all children each time.

    Picking a child for each of thousands of mistakes by listing every unused child would cost
    O(children) per mistake; drawing a few at random finds a fitting child at once for most rules,
    and only the rare ones (pre-proceedings, deaths) fall back to a full pass.
    """

    def __init__(self, census: CensusReturn, year: CensusYear, rng: random.Random):
        super().__init__(census, year, rng)
        self._pool: list[Child] = list(census.children)
        self._index = {id(c): i for i, c in enumerate(self._pool)}
        #: the last pick needed a pass over every child: the rule fits few children
        self.scanned = False

    def _take(self, child: Child) -> None:
        i = self._index.pop(id(child), None)
        if i is not None:
            last = self._pool.pop()
            if last is not child:
                self._pool[i] = last
                self._index[id(last)] = i
        self._used.add(id(child))

    def child(self, test: Callable[[Child], object] = lambda c: True) -> Child:
        pool = self._pool
        for _ in range(min(_TRIES, len(pool))):
            candidate = pool[self.rng.randrange(len(pool))]
            if test(candidate):
                self._take(candidate)
                return candidate
        self.scanned = True
        candidates = [c for c in pool if test(c)]
        if not candidates:
            raise NoCandidate
        chosen = self.rng.choice(candidates)
        self._take(chosen)
        return chosen

    def claim(self, child: Child) -> None:
        self._take(child)


def mistake_codes(year: CensusYear) -> list[str]:
    """The rule codes in force in ``year`` that have an injector, in catalogue order."""
    return [code for code in catalogue(year) if code in INJECTORS]


def add_mistakes(census: CensusReturn, year: CensusYear, rate: float, seed: int = 0) -> list[Injected]:
    """Put about ``rate * children`` realistic mistakes into ``census``; returns what was done.

    The same arguments give the same mistakes. A rule for which no child fits any more is dropped
    from the turn, and so is one that few children fit (found only by looking through them all,
    which would make a large return slow to make); the others carry on until the count is reached
    or no rule can be broken.
    """
    rng = random.Random(f"messy-{seed}")
    picker = _FastPicker(census, year, rng)
    wanted = round(rate * len(census.children))
    codes = mistake_codes(year)
    rng.shuffle(codes)
    done: list[Injected] = []
    times = dict.fromkeys(codes, 0)
    while len(done) < wanted and codes:
        still: list[str] = []
        for code in codes:
            if len(done) >= wanted:
                break
            picker.scanned = False
            try:
                done.append(INJECTORS[code](picker))
            except NoCandidate:
                continue
            times[code] += 1
            if code not in RETURN_LEVEL and not picker.scanned and times[code] < OCCASIONAL.get(code, wanted):
                still.append(code)
        codes = still
    return done
