"""Two consecutive years of one synthetic authority: year Y, and year Y+1 continuing Y's open cases.

``generate_years(n, "2025-26", seed)`` gives ``(last, this)``: the return of 2025-26 and that of
2026-27, which holds every child whose case was open at 31 March 2026 (carried forward exactly as
:func:`cin_xl.jobs.rollover.carry_forward` does, then moved on a year: work under way is finished, some
plans end, episodes whose plans have all ended are closed) and new children referred in 2026-27.
Both are valid, and the second has no continuity findings against the first.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from cin_xl.census.model import CensusReturn, Child, CINDetails
from cin_xl.census.spec import CODE_SETS
from cin_xl.census.upn import make_upn
from cin_xl.census.years import CensusYear
from cin_xl.jobs.rollover import carry_forward
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.generate import generate, set_sex
from cin_xl.validation.helpers import years_before

D = timedelta(days=1)
#: share of the next year's children who were carried from the year before (the rest are new)
NEW_SHARE = 0.6


def generate_years(n_children: int = 100, year: str | CensusYear = "2025-26", seed: int = 0, *,
                   la_code: str = "873") -> tuple[CensusReturn, CensusReturn]:
    """``(return of year, return of year + 1)`` for one authority; the second continues the first."""
    first = CensusYear.parse(year)
    last = generate(n_children, first, seed=seed, la_code=la_code)
    return last, following_year(last, first, n_children, seed, la_code=la_code, first_index=n_children + 1)


def generate_run(n_children: int, first: str | CensusYear, count: int, seed: int = 0, *,
                 la_code: str = "873") -> list[CensusReturn]:
    """``count`` consecutive returns of one authority from ``first``, each continuing the one before (as
    :func:`generate_years` makes a pair), the children of every year numbered apart."""
    year = CensusYear.parse(first)
    returns = [generate(n_children, year, seed=seed, la_code=la_code)]
    made = n_children
    for i in range(1, count):
        returns.append(following_year(returns[-1], CensusYear(year.first + i - 1), n_children, seed + i,
                                      la_code=la_code, first_index=made + 1))
        made += max(1, round(n_children * NEW_SHARE))
    return returns


def following_year(last: CensusReturn, year: CensusYear, n_children: int, seed: int, *, la_code: str = "873",
                   first_index: int) -> CensusReturn:
    """The return of ``year`` + 1 continuing ``last`` (the return of ``year``): its children open at the
    reference date carried and moved on a year, and new children numbered from ``first_index``."""
    second = CensusYear(year.first + 1)
    carried = carry_forward(last, year, second).census
    rng = random.Random(seed * 7 + 1)
    for child in carried.children:
        _move_on(child, second, rng, la_code)
    new = generate(max(1, round(n_children * NEW_SHARE)), second, seed=seed, la_code=la_code,
                   first_index=first_index)
    return CensusReturn(header=new.header, children=carried.children + new.children)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + D * rng.randint(0, max((last - first).days, 0))


def _move_on(child: Child, year: CensusYear, rng: random.Random, la_code: str) -> None:
    """A carried child a year on: what was under way is done, plans go on or end, some episodes close."""
    ids = child.identifiers
    if ids.expected_person_birth_date is not None and made(ids.expected_person_birth_date) <= year.reference_date:
        ids.person_birth_date, ids.expected_person_birth_date = max(made(ids.expected_person_birth_date),
                                                                    year.start), None
        set_sex(ids, rng.choice(["M", "F"]), year)
        child.characteristics.disabilities = ["NONE"]
    born = ids.person_birth_date
    if ids.upn_unknown == "UN1" and born is not None and made(born) <= years_before(year.reference_date, 4):
        # of school age now: a UPN from the school (a new item for the child, not a change)
        ids.upn_unknown, ids.upn = None, make_upn(la_code, 3_000_000 + int(str(ids.la_child_id)[-7:]) * 7919 % 10**9)
    factors = sorted(c.code for c in CODE_SETS["AssessmentFactors"].for_year(year)
                     if not c.deprecated and c.code != "21")
    for episode in child.cin_details:
        _move_episode(episode, year, rng, factors)


def _move_episode(episode: CINDetails, year: CensusYear, rng: random.Random, factors: list[str]) -> None:
    start, ref = year.start, year.reference_date
    last = start
    for assessment in episode.assessments:
        assessment.authorisation_date = _day(rng, start, start + 20 * D)
        assessment.factors = sorted(rng.sample(factors, 2))
        last = max(last, assessment.authorisation_date)
    for enquiry in episode.section47s:
        enquiry.icpc_not_required = True  # concluded with no conference
    ended = True
    for cin_plan in episode.cin_plans:
        if rng.random() < 0.4:
            cin_plan.end_date = _day(rng, max(last, start + 30 * D), ref - 30 * D)
            last = max(last, cin_plan.end_date)
        else:
            ended = False
    for cp_plan in episode.child_protection_plans:
        end = _day(rng, max(last, start + 30 * D), ref - 30 * D) if rng.random() < 0.4 else None
        review = made(cp_plan.review_dates[-1] if cp_plan.review_dates else cp_plan.start_date) + 180 * D
        while review < (end or ref):
            if review >= start:
                cp_plan.review_dates.append(review)
            review += 180 * D
        cp_plan.end_date = end
        if end is None:
            ended = False
        else:
            last = max(last, end)
    had_plans = episode.cin_plans or episode.child_protection_plans
    if had_plans and ended and rng.random() < 0.8:
        episode.closure_date, episode.reason_for_closure = _day(rng, last, min(last + 10 * D, ref)), "RC7"
