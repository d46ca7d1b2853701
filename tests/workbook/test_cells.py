"""Single cell values: each tolerance of the reader, and what is kept as typed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from cin_xl.census.model import Assessment, ChildCharacteristics, ChildIdentifiers, CINDetails, Origin, Section47
from cin_xl.census.spec import fields_of
from cin_xl.census.years import CensusYear
from cin_xl.workbook.cells import cell_value, needs_text_guard, read_codes, read_value

Y = CensusYear.parse("2026-27")


def item(cls, name):
    return next(f.spec for f in fields_of(cls, Y) if f.name == name)


REFERRAL_DATE = item(CINDetails, "referral_date")
SOURCE = item(CINDetails, "referral_source")
NFA = item(CINDetails, "referral_nfa")
ICPC_NOT_REQUIRED = item(Section47, "icpc_not_required")
CHILD_ID = item(ChildIdentifiers, "la_child_id")
ETHNICITY = item(ChildCharacteristics, "ethnicity")
DISABILITIES = item(ChildCharacteristics, "disabilities")
FACTORS = item(Assessment, "factors")
SEX = item(ChildIdentifiers, "sex")


@pytest.mark.parametrize("raw, expected", [
    (datetime(2026, 5, 1), date(2026, 5, 1)),           # a real Excel date (openpyxl, xlwings)
    (datetime(2026, 5, 1, 14, 30), date(2026, 5, 1)),   # with a time of day
    (date(2026, 5, 1), date(2026, 5, 1)),
    ("2026-05-01", date(2026, 5, 1)),                   # ISO text
    (" 2026-05-01 ", date(2026, 5, 1)),
    ("2026-05-01 00:00:00", date(2026, 5, 1)),
    ("01/05/2026", date(2026, 5, 1)),                   # dd/mm/yyyy text
    ("1/5/2026", date(2026, 5, 1)),
    ("01-05-2026", date(2026, 5, 1)),
    ("01.05.2026", date(2026, 5, 1)),
    ("6 August 2024", date(2024, 8, 6)),                # day, month's name, year
    ("6th August 2024", date(2024, 8, 6)),
    ("30 Jan 2012", date(2012, 1, 30)),
    ("1st sept. 2020", date(2020, 9, 1)),
    ("22-Dec-2025", date(2025, 12, 22)),
])
def test_dates_are_read(raw, expected):
    assert read_value(REFERRAL_DATE, raw) == expected


@pytest.mark.parametrize("raw, kept", [
    ("31/02/2026", "31/02/2026"),   # no such day
    ("2026-13-01", "2026-13-01"),
    ("soon", "soon"),
    (" soon ", "soon"),
    ("05/01/26", "05/01/26"),       # two-digit year: ambiguous, not guessed
    ("6 August 24", "6 August 24"),
    ("06082024", "06082024"),       # eight digits: day first or year first? not guessed
    ("31 June 2024", "31 June 2024"),   # no such day
    ("6 Augst 2024", "6 Augst 2024"),   # no such month
    (46000.0, "46000"),             # a bare number is not taken as an Excel day number
    (True, "TRUE"),
])
def test_unreadable_dates_are_kept_as_typed(raw, kept):
    assert read_value(REFERRAL_DATE, raw) == kept


@pytest.mark.parametrize("raw, expected", [
    ("1A", "1A"), (" 1a ", "1A"), ("1A - Individual: family member, relative or carer", "1A"),
    ("1a – Individual: family member", "1A"), (4.0, "4"), (4, "4"), ("10 - Unknown", "10"),
])
def test_codes_are_normalised(raw, expected):
    assert read_value(SOURCE, raw) == expected


@pytest.mark.parametrize("raw", ["ZZ", "1Z - nonsense", "family member", "4.5"])
def test_bad_codes_are_kept_as_typed(raw):
    assert read_value(SOURCE, raw) == raw


def test_code_label_from_the_dropdown_for_every_code_set():
    assert read_value(ETHNICITY, "WBRI - White British") == "WBRI"
    assert read_value(ETHNICITY, "wbri") == "WBRI"
    assert read_value(SEX, "m") == "M"
    assert read_value(SEX, "U - Unknown or unborn") == "U"


@pytest.mark.parametrize("raw, expected", [
    (True, True), (False, False), ("Yes", True), ("no", False), ("TRUE", True), ("false", False),
    ("1", True), ("0", False), (1.0, True), (0, False), ("Y", True), (" N ", False),
])
def test_yes_no(raw, expected):
    assert read_value(NFA, raw) is expected
    assert read_value(ICPC_NOT_REQUIRED, raw) is expected


@pytest.mark.parametrize("raw, kept", [("maybe", "maybe"), (2.0, "2"), ("yes please", "yes please")])
def test_unreadable_yes_no_kept(raw, kept):
    assert read_value(NFA, raw) == kept


def test_whole_numbers():
    n = item(__import__("cin_xl.census.model", fromlist=["ChildProtectionPlan"]).ChildProtectionPlan,
             "number_of_previous_cpp")
    assert read_value(n, 3.0) == 3 and isinstance(read_value(n, 3.0), int)
    assert read_value(n, "3") == 3
    assert read_value(n, "3.0") == 3
    assert read_value(n, 2.5) == "2.5"
    assert read_value(n, "two") == "two"


def test_text_ids_typed_as_numbers():
    assert read_value(CHILD_ID, 12345.0) == "12345"
    assert read_value(CHILD_ID, " A1 ") == "A1"
    assert read_value(CHILD_ID, "00123") == "00123"


@pytest.mark.parametrize("raw, expected", [
    ("MOB, LD", ["MOB", "LD"]),
    ("mob;ld", ["MOB", "LD"]),
    ("MOB\nLD", ["MOB", "LD"]),
    ("MOB LD", ["MOB", "LD"]),
    ("NONE - No disability", ["NONE"]),
    ("MOB - Mobility, LD - Learning", ["MOB", "LD"]),
    ("MOB, XX", ["MOB", "XX"]),
    ("not known", ["not known"]),
    (None, []), ("  ", []),
])
def test_many_codes_in_one_cell(raw, expected):
    assert read_codes(DISABILITIES, raw) == expected


def test_factor_labels_with_commas_are_not_split():
    raw = "8B - Privately fostered: overseas, intends to return, 3b, 21 - No factors identified (only on its own)"
    assert read_codes(FACTORS, raw) == ["8B", "3B", "21"]
    assert read_codes(FACTORS, 20.0) == ["20"]


def test_cell_values_written():
    assert cell_value(NFA, True) == "Yes" and cell_value(NFA, False) == "No"
    assert cell_value(DISABILITIES, ["MOB", "LD"]) == "MOB, LD"
    assert cell_value(DISABILITIES, []) is None
    assert cell_value(REFERRAL_DATE, "soon") == "soon"
    for text in ("=1+1", "+44 20", "-5", "@SUM(A1)"):
        assert needs_text_guard(text)
    assert not needs_text_guard("A1")


@pytest.mark.parametrize("typed, why", [
    ("06/08/24", "a two-digit year could be 19.. or 20..; type it as dd/mm/yyyy, for example 06/08/2024"),
    ("6 Aug 24", "a two-digit year could be 19.. or 20..; type it as dd/mm/yyyy"),
    ("06082024", "eight digits in a row could be day, month, year or year, month, day; type it as dd/mm/yyyy"),
    ("soon", "type it as dd/mm/yyyy, for example 06/08/2024"),
])
def test_an_unread_date_says_why_and_teaches_dd_mm_yyyy(typed, why):
    from cin_xl.validation.structural import check_node

    episode = CINDetails(referral_date=read_value(REFERRAL_DATE, typed))
    episode.at(Origin(sheet="Referrals", row=2))  # typed in a workbook
    [message] = [m for code, name, m in check_node(episode, Y) if name == "referral_date"]
    assert f"is not a date: {typed!r}: {why}" in message


def test_an_unread_date_in_census_xml_teaches_the_xml_form():
    from cin_xl.validation.structural import check_node

    [message] = [m for code, name, m in check_node(CINDetails(referral_date="06/08/2024"), Y)
                 if name == "referral_date"]
    assert message.endswith("census XML writes dates as YYYY-MM-DD, for example 2024-08-06")
