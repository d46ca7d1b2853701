"""Known violations of the ChildIdentifiers rules (UPN, LA child ID, sex, dates of birth and death)."""

from __future__ import annotations

from cin_xl.census.model import Child, ChildIdentifiers
from cin_xl.census.spec import fields_of
from cin_xl.census.spec.codesets import SEX_OF_GENDER
from cin_xl.census.upn import check_letter
from cin_xl.census.values import is_missing
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import (
    D,
    Injected,
    NoCandidate,
    Picker,
    alive,
    as_date,
    birth_date,
    choose,
    death_injector,
    has_further_action,
    injector,
    is_date,
    la_id,
)
from cin_xl.validation.helpers import years_before


def _with_upn(child: Child) -> str | None:
    upn = child.identifiers.upn
    return upn if isinstance(upn, str) and len(upn) == 13 and upn[1:12].isdigit() else None


@injector("1510")
def _bad_check_letter(pick: Picker) -> Injected:
    child, upn = choose(pick, _with_upn)
    child.identifiers.upn = ("B" if upn[0] != "B" else "C") + upn[1:]
    return Injected("1510", la_id(child), child.identifiers, ("upn",))


@injector("1520")
def _upn_of_another_child(pick: Picker) -> Injected:
    """A sibling's UPN typed on the child's record."""
    first, upn = choose(pick, _with_upn)
    second = pick.child(lambda c: _with_upn(c) is not None and c.identifiers.upn != upn)
    second.identifiers.upn = upn
    return Injected("1520", la_id(second), second.identifiers, ("upn",))


@injector("1530")
def _upn_from_unknown_la(pick: Picker) -> Injected:
    """A UPN whose LA code is not a real one (its check letter is right, so only 1530 is broken)."""
    child, upn = choose(pick, _with_upn)
    body = "999" + upn[4:]
    letter = check_letter(body)
    if letter is None:  # the UPN ends in a character no check letter is worked out for (never generated)
        raise NoCandidate
    child.identifiers.upn = letter + body
    return Injected("1530", la_id(child), child.identifiers, ("upn",))


@injector("1540")
def _upn_letter_o_for_zero(pick: Picker) -> Injected:
    """The letter O typed for a zero among characters 5-12."""
    child, upn = choose(pick, _with_upn)
    child.identifiers.upn = upn[:6] + "O" + upn[7:]
    return Injected("1540", la_id(child), child.identifiers, ("upn",))


@injector("1550")
def _upn_last_character_o(pick: Picker) -> Injected:
    """A temporary UPN ending in O, a letter UPNs never use."""
    child, upn = choose(pick, _with_upn)
    child.identifiers.upn = upn[:12] + "O"
    return Injected("1550", la_id(child), child.identifiers, ("upn",))


@injector("1560Q")
def _former_upn_digit_missing(pick: Picker) -> Injected:
    """The former UPN copied with its last digit missing."""
    child, upn = choose(pick, _with_upn)
    former = child.identifiers.former_upn if isinstance(child.identifiers.former_upn, str) else upn
    child.identifiers.former_upn = former[:12]
    return Injected("1560Q", la_id(child), child.identifiers, ("former_upn",))


def _la_child_id(child: Child, shortest: int = 0) -> str | None:
    """The child's LA child ID, when it is text of at least ``shortest`` characters."""
    given = child.identifiers.la_child_id
    return given if isinstance(given, str) and len(given) >= shortest else None


def _child_ids(pick: Picker) -> set[str]:
    return {c.identifiers.la_child_id for c in pick.census.children if isinstance(c.identifiers.la_child_id, str)}


@injector("1570")
def _child_id_with_system_prefix(pick: Picker) -> Injected:
    """The case-management system's full reference exported instead of the LA child ID."""
    child, old = choose(pick, _la_child_id)
    taken = _child_ids(pick)
    new = "CASEREF" + "0" * max(0, 21 - 7 - len(old)) + old
    while new in taken:
        new = "0" + new
    child.identifiers.la_child_id = new
    return Injected("1570", la_id(child), child.identifiers, ("la_child_id",))


@injector("1580")
def _child_id_with_slash(pick: Picker) -> Injected:
    """An LA child ID written with a separator, "C001/0000123"."""
    child, old = choose(pick, lambda c: _la_child_id(c, 5))
    taken = _child_ids(pick)
    new = old[:4] + "/" + old[4:]
    if new in taken:
        new = old + "/"
    child.identifiers.la_child_id = new
    return Injected("1580", la_id(child), child.identifiers, ("la_child_id",))


