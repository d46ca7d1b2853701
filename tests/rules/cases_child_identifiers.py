from datetime import date, timedelta

from cin_xl.census.model import Child, ChildCharacteristics, ChildIdentifiers, CINDetails
from cin_xl.census.upn import make_upn
from cin_xl.census.years import CensusYear
from tests.rules.base import ep
from tests.rules.harness import Case

D = timedelta(days=1)


def _ref(census):
    return census.header.collection_details.reference_date


def _start(census):
    return CensusYear.from_xml_year(census.header.collection_details.year).start


def _a1(census):
    return census.children[0].identifiers


def _b2(census):
    return census.children[1].identifiers


def _set(getter, **values):
    def change(census):
        ids = getter(census)
        for name, value in values.items():
            setattr(ids, name, value)
    return change


def _wrong_check_letter(upn):
    return ("B" if upn[0] != "B" else "C") + upn[1:]


# --- UPN ---


def _upn_bad_check_letter(census):
    _a1(census).upn = _wrong_check_letter(_a1(census).upn)


def _b2_same_upn(census):
    _b2(census).upn = _a1(census).upn


def _upn_char_8_letter(census):
    upn = _a1(census).upn
    _a1(census).upn = upn[:7] + "X" + upn[8:]


def _upn_short(census):
    _a1(census).upn = _a1(census).upn[:12]


def _upn_last_i(census):
    _a1(census).upn = _a1(census).upn[:12] + "I"


def _former_upn_bad(census):
    _a1(census).former_upn = _wrong_check_letter(make_upn("202", 5550001110))


# --- Sex ---


def _children_with_one_unrecorded_sex(total, item="sex", male="M", unrecorded="U"):
    def change(census):
        first = census.children[0]
        for i in range(total - 2):
            census.children.append(Child(
                identifiers=ChildIdentifiers(la_child_id=f"X{i}", person_birth_date=date(2015, 1, 1),
                                             **{item: male}),
                characteristics=ChildCharacteristics(ethnicity="WBRI", disabilities=["NONE"]),
                cin_details=[CINDetails(referral_date=first.cin_details[1].referral_date, referral_source="6",
                                        referral_nfa=False)],
            ))
        setattr(_a1(census), item, unrecorded)
    return change


#: the catalogued years with <Sex>, and those with <GenderCurrent> (1 male, 2 female, 0 not recorded or unborn)
SEX_YEARS = ("2024-25", "2025-26", "2026-27")
GENDER_YEARS = ("2022-23", "2023-24")


# --- Dates ---


def _a1_birth(offset_days):
    def change(census):
        _a1(census).person_birth_date = _ref(census) + offset_days * D
    return change


def _b2_also_born(census):
    _b2(census).person_birth_date = _ref(census) - 10 * D


def _a1_no_birth(census):
    _a1(census).person_birth_date = None


def _b2_expected(offset_from_ref=None, on=None):
    def change(census):
        _b2(census).expected_person_birth_date = on(census) if on else _ref(census) + offset_from_ref * D
    return change


def _dec_31(census):
    return date(_ref(census).year, 12, 31)


def _jan_1(census):
    return date(_ref(census).year + 1, 1, 1)


def _death_relative_to_birth(offset_days):
    def change(census):
        _a1(census).person_death_date = _a1(census).person_birth_date + offset_days * D
    return change


def _death_relative_to_start(offset_days):
    def change(census):
        _a1(census).person_death_date = _start(census) + offset_days * D
    return change


def _death_at_ref_plus_one(census):
    _a1(census).person_death_date = _ref(census) + D


def _death_relative_to_plan(field, offset_days):
    def change(census):
        plan = ep(census).cin_plans[0]
        _a1(census).person_death_date = getattr(plan, field) + offset_days * D
    return change


def _born_before_25_years(offset_days, close_second_on_birthday=False):
    def change(census):
        ref = _ref(census)
        born = date(ref.year - 25, ref.month, ref.day) + offset_days * D
        _a1(census).person_birth_date = born
        if close_second_on_birthday:
            ep(census, 0, 1).closure_date = date(born.year + 25, born.month, born.day)
            ep(census, 0, 1).reason_for_closure = "RC7"
    return change


# --- Episodes and UPN unknown ---


def _no_episodes(census):
    census.children[1].cin_details = []


def _a1_no_upn(upn_unknown=None, born_offset_days=None, years=4):
    def change(census):
        ids = _a1(census)
        ids.upn, ids.upn_unknown = None, upn_unknown
        if born_offset_days is not None:
            ref = _ref(census)
            ids.person_birth_date = date(ref.year - years, ref.month, ref.day) + born_offset_days * D
    return change


def _a1_no_upn_all_nfa(census):
    _a1_no_upn()(census)
    for episode in census.children[0].cin_details:
        episode.referral_nfa = True


