"""The helpers that let code say what it has narrowed a census value or field to."""

from datetime import date, datetime

import pytest

from cin_xl.census.model import CINDetails, Header, Source
from cin_xl.census.spec import Group, Item, fields_of
from cin_xl.census.upn import make_upn
from cin_xl.census.values import as_date, is_date
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.perf import cached

YEAR = CensusYear.parse(SUPPORTED_YEARS[-1])


@pytest.mark.parametrize("value, expected", [
    (date(2025, 3, 31), date(2025, 3, 31)),
    (datetime(2025, 3, 31, 9, 30), datetime(2025, 3, 31, 9, 30)),  # a datetime is a date too
    ("31/02/2025", None),  # text kept from an entry that could not be read
    ("", None),
    (None, None),
    (20250331, None),
])
def test_a_value_is_a_date_only_when_it_was_read_as_one(value, expected):
    assert as_date(value) == expected
    assert is_date(value) is (expected is not None)


def test_a_field_gives_its_item_or_its_content_and_refuses_the_other():
    fields = {f.name: f for f in fields_of(CINDetails, YEAR)}
    referral, plans = fields["referral_date"], fields["cin_plans"]
    assert isinstance(referral.item, Item) and referral.item is referral.spec
    assert isinstance(plans.spec, Group) and plans.content is plans.node and plans.content.__name__ == "CINPlan"
    with pytest.raises(TypeError, match="cin_plans is a group"):
        plans.item  # noqa: B018 - the property raises
    with pytest.raises(TypeError, match="referral_date is a data item"):
        referral.content  # noqa: B018 - the property raises


def test_header_groups_hold_records_whose_fields_are_items():
    for group in fields_of(Header, YEAR):
        assert all(isinstance(f.item, Item) for f in fields_of(group.content, YEAR))
    assert any(f.name == "source" and f.content is Source for f in fields_of(Header, YEAR))


def test_cached_keeps_functools_cache():
    calls = []

    @cached
    def square(n: int) -> int:
        calls.append(n)
        return n * n

    assert (square(3), square(3), square(4)) == (9, 9, 16)
    assert calls == [3, 4]


def test_a_upn_cannot_be_made_from_an_la_code_that_is_not_three_digits():
    with pytest.raises(ValueError, match="'8A3'"):
        make_upn("8A3", 123456789)