@injector("8500")
def _child_id_missing(pick: Picker) -> Injected:
    """The LA child ID left blank (the finding then names no child)."""
    child = pick.child(lambda c: isinstance(c.identifiers.la_child_id, str))
    child.identifiers.la_child_id = None
    return Injected("8500", "", child.identifiers, ("la_child_id",))


@injector("8510")
def _duplicate_child_id(pick: Picker) -> Injected:
    first, second = pick.child(), pick.child()
    second.identifiers.la_child_id = first.identifiers.la_child_id
    return Injected("8510", la_id(second), second.identifiers, ("la_child_id",))


def _sex_item(pick: Picker) -> tuple[str, dict[str, str]]:
    """The item holding the child's sex in the picker's year (<Sex>, or <GenderCurrent> before it), and its
    code for each <Sex> code (M, F, U)."""
    if "sex" in {f.name for f in fields_of(ChildIdentifiers, pick.year)}:
        return "sex", {code: code for code in SEX_OF_GENDER.values()}
    return "gender_current", {sex: gender for gender, sex in SEX_OF_GENDER.items()}


@injector("2886Q")
def _sex_unknown_for_many(pick: Picker) -> Injected:
    """An extract that defaults Sex to U (GenderCurrent to 0): more than 2% of the children (not unborn) have
    no sex recorded."""
    children = pick.census.children
    if not children:
        raise NoCandidate
    item, code = _sex_item(pick)

    def unrecorded(c: Child) -> bool:
        return (is_missing(getattr(c.identifiers, item)) or getattr(c.identifiers, item) in ("U", "0")) \
            and is_missing(c.identifiers.expected_person_birth_date)

    count = sum(1 for c in children if unrecorded(c))
    need = len(children) * 2 // 100 + 1 - count
    for child in pick.unused():
        if need <= 0:
            break
        if getattr(child.identifiers, item) in (code["M"], code["F"]) \
                and is_missing(child.identifiers.expected_person_birth_date):
            setattr(child.identifiers, item, code["U"])
            pick.claim(child)
            need -= 1
    if need > 0:
        raise NoCandidate
    return Injected("2886Q", "", None, ())


@injector("4180")
def _sex_as_other_items_code(pick: Picker) -> Injected:
    """Sex given with the old GenderCurrent code, 1 for male (before 2024-25: GenderCurrent given as M or F)."""
    item, code = _sex_item(pick)
    other = {sex: gender for gender, sex in SEX_OF_GENDER.items()} if item == "sex" else SEX_OF_GENDER
    child = pick.child(lambda c: birth_date(c) is not None and getattr(c.identifiers, item) in (code["M"], code["F"]))
    setattr(child.identifiers, item, other[getattr(child.identifiers, item)])
    return Injected("4180", la_id(child), child.identifiers, (item,))


@injector("8750")
def _unborn_child_with_sex(pick: Picker) -> Injected:
    """An unborn child recorded as female after a scan."""
    item, code = _sex_item(pick)
    child = pick.child(lambda c: birth_date(c) is None and is_date(c.identifiers.expected_person_birth_date))
    setattr(child.identifiers, item, code["F"])
    return Injected("8750", la_id(child), child.identifiers, (item,))


@injector("8520")
def _birth_date_after_reference_date(pick: Picker) -> Injected:
    """A date of birth in the future (next year typed)."""
    new = pick.ref + 7 * D

    def fits(c: Child) -> bool:
        return (birth_date(c) is not None and alive(c)
                and all(is_date(e.referral_date) and e.referral_date >= new - 280 * D for e in c.cin_details))

    child = pick.child(fits)
    child.identifiers.person_birth_date = new
    return Injected("8520", la_id(child), child.identifiers, ("person_birth_date",))


@injector("8525Q")
def _no_birth_date(pick: Picker) -> Injected:
    child = pick.child(lambda c: birth_date(c) is not None and is_missing(c.identifiers.expected_person_birth_date))
    child.identifiers.person_birth_date = None
    return Injected("8525Q", la_id(child), child.identifiers, ("person_birth_date", "expected_person_birth_date"))


@injector("8530Q")
def _expected_birth_long_past(pick: Picker) -> Injected:
    """An unborn child whose due date passed weeks ago, the birth never recorded."""
    child = pick.child(lambda c: birth_date(c) is None and is_date(c.identifiers.expected_person_birth_date))
    child.identifiers.expected_person_birth_date = pick.ref - 45 * D
    return Injected("8530Q", la_id(child), child.identifiers, ("expected_person_birth_date",))


