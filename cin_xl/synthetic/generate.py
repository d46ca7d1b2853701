"""Synthetic census returns: realistic, seeded, valid by default.

``generate(n, year, seed=0)`` makes a return of ``n`` children that exercises every module and
code set: referrals with no further action, assessments closed with no further action, CIN plans,
section 47 enquiries leading to conferences and child protection plans with reviews, enquiries
needing no conference, episodes carried over from the previous year, work still under way at
31 March, unborn children, a few deaths and, from 2026-27, pre-proceedings. The same arguments
always give the same return. Nothing in it describes a real person.

``violations=["8525Q", ...]`` then breaks chosen rules on chosen children (see
:mod:`cin_xl.synthetic.inject`), for tests, the demo and benchmarks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cin_xl import __version__
from cin_xl.census.calendar import add_working_days, is_working_day
from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildCharacteristics,
    ChildIdentifiers,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    CollectionDetails,
    DateValue,
    Header,
    PreProceedings,
    Section47,
    Source,
)
from cin_xl.census.spec import CODE_SETS, fields_of
from cin_xl.census.spec.codesets import SEX_OF_GENDER
from cin_xl.census.upn import make_upn
from cin_xl.census.years import CensusYear, in_force
from cin_xl.synthetic.dates import made

D = timedelta(days=1)

# How often each kind of episode occurs (roughly the national mix of CIN census episodes).
EPISODE_MIX = {
    "nfa": 20,  # referral with no further action
    "assessed_closed": 22,  # assessment, then closed (RC8/RC9)
    "cin_plan": 18,  # assessment, then a CIN plan
    "child_protection": 14,  # s47 -> initial conference -> CP plan, maybe a CIN plan after
    "s47_no_conference": 6,  # s47 where no conference was needed
    "carried_cin_plan": 8,  # referred last year, CIN plan going on
    "carried_cpp": 5,  # referred last year, CP plan going on
    "recent": 7,  # referred in the last weeks of March, work under way
}
#: Referrals per calendar month, relative (fewer in the school holidays of August and December).
REFERRAL_MONTH_WEIGHTS = {4: 9, 5: 10, 6: 10, 7: 10, 8: 7, 9: 9, 10: 10, 11: 10, 12: 8, 1: 9, 2: 10, 3: 10}
ETHNICITY_WEIGHTS = {"WBRI": 60, "WIRI": 1, "WIRT": 1, "WOTH": 5, "WROM": 1, "MWBC": 2, "MWBA": 1, "MWAS": 1,
                     "MOTH": 2, "AIND": 2, "APKN": 3, "ABAN": 1, "AOTH": 2, "BCRB": 1, "BAFR": 4, "BOTH": 1,
                     "CHNE": 1, "OOTH": 2, "REFU": 1, "NOBT": 8}


@dataclass
class GeneratorOptions:
    n_children: int = 100
    year: CensusYear = field(default_factory=lambda: CensusYear.parse("2026-27"))
    seed: int = 0
    la_code: str = "873"
    #: rule codes to break, each on one child (see cin_xl.synthetic.inject)
    violations: tuple[str, ...] = ()
    #: number of the first child (IDs and UPNs follow it), so that two returns can hold different children
    first_index: int = 1


class _Builder:
    def __init__(self, options: GeneratorOptions):
        self.o = options
        self.rng = random.Random(options.seed)
        self.year = options.year
        self.start = self.year.start
        self.ref = self.year.reference_date
        self.pre_proceedings = in_force(self.year, "2026-27", None)
        factors = [c.code for c in CODE_SETS["AssessmentFactors"].for_year(self.year) if not c.deprecated]
        self.factors = [c for c in factors if c != "21"]
        self.disabilities = [c for c in CODE_SETS["Disability"].valid(self.year) if c != "NONE"]
        self.disabilities.sort()
        self.closed_after_assessment = "RC9" if "RC9" in CODE_SETS["ReasonForClosure"].valid(self.year) else "RC8"

    # -- small helpers ---------------------------------------------------------------------------
    def day_between(self, first: date, last: date) -> date:
        span = (last - first).days
        return first + D * self.rng.randint(0, max(span, 0))

    def referral_day(self, first: date, last: date) -> date:
        """A day in ``first``..``last``, months weighted as referrals come in over a year."""
        top = max(REFERRAL_MONTH_WEIGHTS.values())
        while True:
            day = self.day_between(first, last)
            if first >= last or self.rng.random() * top < REFERRAL_MONTH_WEIGHTS[day.month]:
                return day

    def weekday_on_or_after(self, day: date) -> date:
        while not is_working_day(day):
            day += D
        return day

    def pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def code(self, codeset: str, exclude: tuple[str, ...] = ()) -> str:
        return self.rng.choice(sorted(c for c in CODE_SETS[codeset].valid(self.year) if c not in exclude))

    # -- episodes ----------------------------------------------------------------------------------
    def assessment(self, start: date, factors: list[str] | None = None, days: tuple[int, int] = (5, 45)):
        # about one in ten takes longer than the 45 working days the statutory guidance allows
        late = self.rng.random() < 0.1
        done = start + D * (self.rng.randint(66, 90) if late else self.rng.randint(*days))
        done = max(start, min(done, self.ref - D))  # a referral late in the year is assessed by 31 March
        chosen = factors if factors is not None else self.rng.sample(self.factors, self.rng.randint(1, 3))
        return Assessment(start_date=start, authorisation_date=done, factors=sorted(chosen, key=_code_order)), done

    def episode(self, kind: str, referral: date) -> CINDetails:
        rng = self.rng
        ep = CINDetails(referral_date=referral, referral_source=self.code("ReferralSource"), referral_nfa=False,
                        primary_need_code=self.pick({"N1": 50, "N2": 4, "N3": 4, "N4": 10, "N5": 15, "N6": 2,
                                                     "N7": 1, "N8": 4, "N9": 5, "N0": 2}))
        last = referral
        if kind == "nfa":
            ep.referral_nfa = True
            ep.primary_need_code = rng.choice([None, "N9", "N0"])
            ep.closure_date, ep.reason_for_closure = referral, "RC7"
            return ep
        if kind == "assessed_closed":
            no_factors = rng.random() < 0.6
            assessment, done = self.assessment(referral + D * rng.randint(0, 3), ["21"] if no_factors else None)
            ep.assessments = [assessment]
            ep.closure_date = min(done + D * rng.randint(0, 5), self.ref)
            ep.reason_for_closure = "RC8" if no_factors else self.closed_after_assessment
            return ep
        if kind == "recent":
            ep.assessments = [Assessment(start_date=referral + D)]
            if rng.random() < 0.3:
                ep.section47s = [Section47(start_date=max(referral + D, add_working_days(self.ref, -10)),
                                           icpc_not_required=False)]
            return ep
        if kind in ("carried_cin_plan", "carried_cpp"):
            plan_start = referral + D * rng.randint(30, 60)
            if kind == "carried_cin_plan":
                cin_plan = CINPlan(start_date=plan_start)
                ep.cin_plans = [cin_plan]
                if rng.random() < 0.5:
                    last = cin_plan.end_date = self.day_between(self.start + 30 * D, self.ref - 5 * D)
            else:
                cp_plan = self.cp_plan(plan_start, ended=rng.random() < 0.5, reviews_from=self.start)
                ep.child_protection_plans = [cp_plan]
                last = made(cp_plan.end_date or last)
            if last > referral and rng.random() < 0.8:
                ep.closure_date, ep.reason_for_closure = last, self.pick({"RC7": 8, "RC3": 1, "RC4": 1, "RC5": 1})
            return ep
        assessment, done = self.assessment(referral + D * rng.randint(0, 2))
        ep.assessments = [assessment]
        last = done
        if kind == "cin_plan":
            start = min(done + D * rng.randint(1, 10), self.ref)
            cin_plan = CINPlan(start_date=start)
            last = start
            if rng.random() < 0.5 and start + 40 * D < self.ref:
                last = cin_plan.end_date = self.day_between(start + 30 * D, self.ref - D)
            ep.cin_plans = [cin_plan]
        elif kind == "s47_no_conference":
            ep.section47s = [Section47(start_date=referral + D * rng.randint(0, 2), icpc_not_required=True)]
            if rng.random() < 0.5:
                start = min(done + D * rng.randint(1, 10), self.ref)
                ep.cin_plans = [CINPlan(start_date=start)]
                last = start
        elif kind == "child_protection":
            s47_start = referral + D * rng.randint(0, 2)
            target = add_working_days(s47_start, 15)
            conference = self.weekday_on_or_after(s47_start + D * rng.randint(7, 20))
            if conference > self.ref:
                conference = self.weekday_on_or_after(s47_start + D)
            s47 = Section47(start_date=s47_start, initial_cpc_target=target, date_of_initial_cpc=conference,
                            icpc_not_required=False)
            ep.section47s = [s47]
            cp_plan = self.cp_plan(conference, ended=rng.random() < 0.45)
            ep.child_protection_plans = [cp_plan]
            last = max(last, conference)
            if cp_plan.end_date:
                last = max(last, made(cp_plan.end_date))
                if rng.random() < 0.5:
                    ep.cin_plans = [CINPlan(start_date=cp_plan.end_date)]
            if self.pre_proceedings and rng.random() < 0.35:
                ep.pre_proceedings = self.pre_proceedings_module(conference)
            if ep.cin_plans or cp_plan.end_date is None:
                return ep
        # close the episode after its last activity, or leave it open
        if ep.cin_plans and ep.cin_plans[-1].end_date is None:
            return ep
        if rng.random() < 0.6 and last < self.ref:
            ep.closure_date = self.day_between(last, min(last + 20 * D, self.ref))
            ep.reason_for_closure = self.pick({"RC7": 10, "RC3": 1, "RC4": 1, "RC5": 2, "RC6": 1, "RC1": 1})
        return ep

    def cp_plan(self, start: date, *, ended: bool, reviews_from: date | None = None) -> ChildProtectionPlan:
        rng = self.rng
        end = None
        if ended and start + 40 * D < self.ref:
            end = self.day_between(max(start + 30 * D, self.start), min(start + 400 * D, self.ref))
        reviews: list[DateValue] = []
        review = start + 90 * D
        limit = end or self.ref
        while review < limit:
            if reviews_from is None or review >= reviews_from:
                reviews.append(review)
            review += 180 * D
        initial = rng.choice(["NEG", "NEG", "EMO", "EMO", "PHY", "SAB", "MUL"])
        return ChildProtectionPlan(start_date=start, end_date=end, initial_category_of_abuse=initial,
                                   latest_category_of_abuse=initial if rng.random() < 0.8 else self.code(
                                       "CategoryOfAbuse"),
                                   number_of_previous_cpp=rng.choice([0, 0, 0, 1, 1, 2, 3]), review_dates=reviews)

    def pre_proceedings_module(self, after: date) -> PreProceedings:
        rng = self.rng
        start = after + D * rng.randint(5, 40)
        if start > self.ref:
            start = self.ref
        pp = PreProceedings(pp_start_date=start)
        steps = [("lbp_sent_date", (1, 10)), ("initial_pp_meeting_date", (5, 20)), ("step_decision_date", (30, 90)),
                 ("court_app_date", (1, 10)), ("letter_init_cp_date", (0, 5))]
        day = start
        for name, (low, high) in steps:
            day = day + D * rng.randint(low, high)
            if day > self.ref:
                break
            setattr(pp, name, day)
            if name == "lbp_sent_date":
                pp.fgdm_meeting_offer = rng.random() < 0.7
                if pp.fgdm_meeting_offer:
                    pp.fgdm_meeting_fac = rng.random() < 0.6
            elif name == "initial_pp_meeting_date":
                pp.review_meetings_count = rng.randint(0, 3)
            elif name == "step_decision_date":
                pp.pp_outcome = self.code("PPOutcome")
                if rng.random() < 0.6:  # no court application for this outcome
                    break
        return pp

    # -- children ----------------------------------------------------------------------------------
    def child(self, index: int) -> Child:
        rng = self.rng
        unborn = rng.random() < 0.03
        identifiers = ChildIdentifiers(la_child_id=f"C{self.o.seed % 1000:03d}{index:07d}")
        if unborn:
            # a pre-birth referral late in the year: due within 40 weeks of it, from March on (8606, 8530Q)
            kind = rng.choice(["nfa", "recent"])
            referral = self.day_between(self.ref - 30 * D, self.ref - 3 * D) if kind == "recent" else \
                self.day_between(self.ref - 200 * D, self.ref - 3 * D)
            episodes = [self.episode(kind, referral)]
            due_first = max(self.ref - 20 * D, referral + 30 * D)
            identifiers.expected_person_birth_date = self.day_between(due_first, referral + 270 * D)
            identifiers.sex = "U"
            identifiers.upn_unknown = "UN1"
        else:
            kinds = [self.pick(EPISODE_MIX)] + ([self.pick(EPISODE_MIX)] if rng.random() < 0.18 else [])
            episodes = self.episodes(kinds)
            birth = made(episodes[0].referral_date) - D * rng.randint(30, 17 * 365)
            identifiers.person_birth_date = birth
            identifiers.sex = rng.choice(["M", "F"])
            age_at_reference = (self.ref - birth).days / 365.25
            if age_at_reference < 4:
                identifiers.upn_unknown = "UN1"
            elif rng.random() < 0.97:
                identifiers.upn = make_upn(self.o.la_code, 1000000 + index * 7919 % 10**9)
                if rng.random() < 0.02:
                    identifiers.former_upn = make_upn(self.o.la_code, 2000000 + index * 7919 % 10**9)
            else:
                identifiers.upn_unknown = rng.choice(["UN2", "UN3", "UN4", "UN5", "UN6"])
            if all(e.referral_nfa for e in episodes) and identifiers.upn is None and rng.random() < 0.5:
                identifiers.upn_unknown = "UN7"
            last = episodes[-1]
            if (len(episodes) == 1 and last.closure_date and not last.referral_nfa
                    and last.reason_for_closure not in ("RC8", "RC9") and rng.random() < 0.01):
                identifiers.person_death_date = last.closure_date
                last.reason_for_closure = "RC2"
        disabilities = ["NONE"]
        if rng.random() < 0.15:
            disabilities = rng.sample(self.disabilities, rng.choice([1, 1, 2, 3]))
        if unborn:
            disabilities = []
        characteristics = ChildCharacteristics(ethnicity=self.pick(ETHNICITY_WEIGHTS), disabilities=disabilities)
        return Child(identifiers=identifiers, characteristics=characteristics, cin_details=episodes)

    def episodes(self, kinds: list[str]) -> list[CINDetails]:
        rng = self.rng
        out: list[CINDetails] = []
        earliest = self.start
        for i, kind in enumerate(kinds):
            last_one = i == len(kinds) - 1
            if kind in ("carried_cin_plan", "carried_cpp"):
                if out:  # only the first episode can be carried over from last year
                    kind = "recent" if last_one else "nfa"
                else:
                    out.append(self.episode(kind, self.start - D * rng.randint(70, 500)))
                    if out[-1].closure_date is None and not last_one:
                        out[-1].closure_date, out[-1].reason_for_closure = self.ref - 60 * D, "RC7"
                        _trim_after(out[-1], out[-1].closure_date)
                    earliest = made(out[-1].closure_date or self.ref) + D
                    continue
            if last_one:
                # the latest referral falls anywhere in the year; one in the last weeks is often still
                # being worked on at 31 March, and one in the last days has had time for little else
                referral = self.referral_day(min(earliest, self.ref - 3 * D), self.ref - 3 * D)
                if referral > self.ref - 30 * D and (kind == "recent" or rng.random() < 0.4):
                    kind = "recent"
                elif kind == "recent":
                    kind = self.pick({k: w for k, w in EPISODE_MIX.items() if k in _SHORT_KINDS})
                if referral > self.ref - 10 * D and kind != "nfa":
                    kind = "recent"
            else:
                latest = self.ref - 200 * D
                if earliest > latest:
                    kind, latest = "nfa", self.ref - D
                referral = self.referral_day(earliest, latest)
            ep = self.episode(kind, referral)
            if not last_one and ep.closure_date is None:
                # an earlier episode must be closed before the next referral (rules 8815/8820)
                ep = self.episode("nfa", referral)
            out.append(ep)
            earliest = made(ep.closure_date or self.ref) + D
            if earliest >= self.ref - 3 * D:
                break
        return out

    def build(self) -> CensusReturn:
        header = Header(
            collection_details=CollectionDetails(year=self.year.xml_year, reference_date=self.ref),
            source=Source(lea=self.o.la_code, software_code="cin-xl", release=__version__, serial_no="001",
                          date_time=datetime(self.ref.year, 4, 10, 9, 30)),
        )
        first = self.o.first_index
        census = CensusReturn(header=header, children=[self.child(i) for i in range(first, first + self.o.n_children)])
        fit_to_year(census, self.year)
        if self.o.violations:
            from cin_xl.synthetic.inject import inject

            inject(census, self.year, self.o.violations, random.Random(self.o.seed + 1))
        return census


#: kinds of episode that start and finish (or stay open) within the year
_SHORT_KINDS = ("nfa", "assessed_closed", "cin_plan", "child_protection", "s47_no_conference")


def _trim_after(episode: CINDetails, closure: date) -> None:
    """Make a carried-over episode end by its (new) closure date."""
    for cin_plan in episode.cin_plans:
        if cin_plan.end_date is None or made(cin_plan.end_date) > closure:
            cin_plan.end_date = closure
    for cp_plan in episode.child_protection_plans:
        if cp_plan.end_date is None or made(cp_plan.end_date) > closure:
            cp_plan.end_date = closure
        cp_plan.review_dates = [r for r in cp_plan.review_dates if made(r) < closure]


def _code_order(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits or 0), code


def set_sex(identifiers: ChildIdentifiers, sex: str, year: CensusYear) -> None:
    """Give the child ``sex`` (M, F or U) in the item of ``year``: <Sex>, or <GenderCurrent> (1, 2, 0) before it."""
    if "sex" in {f.name for f in fields_of(ChildIdentifiers, year)}:
        identifiers.sex, identifiers.gender_current = sex, None
    else:
        identifiers.gender_current = {v: k for k, v in SEX_OF_GENDER.items()}[sex]
        identifiers.sex = None


def fit_to_year(census: CensusReturn, year: CensusYear) -> None:
    """Made with the items of the latest census, the return is given those of ``year``: the child's sex in the
    item of the year, and no CIN plans before the year they were first collected."""
    plans = "cin_plans" in {f.name for f in fields_of(CINDetails, year)}
    for child in census.children:
        if child.identifiers.sex is not None:
            set_sex(child.identifiers, child.identifiers.sex, year)
        if not plans:
            for episode in child.cin_details:
                episode.cin_plans = []


def generate(n_children: int = 100, year: str | CensusYear = "2026-27", seed: int = 0, *, la_code: str = "873",
             violations: tuple[str, ...] | list[str] = (), first_index: int = 1,
             mistakes: float = 0.0) -> CensusReturn:
    """A synthetic return of ``n_children`` children for ``year``, valid unless ``violations`` are asked for.

    To know which child carries which violation, call :func:`cin_xl.synthetic.inject.inject` yourself.
    ``mistakes`` > 0 makes a messy return: about that many realistic mistakes per child, spread
    over every rule (see :mod:`cin_xl.synthetic.messy`).
    """
    options = GeneratorOptions(n_children, CensusYear.parse(year), seed, la_code, tuple(violations), first_index)
    census = _Builder(options).build()
    if mistakes:
        from cin_xl.synthetic.messy import add_mistakes

        add_mistakes(census, options.year, mistakes, seed)
    return census
