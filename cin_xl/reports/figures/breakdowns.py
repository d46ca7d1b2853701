"""Key figures, section "Breakdowns": referrals, needs, factors, abuse, age and sex by category."""

from __future__ import annotations

from collections import Counter
from datetime import date

from cin_xl.census.model import ChildIdentifiers
from cin_xl.census.spec import fields_of
from cin_xl.reports.figures.shared import BREAKDOWNS, Breakdown, Category, Facts, Table, figure, readable_date


@figure("referral_source", "Referrals by source", BREAKDOWNS, """
    Referrals in the year by referral source.""")
def _referral_source(x: Facts) -> Breakdown:
    return x.breakdown("ReferralSource", (e.referral_source for _, e, _ in x.referrals))


@figure("primary_need", "Children in need at 31 March by primary need", BREAKDOWNS, """
    Episodes open at 31 March by their primary need code; "Not recorded" where the episode has
    none yet.""")
def _primary_need(x: Facts) -> Breakdown:
    return x.breakdown("PrimaryNeed", (e.primary_need_code for _, e in x.open_episodes))


@figure("factors", "Factors identified at the end of assessment", BREAKDOWNS, """
    Assessments completed in the year on which each factor was recorded: an assessment with three
    factors counts once under each; a factor repeated on one assessment counts once. Largest first.
    Percentages are of the assessments completed in the year, so they add up to more than 100.""")
def _factors(x: Facts) -> Breakdown:
    codes: list[str] = []
    for _, _, factors in x.assessments_completed:
        codes.extend({str(f).strip() for f in factors if f is not None and str(f).strip()})
    table = x.breakdown("AssessmentFactors", codes)
    return Breakdown(tuple(sorted(table.rows, key=lambda r: -r.count)), len(x.assessments_completed),
                     "Assessments completed in the year")


@figure("abuse_initial", "Plans open at 31 March by initial category of abuse", BREAKDOWNS, """
    Child protection plans open at 31 March by the initial category of abuse.""")
def _abuse_initial(x: Facts) -> Breakdown:
    return x.breakdown("CategoryOfAbuse", (p.initial_category_of_abuse for p in x.cp_plans_open))


@figure("abuse_latest", "Plans open at 31 March by latest category of abuse", BREAKDOWNS, """
    Child protection plans open at 31 March by the latest category of abuse.""")
def _abuse_latest(x: Facts) -> Breakdown:
    return x.breakdown("CategoryOfAbuse", (p.latest_category_of_abuse for p in x.cp_plans_open))


@figure("cp_started_by_category", "Plans started in the year by initial category of abuse", BREAKDOWNS, """
    Child protection plans whose start date is in the year, by the initial category of abuse (COLLECT's
    "Started CPP in year - category of abuse").""")
def _cp_started_by_category(x: Facts) -> Breakdown:
    return x.breakdown("CategoryOfAbuse", (p.initial_category_of_abuse for _, _, p in x.view.child_protection_plans
                                           if x.in_year(p.start_date)))


@figure("abuse_initial_by_latest", "Plans open at 31 March by initial and latest category of abuse", BREAKDOWNS,
        """
    Child protection plans open at 31 March counted by both categories at once: one row per initial category
    of abuse, one column per latest category, so the diagonal holds the plans whose category has not changed.
    The row totals are "Plans open at 31 March by initial category of abuse", the column totals "... by latest
    category of abuse".""")
def _abuse_initial_by_latest(x: Facts) -> Table:
    plans = x.cp_plans_open
    initial = x.breakdown("CategoryOfAbuse", (p.initial_category_of_abuse for p in plans))
    latest = x.breakdown("CategoryOfAbuse", (p.latest_category_of_abuse for p in plans))
    codes = list(dict.fromkeys([r.code for r in initial.rows] + [r.code for r in latest.rows]))
    label = {r.code: r.label for r in initial.rows + latest.rows}

    def code(value: object) -> str:
        return "" if value is None else str(value).strip()

    counts = Counter((code(p.initial_category_of_abuse), code(p.latest_category_of_abuse)) for p in plans)
    names = [f"{c} {label[c]}" if c else label[c] for c in codes]
    rows = [(name, *(counts[(a, b)] for b in codes), sum(counts[(a, b)] for b in codes))
            for a, name in zip(codes, names)]
    rows.append(("Total", *(sum(counts[(a, b)] for a in codes) for b in codes), len(plans)))
    return Table(("Initial category", *names, "Total"), tuple(rows))


AGE_BANDS = (("unborn", "Unborn"), ("under1", "Under 1"), ("1-4", "1 to 4"), ("5-9", "5 to 9"),
             ("10-15", "10 to 15"), ("16+", "16 and over"), ("unknown", "Not known"))


def age_band(identifiers: ChildIdentifiers, ref: date) -> str:
    """The age band key of a child at ``ref`` (see the figure ``age_band``)."""
    born = readable_date(identifiers.person_birth_date)
    if born is None or born > ref:
        return "unborn" if readable_date(identifiers.expected_person_birth_date) is not None else "unknown"
    age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
    if age < 1:
        return "under1"
    return "1-4" if age <= 4 else "5-9" if age <= 9 else "10-15" if age <= 15 else "16+"


@figure("age_band", "Children by age at 31 March", BREAKDOWNS, """
    Every child in the return by age in completed years at 31 March, from the date of birth (a child
    whose birthday is 31 March has had it). "Unborn": no date of birth on or before 31 March, but an
    expected date of birth. "Not known": neither date can be read.""")
def _age_band(x: Facts) -> Breakdown:
    counts = Counter(age_band(c.identifiers, x.ref) for c in x.view.children)
    return Breakdown(tuple(Category(k, label, counts.get(k, 0)) for k, label in AGE_BANDS
                           if k != "unknown" or counts.get(k)), shows_codes=False)


@figure("sex", "Children by sex", BREAKDOWNS, """
    Every child in the return by the sex recorded (Sex, or GenderCurrent in years before Sex
    replaced it).""")
def _sex(x: Facts) -> Breakdown:
    in_force = {f.name for f in fields_of(ChildIdentifiers, x.year)}
    name, codeset = ("sex", "Sex") if "sex" in in_force else ("gender_current", "GenderCurrent")
    return x.breakdown(codeset, (getattr(c.identifiers, name) for c in x.view.children))