@injector("8535Q")
def _death_keyed_before_birth(pick: Picker) -> Injected:
    """A baby (referred before birth) born and died: the date of death keyed the day before the birth."""

    def fits(c: Child):
        expected = as_date(c.identifiers.expected_person_birth_date)
        if birth_date(c) is not None or expected is None or not alive(c) or len(c.cin_details) != 1:
            return None
        episode = c.cin_details[0]
        birth = min(expected, pick.ref)
        referral = as_date(episode.referral_date)
        if referral is None or not (referral + 2 * D <= birth and birth - D >= pick.start):
            return None
        if episode.cin_plans or episode.child_protection_plans:
            return None
        return birth

    child, birth = choose(pick, fits)
    ids = child.identifiers
    ids.person_birth_date, ids.expected_person_birth_date = birth, None
    item, code = _sex_item(pick)
    setattr(ids, item, code[pick.rng.choice(["M", "F"])])
    if not child.characteristics.disabilities:
        child.characteristics.disabilities = ["NONE"]
    ids.person_death_date = birth - D
    return Injected("8535Q", la_id(child), ids, ("person_death_date",))


@injector("8545Q")
def _death_date_next_year(pick: Picker) -> Injected:
    """A date of death keyed a year late, after the census year."""

    def days(c: Child):
        closures = [e.closure_date for e in c.cin_details if is_date(e.closure_date)]
        if closures:
            yield max(closures) + 365 * D, c.identifiers, ("person_death_date",)

    return death_injector("8545Q", days)(pick)


@injector("4008")
def _death_before_cin_plan(pick: Picker) -> Injected:
    """A date of death a day before the (open) CIN plan started."""

    def days(c: Child):
        for e in c.cin_details:
            for q in e.cin_plans:
                if is_date(q.start_date) and q.end_date is None:
                    yield q.start_date - D, q, ("start_date",)

    return death_injector("4008", days)(pick)


@injector("4009Q")
def _death_before_cin_plan_end(pick: Picker) -> Injected:
    """A date of death a day before the CIN plan's end date."""

    def days(c: Child):
        for e in c.cin_details:
            for q in e.cin_plans:
                if is_date(q.end_date):
                    yield q.end_date - D, q, ("end_date",)

    return death_injector("4009Q", days)(pick)


@injector("8770Q", until="2023-24")
def _child_over_5_without_upn(pick: Picker) -> Injected:
    """A child over 6 whose UPN was not exported, with no reason given."""
    over_6 = years_before(pick.ref, 6)
    child = pick.child(lambda c: _with_upn(c) is not None and (born := birth_date(c)) is not None
                       and born < over_6 and has_further_action(c))
    child.identifiers.upn, child.identifiers.upn_unknown = None, None
    return Injected("8770Q", la_id(child), child.identifiers, ("upn", "upn_unknown"))


@injector("8770Q", since="2024-25")
def _school_age_child_without_upn(pick: Picker) -> Injected:
    """A school-age child's UPN not exported, the reason given as UN1 (under 6, not at school)."""
    school_age = years_before(pick.ref, 4)
    child = pick.child(lambda c: _with_upn(c) is not None and (born := birth_date(c)) is not None
                       and born <= school_age and has_further_action(c))
    child.identifiers.upn, child.identifiers.upn_unknown = None, "UN1"
    return Injected("8770Q", la_id(child), child.identifiers, ("upn", "upn_unknown"))


@injector("8772")
def _un7_with_further_action(pick: Picker) -> Injected:
    """UN7 (referral with no further action) given for a child whose referral went on to an assessment."""
    child = pick.child(lambda c: c.identifiers.upn is None
                       and c.identifiers.upn_unknown in ("UN1", "UN2", "UN3", "UN4", "UN5", "UN6")
                       and has_further_action(c))
    child.identifiers.upn_unknown = "UN7"
    return Injected("8772", la_id(child), child.identifiers, ("upn_unknown",))


@injector("8775Q")
def _birth_year_typo_over_25(pick: Picker) -> Injected:
    """A birth year typed twenty-odd years early, making the child over 25."""
    cutoff = years_before(pick.start, 25)  # 25 before the census year starts: every closure comes after
    child = pick.child(lambda c: birth_date(c) is not None and _with_upn(c) is not None and c.cin_details)
    birth, years = made(child.identifiers.person_birth_date), 20
    while years_before(birth, years) >= cutoff:
        years += 1
    new = years_before(birth, years)
    child.identifiers.person_birth_date = new
    return Injected("8775Q", la_id(child), child.identifiers, ("person_birth_date",))


@injector("8590")
def _child_without_episodes(pick: Picker) -> Injected:
    """A child record exported without its episodes (all no-further-action referrals, so nothing else moves)."""
    child = pick.child(lambda c: c.cin_details and all(e.referral_nfa is True for e in c.cin_details))
    child.cin_details = []
    return Injected("8590", la_id(child), child, ("cin_details",))
