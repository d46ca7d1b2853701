"""Rules of the child_characteristics module (and its Disabilities group)."""

from collections import Counter
from collections.abc import Iterator

from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.validation.helpers import is_false, missing
from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView

NONE = "NONE"


def _disability_codes(census) -> frozenset[str]:
    """The valid disability codes of the year, other than NONE."""
    return CODE_SETS["Disability"].valid(census.year) - {NONE}


# --- Ethnicity --------------------------------------------------------------------------------


@rule("4220")
def ethnicity_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """<Ethnicity> (N00177) must be present and a valid code."""
    valid = CODE_SETS["Ethnicity"].valid(census.year)
    for child in census.children:
        if child.characteristics.ethnicity not in valid:
            yield Hit(child.characteristics, ("ethnicity",), child)


# --- Disabilities -----------------------------------------------------------------------------


@rule("8540")
def disability_missing_or_invalid(census: CensusView) -> Iterator[Hit]:
    """If <PersonBirthDate> (N00066) is present and at least one <ReferralNFA> (N00112) is false or 0, then
    one or more instances of <Disability> (N00099) must be present, and all instances must be valid code
    values."""
    valid = CODE_SETS["Disability"].valid(census.year)
    for child in census.children:
        if missing(child.identifiers.person_birth_date):
            continue
        if not any(is_false(episode.referral_nfa) for episode in child.cin_details):
            continue
        codes = child.characteristics.disabilities
        if not codes or any(code not in valid for code in codes):
            yield Hit(child.characteristics, ("disabilities",), child)


@rule("8790")
def disability_none_with_others(census: CensusView) -> Iterator[Hit]:
    """If a <Disability> (N00099) value of NONE is present, then there should be no other <Disability>
    (N00099) values present for the same child."""
    for child in census.children:
        codes = child.characteristics.disabilities
        if NONE in codes and any(code != NONE for code in codes):
            yield Hit(child.characteristics, ("disabilities",), child)


@rule("8794")
def disability_repeated(census: CensusView) -> Iterator[Hit]:
    """If there is more than one <Disability> (N00099) for a child, then none of the values should appear
    more than once."""
    for child in census.children:
        codes = child.characteristics.disabilities
        if len(codes) > 1 and any(n > 1 for n in Counter(codes).values()):
            yield Hit(child.characteristics, ("disabilities",), child)


@rule("2887Q", whole_return=True)
def few_disability_codes_used(census: CensusView) -> Iterator[Hit]:
    """Excluding children where <Disability> (N00099) is ‘NONE’, the number of different disability codes used by a LA
    should be more than 7. Validation should be triggered at LA level, not child level, if the LA has only used 7 or
    fewer different disability codes in their return.

    Note: only valid codes of the year are counted (an unknown code is reported by the structural
    checks, not counted as a code used)."""
    codes = _disability_codes(census)
    used = {code for child in census.children for code in child.characteristics.disabilities if code in codes}
    if len(used) <= 7:
        yield Hit(None)


@rule("2888Q", whole_return=True)
def only_single_disabilities(census: CensusView) -> Iterator[Hit]:
    """Excluding children where <Disability> (N00099) is ‘NONE’, within a local authority, one or more children should
    have more than one disability recorded. Validation should be triggered at LA level, not child level, if all children
    who are recorded as having a disability have only 1 disability code recorded.

    Note: counts each child's different valid codes other than NONE; a return where no child has a
    disability recorded also triggers it (no child has more than one)."""
    codes = _disability_codes(census)
    for child in census.children:
        if len({code for code in child.characteristics.disabilities if code in codes}) > 1:
            return
    yield Hit(None)