CASES = [
    Case("1510", _upn_bad_check_letter, _set(_a1, upn=make_upn("202", 1234567890, "Z")), expect=1),
    Case("1520", _b2_same_upn, _set(_b2, upn=make_upn("202", 1234567899)), expect=2),
    Case("1530", _set(_a1, upn=make_upn("999", 1234567890)), _set(_a1, upn=make_upn("001", 1234567890)), expect=1),
    Case("1530", _set(_a1, upn=make_upn("709", 1234567890)), _set(_a1, upn=make_upn("704", 1234567890)),
         note="ranges", expect=1),
    Case("1540", _upn_char_8_letter, _upn_short, expect=1),
    Case("1550", _upn_last_i, _set(_a1, upn=make_upn("202", 1234567890, "Z")), expect=1),
    Case("1550", _upn_short, note="length", expect=1),
    Case("1560Q", _former_upn_bad, _set(_a1, former_upn=make_upn("202", 5550001110)), expect=1),
    Case("1560Q", _set(_a1, former_upn="A202123456"), _set(_a1, former_upn=make_upn("330", 1, "T")),
         note="shape", expect=1),
    Case("1570", _set(_a1, la_child_id="A" * 21), _set(_a1, la_child_id="A" * 20), expect=1),
    Case("1580", _set(_a1, la_child_id="A-1"), _set(_a1, la_child_id="aB09"), expect=1),
    Case("1580", _set(_a1, la_child_id="A 1"), note="space", expect=1),
    Case("2886Q", _children_with_one_unrecorded_sex(49), _children_with_one_unrecorded_sex(50), expect=1,
         years=SEX_YEARS),
    Case("2886Q", _set(_a1, sex=None), _set(_a1, sex="U", expected_person_birth_date=date(2000, 1, 1)),
         note="missing", expect=1, years=SEX_YEARS),
    Case("2886Q", _children_with_one_unrecorded_sex(49, "gender_current", "1", "0"),
         _children_with_one_unrecorded_sex(50, "gender_current", "1", "0"), note="gender", expect=1,
         years=GENDER_YEARS),
    Case("2886Q", _set(_a1, gender_current=None),
         _set(_a1, gender_current="0", expected_person_birth_date=date(2000, 1, 1)),
         note="gender-missing", expect=1, years=GENDER_YEARS),
    Case("4008", _death_relative_to_plan("start_date", -1), _death_relative_to_plan("start_date", 0), expect=1),
    Case("4009Q", _death_relative_to_plan("end_date", -1), _death_relative_to_plan("end_date", 0), expect=1),
    Case("4180", _set(_a1, sex="X"), _set(_a1, sex="M"), expect=1, years=SEX_YEARS),
    Case("4180", _set(_a1, sex=None), note="missing", expect=1, years=SEX_YEARS),
    Case("4180", _set(_a1, sex="2"), _set(_a1, sex="F"), note="gender-code", expect=1, years=SEX_YEARS),
    Case("4180", _set(_a1, gender_current="F"), _set(_a1, gender_current="9"), note="gender", expect=1,
         years=GENDER_YEARS),
    Case("4180", _set(_a1, gender_current=None), note="gender-missing", expect=1, years=GENDER_YEARS),
    Case("8500", _set(_a1, la_child_id=None), _set(_a1, la_child_id="Z9"), expect=1),
    Case("8500", _set(_a1, la_child_id=" "), note="blank", expect=1),
    Case("1530", _set(_a1, upn="A2"), _set(_a1, upn=make_upn("943", 1234567890)), note="short", expect=1),
    Case("8510", _set(_b2, la_child_id="A1"), _set(_b2, la_child_id="A10"), expect=2),
    Case("8520", _a1_birth(1), _a1_birth(0), expect=1),
    Case("8525Q", _b2_also_born, _set(_b2, person_birth_date="31/02/2027", expected_person_birth_date=None),
         expect=1),
    Case("8525Q", _a1_no_birth, note="neither", expect=1),
    Case("8530Q", _b2_expected(-31), _b2_expected(-30), expect=1),
    Case("8530Q", _b2_expected(on=_jan_1), _b2_expected(on=_dec_31), note="upper", expect=1),
    Case("8535Q", _death_relative_to_birth(-1), _death_relative_to_birth(0), expect=1),
    Case("8545Q", _death_relative_to_start(-1), _death_relative_to_start(0), expect=1),
    Case("8545Q", _death_at_ref_plus_one, _set(_a1, person_death_date=None), note="after", expect=1),
    Case("8590", _no_episodes, expect=1),
    Case("8750", _set(_b2, sex="F"), _set(_b2, sex="F", person_birth_date=date(2000, 1, 1)), expect=1,
         years=SEX_YEARS),
    Case("8750", _set(_b2, gender_current="2"), _set(_b2, gender_current="2", person_birth_date=date(2000, 1, 1)),
         note="gender", expect=1, years=GENDER_YEARS),
    Case("8770Q", _a1_no_upn(), _a1_no_upn("UN2"), expect=1),
    Case("8770Q", _a1_no_upn("UN1"), _a1_no_upn_all_nfa, note="UN1", expect=1, years=SEX_YEARS),
    Case("8770Q", _a1_no_upn("XX9", born_offset_days=0), _a1_no_upn(born_offset_days=1), note="age", expect=1,
         years=SEX_YEARS),
    # up to 2023-24: a child more than 6 years old (born before the reference date 6 years back), UN1 accepted
    Case("8770Q", _a1_no_upn("XX9", born_offset_days=-1, years=6), _a1_no_upn(born_offset_days=0, years=6),
         note="age-6", expect=1, years=GENDER_YEARS),
    Case("8770Q", _a1_no_upn(born_offset_days=-1, years=6), _a1_no_upn("UN1", born_offset_days=-1, years=6),
         note="UN1-accepted", expect=1, years=GENDER_YEARS),
    Case("8772", _set(_a1, upn_unknown="UN7"), _set(_b2, upn_unknown="UN7"), expect=1),
    Case("8775Q", _born_before_25_years(-1), _born_before_25_years(0), expect=1),
    Case("8775Q", _born_before_25_years(-2), _born_before_25_years(-2, close_second_on_birthday=True),
         note="closed", expect=1),
]
