import pytest

from cin_xl.census.spec.la_codes import LA_CODES, PSEUDO_LA_RANGES, is_recognised_upn_la_code


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("202", "Camden"),
        ("330", "Birmingham"),
        ("815", "North Yorkshire"),
        ("838", "Dorset"),
        ("839", "Bournemouth, Christchurch and Poole"),
        ("933", "Somerset"),
        ("940", "North Northamptonshire"),
        ("941", "West Northamptonshire"),
        ("942", "Cumberland"),
        ("943", "Westmorland and Furness"),
    ],
)
def test_known_codes_present(code, name):
    assert LA_CODES[code] == name


@pytest.mark.parametrize("retired", ["820", "835", "836", "837", "909", "928"])
def test_retired_codes_absent(retired):
    assert retired not in LA_CODES


def test_keys_are_three_digit_strings_in_order():
    assert len(LA_CODES) == 153
    assert all(len(k) == 3 and k.isdigit() for k in LA_CODES)
    assert list(LA_CODES) == sorted(LA_CODES)
    assert len(set(LA_CODES.values())) == len(LA_CODES)


def test_ranges_well_formed():
    assert all(low <= high for low, high in PSEUDO_LA_RANGES)
    assert list(PSEUDO_LA_RANGES) == sorted(PSEUDO_LA_RANGES)


@pytest.mark.parametrize(
    "code",
    [
        "001", "005", "205", "213", "420", "660", "681", "708",
        "820", "875", "909", "940", "941", "942", "943",
    ],
)
def test_recognised(code):
    assert is_recognised_upn_la_code(code)


@pytest.mark.parametrize(
    "code",
    ["000", "006", "214", "321", "500", "709", "804", "814", "897", "927", "939", "944", "999",
     "abc", "", "20", "2020", " 20", "２０２"],
)
def test_not_recognised(code):
    assert not is_recognised_upn_la_code(code)
