"""Rules of the child_identifiers module."""

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date

from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.census.spec.la_codes import is_recognised_upn_la_code
from cin_xl.census.upn import check_letter, is_well_formed
from cin_xl.validation.helpers import (
    after,
    as_date,
    before,
    days,
    is_false,
    missing,
    on_or_before,
    outside,
    present,
    years_before,
)
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView

_DIGITS = re.compile(r"[0-9]*")
_LAST_CHARACTER = re.compile(r"[0-9A-HJ-NP-RT-Z]")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]+")
_ASCII_DIGITS_12 = re.compile(r"[0-9]{11}[0-9A-Z]")


def _text(value: object) -> str | None:
    """A present text value, or None."""
    return value if isinstance(value, str) and present(value) else None


def _upns(census) -> list:
    """(child, UPN) for each child with a UPN; made once per validation, asked by six rules."""
    return census.derived("upns", lambda: [(child, upn) for child in census.children
                                           if (upn := _text(child.identifiers.upn)) is not None])


def _years_after(day: date, years: int) -> date:
    return years_before(day, -years)


def _months_after(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _has_further_action(child) -> bool:
    return any(is_false(episode.referral_nfa) for episode in child.cin_details)


# --- UPN --------------------------------------------------------------------------------------


@rule("1510")
def upn_check_letter_wrong(census: CensusView) -> Iterator[Hit]:
    """<UPN> (N00001) if present must contain the correct check letter To calculate the check letter: 1. Multiply the
    individual digits by their weights as follows: digit 2 by weight 2; digit 3 by weight 3; digit 4 by weight 4; digit
    5 by weight 5; digit 6 by weight 6; digit 7 by weight 7; digit 8 by weight 8; digit 9 by weight 9; digit 10 by
    weight 10; digit 11 by weight 11; digit 12 by weight 12; digit 13 by weight 13. 2. Sum the individual results,
    divide the total by 23, and take the remainder. 3. Calculate the check letter from the result as follows: 0 = A; 1 =
    B; 2 = C; 3 = D; 4 = E; 5 = F; 6 = G; 7 = H; 8 = J; 9 = K; 10 = L; 11 = M; 12 = N; 13 = P; 14 = Q; 15 = R; 16 = T;
    17 = U; 18 = V; 19 = W; 20 = X; Y = 21, Z = 22 Full list avaliable here
    https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/807381/UPN_Guide_1.2.pdf

    Note: the check letter can only be computed for a 13-character UPN whose characters 2-12 are
    digits; other shapes are reported by 1530/1540/1550 instead."""
    for child, upn in _upns(census):
        body = upn[1:]
        if not _ASCII_DIGITS_12.fullmatch(body):
            continue
        expected = check_letter(body)
        if expected is not None and upn[0] != expected:
            yield Hit(child.identifiers, ("upn",), child)


@rule("1520", whole_return=True)
def upn_not_unique(census: CensusView) -> Iterator[Hit]:
    """Each pupil <UPN> (N00001) must be unique across all pupils in the extract."""
    counts = Counter(upn for _, upn in _upns(census))
    for child, upn in _upns(census):
        if counts[upn] > 1:
            yield Hit(child.identifiers, ("upn",), child)


@rule("1530")
def upn_la_code_not_recognised(census: CensusView) -> Iterator[Hit]:
    """If <UPN> (N00001) present then characters 2-4 of <UPN> must be a valid post April 1998 LA code or a recognised
    ‘pseudo LA’ code 001-005, 201-213, 301-320, 330-336, 340-344, 350-359, 370-373, 380-384, 390-394, 420, 660-681,
    701-708, 800-803, 805-808, 810-813, 815, 816, 820- 823, 825, 826, 830, 831, 835-837, 838-839, 840, 841, 845, 846,
    850-852, 855-857, 860, 861, 865-896, 908, 909, 916, 919, 921, 925, 926, 928, 929, 931, 933, 935-938, 940-941"""
    for child, upn in _upns(census):
        if not is_recognised_upn_la_code(upn[1:4]):
            yield Hit(child.identifiers, ("upn",), child)


@rule("1540")
def upn_characters_5_to_12_not_numeric(census: CensusView) -> Iterator[Hit]:
    """If <UPN> (N00001) present Characters 5-12 of <UPN> must be numeric

    Note: a UPN too short to have all of characters 5-12 is left to 1550 (length); only characters
    present and not digits 0-9 are reported here."""
    for child, upn in _upns(census):
        if not _DIGITS.fullmatch(upn[4:12]):
            yield Hit(child.identifiers, ("upn",), child)


@rule("1550")
def upn_character_13_not_recognised(census: CensusView) -> Iterator[Hit]:
    """if <UPN> (N00001)) present Character 13 of <UPN> must be numeric or A-Z omitting I, O and S Confirm length and
    value present"""
    for child, upn in _upns(census):
        if len(upn) != 13 or not _LAST_CHARACTER.fullmatch(upn[12]):
            yield Hit(child.identifiers, ("upn",), child)


@rule("1560Q")
def former_upn_wrongly_formatted(census: CensusView) -> Iterator[Hit]:
    """<FormerUPN> (N00002) where present should be in the correct format, as specified in the data table.

    Note: the data table gives FormerUPN the format of a UPN: 13 characters, check letter first,
    characters 2-12 digits, character 13 a digit or A-Z less I, O, S, and the right check letter.
    """
    for child in census.children:
        former = _text(child.identifiers.former_upn)
        if former is not None and not is_well_formed(former):
            yield Hit(child.identifiers, ("former_upn",), child)


# --- LA child ID ------------------------------------------------------------------------------


@rule("1570")
def la_child_id_too_long(census: CensusView) -> Iterator[Hit]:
    """<LAchildID> (N00097) must be at most 20 characters long."""
    for child in census.children:
        la_child_id = _text(child.identifiers.la_child_id)
        if la_child_id is not None and len(la_child_id) > 20:
            yield Hit(child.identifiers, ("la_child_id",), child)


@rule("1580")
def la_child_id_not_alphanumeric(census: CensusView) -> Iterator[Hit]:
    """<LAchildID> (N00097) must contain only letters and digits."""
    for child in census.children:
        la_child_id = _text(child.identifiers.la_child_id)
        if la_child_id is not None and not _ALPHANUMERIC.fullmatch(la_child_id):
            yield Hit(child.identifiers, ("la_child_id",), child)


@rule("8500")
def la_child_id_missing(census: CensusView) -> Iterator[Hit]:
    """<LAchildID> (N00097) must be present."""
    for child in census.children:
        if missing(child.identifiers.la_child_id):
            yield Hit(child.identifiers, ("la_child_id",), child)


@rule("8510", whole_return=True)
def la_child_id_not_unique(census: CensusView) -> Iterator[Hit]:
    """Each <LAchildID> (N00097) must be unique across all children within the same LA return."""
    ids = [(child, _text(child.identifiers.la_child_id)) for child in census.children]
    counts = Counter(i for _, i in ids if i is not None)
    for child, la_child_id in ids:
        if la_child_id is not None and counts[la_child_id] > 1:
            yield Hit(child.identifiers, ("la_child_id",), child)


# --- Sex --------------------------------------------------------------------------------------


@rule("2886Q", until="2023-24", whole_return=True)
def too_many_children_without_gender(census: CensusView) -> Iterator[Hit]:
    """The sum of: the number of child records where <GenderCurrent> (N00065) is equal to zero or missing, and the
    <ExpectedPersonBirthDate> (N00098) is equal to missing, divided by the total number of child records should be
    less than or equal to 0.02. Validation should be triggered at LA level."""
    children = census.children
    if not children:
        return
    unrecorded = sum(
        1 for child in children
        if (missing(child.identifiers.gender_current) or child.identifiers.gender_current == "0")
        and missing(child.identifiers.expected_person_birth_date)
    )
    if unrecorded / len(children) > 0.02:
        yield Hit(None)


@rule("2886Q", since="2024-25", whole_return=True)
def too_many_children_without_sex(census: CensusView) -> Iterator[Hit]:
    """The sum of: the number of child records where <Sex> (N00065) is equal to zero or missing, and the
    <ExpectedPersonBirthDate> (N00098) is equal to missing, divided by the total number of child records should be less
    than or equal to 0.02. Validation should be triggered at LA level.

    Note: from 2024-25 <Sex> (N00783) replaced <GenderCurrent>, whose "0" (not recorded) is now "U";
    a child counts as having no sex recorded when <Sex> is missing, "U" (or a leftover "0")."""
    children = census.children
    if not children:
        return
    unrecorded = sum(
        1 for child in children
        if (missing(child.identifiers.sex) or child.identifiers.sex in ("U", "0"))
        and missing(child.identifiers.expected_person_birth_date)
    )
    if unrecorded / len(children) > 0.02:
        yield Hit(None)


@rule("4180", until="2023-24")
def gender_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """<GenderCurrent> (N00065) must be present and valid

    Valid: 1, 2, 0 or 9. The DfE text names N00097 (LAchildID); the catalogue gives GenderCurrent's N00065."""
    valid = CODE_SETS["GenderCurrent"].valid(census.year)
    for child in census.children:
        if child.identifiers.gender_current not in valid:
            yield Hit(child.identifiers, ("gender_current",), child)


@rule("4180", since="2024-25")
def sex_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """<Sex> (N00783) must be present and valid

    Valid: M, F or U. Up to 2023-24 this rule checked <GenderCurrent> (N00065)."""
    valid = CODE_SETS["Sex"].valid(census.year)
    for child in census.children:
        if child.identifiers.sex not in valid:
            yield Hit(child.identifiers, ("sex",), child)


@rule("8750", until="2023-24")
def unborn_child_gender_not_0(census: CensusView) -> Iterator[Hit]:
    """If <ExpectedPersonBirthDate> (N00098) is present and <PersonBirthDate> (N00066) is blank then
    <GenderCurrent> (N00065) must equal "0"."""
    for child in census.children:
        ids = child.identifiers
        if present(ids.expected_person_birth_date) and missing(ids.person_birth_date) and ids.gender_current != "0":
            yield Hit(ids, ("gender_current",), child)


@rule("8750", since="2024-25")
def unborn_child_sex_not_u(census: CensusView) -> Iterator[Hit]:
    """If <ExpectedPersonBirthDate> (N00098) is present and <PersonBirthDate> (N00066) is blank then
    <Sex> (N00783) must equal "0".

    Note: "0" is the old <GenderCurrent> code; the message (and the <Sex> code set since 2024-25)
    says an unborn child's Sex must be "U".
    """
    for child in census.children:
        ids = child.identifiers
        if present(ids.expected_person_birth_date) and missing(ids.person_birth_date) and ids.sex != "U":
            yield Hit(ids, ("sex",), child)


# --- Dates of birth and death -----------------------------------------------------------------


@rule("8520")
def birth_after_reference_date(census: CensusView) -> Iterator[Hit]:
    """<PersonBirthDate> (N00066) must be on or before <ReferenceDate> (N00603) or null."""
    for child in census.children:
        if after(child.identifiers.person_birth_date, census.reference_date):
            yield Hit(child.identifiers, ("person_birth_date",), child)


@rule("8525Q")
def birth_date_and_expected_birth_date(census: CensusView) -> Iterator[Hit]:
    """Exactly one of <PersonBirthDate> (N00066) and <ExpectedPersonBirthDate> (N00098) must be present."""
    for child in census.children:
        ids = child.identifiers
        if present(ids.person_birth_date) == present(ids.expected_person_birth_date):
            yield Hit(ids, ("person_birth_date", "expected_person_birth_date"), child)


@rule("8530Q")
def expected_birth_date_out_of_range(census: CensusView) -> Iterator[Hit]:
    """<ExpectedPersonBirthDate> (N00098) should be between [<ReferenceDate> (N00603) minus 30 days] and
    [<ReferenceDate> (N00603) plus 9 months]

    That is, from 1 March to 31 December of the year the census ends."""
    earliest = census.reference_date - days(30)
    latest = _months_after(census.reference_date, 9)
    for child in census.children:
        if outside(child.identifiers.expected_person_birth_date, earliest, latest):
            yield Hit(child.identifiers, ("expected_person_birth_date",), child)


@rule("8535Q")
def death_before_birth(census: CensusView) -> Iterator[Hit]:
    """<PersonDeathDate> (N00108) must be on or after <PersonBirthDate> (N00066)."""
    for child in census.children:
        ids = child.identifiers
        if before(ids.person_death_date, ids.person_birth_date):
            yield Hit(ids, ("person_death_date",), child)


@rule("8545Q")
def death_outside_census_year(census: CensusView) -> Iterator[Hit]:
    """If present, <PersonDeathDate> (N00108) must be within [Period_of_Census]."""
    for child in census.children:
        if census.outside_year(child.identifiers.person_death_date):
            yield Hit(child.identifiers, ("person_death_date",), child)


@rule("4008")
def cin_plan_starts_after_death(census: CensusView) -> Iterator[Hit]:
    """If <PersonDeathDate> (N00108) is present, then <CINPlanStartDate> (N00689) must be on or before
    <PersonDeathDate> (N00108)."""
    for child, _, plan in census.cin_plans:
        if after(plan.start_date, child.identifiers.person_death_date):
            yield Hit(plan, ("start_date",), child)


@rule("4009Q")
def cin_plan_ends_after_death(census: CensusView) -> Iterator[Hit]:
    """If <PersonDeathDate> (N00108) is present, then <CINPlanEndDate> (N00690) must be on or before
    <PersonDeathDate> (N00108).

    Note: a plan with no end date is not reported (the condition compares a present end date).
    """
    for child, _, plan in census.cin_plans:
        if after(plan.end_date, child.identifiers.person_death_date):
            yield Hit(plan, ("end_date",), child)


@rule("8775Q")
def child_over_25(census: CensusView) -> Iterator[Hit]:
    """<PersonBirthDate> (N00066) is before (<ReferenceDate> (N00603) minus 25 years) AND {<CINClosureDate>
    (N00102) is after (<PersonBirthDate> plus 25 years) OR <CINClosureDate> is NULL}.

    Reported once per child, on the date of birth, when any of its episodes is open or closed after
    the 25th birthday.
    """
    cutoff = years_before(census.reference_date, 25)
    for child in census.children:
        birth = as_date(child.identifiers.person_birth_date)
        if birth is None or not before(birth, cutoff):
            continue
        birthday_25 = _years_after(birth, 25)
        if any(missing(e.closure_date) or after(e.closure_date, birthday_25) for e in child.cin_details):
            yield Hit(child.identifiers, ("person_birth_date",), child)


# --- Episodes and UPN unknown reasons ---------------------------------------------------------


@rule("8590")
def child_without_cin_episode(census: CensusView) -> Iterator[Hit]:
    """Each child must have at least one <CINdetails> group."""
    for child in census.children:
        if not child.cin_details:
            yield Hit(child, ("cin_details",), child)


@rule("8770Q", until="2023-24")
def child_over_5_without_upn(census: CensusView) -> Iterator[Hit]:
    """If <ReferralNFA> (N00112) = 0 or false and <PersonBirthDate> (N00066) is earlier than [<ReferenceDate>
    (N00603) minus 6 years] then either <UPN> (N00001) or a valid <UPNunknown> (N00135) should be present

    "ReferralNFA = false" is read as: at least one episode has <ReferralNFA> false (as from 2024-25)."""
    born_before = years_before(census.reference_date, 6)
    valid = CODE_SETS["UPNunknown"].valid(census.year)
    for child in census.children:
        ids = child.identifiers
        if not before(ids.person_birth_date, born_before) or present(ids.upn):
            continue
        if _has_further_action(child) and ids.upn_unknown not in valid:
            yield Hit(ids, ("upn", "upn_unknown"), child)


@rule("8770Q", since="2024-25")
def school_age_child_without_upn(census: CensusView) -> Iterator[Hit]:
    """If <ReferralNFA> (N00112) = 0 or false and <PersonBirthDate> (N00066) is greater than or equal to
    [<ReferenceDate> (N00603) minus 4 years] then either <UPN> (N00001) or a valid <UPNunknown> (N00135)
    should be present.

    Note: the condition's "greater than or equal to" would select children under 4; the message is
    about "a child who is of school age", so this checks children born on or before [ReferenceDate
    minus 4 years]. Following the message ("UPN is missing or reason UPN is missing or is UN1"), such a
    child with no UPN is reported when <UPNunknown> is missing, not a valid code, or UN1 (child under 6
    not yet attending school). "ReferralNFA = false" is read as: at least one episode has
    <ReferralNFA> false.
    """
    school_age_born_by = years_before(census.reference_date, 4)
    valid = CODE_SETS["UPNunknown"].valid(census.year)
    for child in census.children:
        ids = child.identifiers
        if not on_or_before(ids.person_birth_date, school_age_born_by) or present(ids.upn):
            continue
        if not _has_further_action(child):
            continue
        if ids.upn_unknown not in valid or ids.upn_unknown == "UN1":
            yield Hit(ids, ("upn", "upn_unknown"), child)


@rule("8772")
def un7_with_further_action(census: CensusView) -> Iterator[Hit]:
    """If <UPNunknown> (N00135) is UN7 then all of the CIN details must have <ReferralNFA> (N00112) = 1 or
    true.

    Note: following the message ("at least one CIN details is a referral going on to further action"),
    an episode breaks it when its <ReferralNFA> is false; a missing or unreadable value is left to the
    structural checks.
    """
    for child in census.children:
        if child.identifiers.upn_unknown == "UN7" and _has_further_action(child):
            yield Hit(child.identifiers, ("upn_unknown",), child)
