"""Code sets of the children in need census, declared once.

Each code carries its label and, where it is not valid in every year, the census years it is
valid in. The template's dropdowns, the structural checks and the generator all read these.
Source: DfE children in need census specification (Open Government Licence v3.0).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from cin_xl.census.years import CensusYear, in_force


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    since: str | None = None
    until: str | None = None
    #: still seen in data but queried by a rule rather than rejected as unknown
    deprecated: bool = False


@dataclass(frozen=True)
class CodeSet:
    name: str
    codes: tuple[Code, ...]

    def for_year(self, year: CensusYear) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if in_force(year, c.since, c.until))

    def valid(self, year: CensusYear) -> frozenset[str]:
        return _valid_codes(self.name, year)

    def label(self, code: str) -> str | None:
        for c in self.codes:
            if c.code == code:
                return c.label
        return None


@cache
def _valid_codes(name: str, year: CensusYear) -> frozenset[str]:
    return frozenset(c.code for c in CODE_SETS[name].for_year(year))


def _codes(*pairs: tuple[str, str]) -> tuple[Code, ...]:
    return tuple(Code(code, label) for code, label in pairs)


_FACTOR_SUBJECTS = {"A": "child", "B": "parent(s) or carer(s)", "C": "another person in the household"}


def _factor_triplet(number: str, topic: str) -> tuple[Code, ...]:
    return tuple(Code(f"{number}{k}", f"{topic}: concern about {who}") for k, who in _FACTOR_SUBJECTS.items())


CODE_SETS: dict[str, CodeSet] = {
    cs.name: cs
    for cs in [
        CodeSet("Ethnicity", _codes(
            ("WBRI", "White British"), ("WIRI", "White Irish"), ("WIRT", "Traveller of Irish heritage"),
            ("WOTH", "Any other White background"), ("WROM", "Gypsy/Roma"),
            ("MWBC", "White and Black Caribbean"), ("MWBA", "White and Black African"),
            ("MWAS", "White and Asian"), ("MOTH", "Any other mixed background"),
            ("AIND", "Indian"), ("APKN", "Pakistani"), ("ABAN", "Bangladeshi"),
            ("AOTH", "Any other Asian background"), ("BCRB", "Caribbean"), ("BAFR", "African"),
            ("BOTH", "Any other Black background"), ("CHNE", "Chinese"), ("OOTH", "Any other ethnic group"),
            ("REFU", "Refused"), ("NOBT", "Information not yet obtained"),
        )),
        CodeSet("Disability", _codes(
            ("NONE", "No disability"), ("MOB", "Mobility"), ("HAND", "Hand function"),
            ("PC", "Personal care"), ("INC", "Incontinence"), ("COMM", "Communication"),
            ("LD", "Learning"), ("HEAR", "Hearing"), ("VIS", "Vision"), ("BEH", "Behaviour"),
            ("CON", "Consciousness"), ("AUT", "Autism"), ("DDA", "Other"),
        )),
        CodeSet("ReferralSource", _codes(
            ("1A", "Individual: family member, relative or carer"),
            ("1B", "Individual: acquaintance (neighbours, child minders)"),
            ("1C", "Individual: self"), ("1D", "Individual: other (strangers)"),
            ("2A", "Schools"), ("2B", "Education services"),
            ("3A", "Health: GP"), ("3B", "Health: health visitor"), ("3C", "Health: school nurse"),
            ("3D", "Health: other primary health services"), ("3E", "Health: A&E"),
            ("3F", "Health: other (for example hospice)"),
            ("4", "Housing (LA housing or housing association)"),
            ("5A", "LA services: social care (for example adult social care)"),
            ("5B", "LA services: other internal"),
            ("5C", "LA services: external (another LA's adult social care)"),
        ) + (Code("5D", "LA services: early help", since="2022-23"),) + _codes(
            ("6", "Police"),
            ("7", "Other legal agency (courts, probation, immigration, CAFCASS, prison)"),
            ("8", "Other (children's centres, independent providers, voluntary organisations)"),
            ("9", "Anonymous"), ("10", "Unknown"),
        )),
        CodeSet("PrimaryNeed", _codes(
            ("N1", "Abuse or neglect"), ("N2", "Child's disability"), ("N3", "Parental disability or illness"),
            ("N4", "Family in acute stress"), ("N5", "Family dysfunction"),
            ("N6", "Socially unacceptable behaviour"), ("N7", "Low income"), ("N8", "Absent parenting"),
            ("N9", "Cases other than children in need"), ("N0", "Not stated"),
        )),
        CodeSet("ReasonForClosure", _codes(
            ("RC1", "Adopted"), ("RC2", "Died"), ("RC3", "Child arrangements order"),
            ("RC4", "Special guardianship order"), ("RC5", "Transferred to another LA"),
            ("RC6", "Transferred to adult social care"),
            ("RC7", "Services ceased for any other reason, including child no longer in need"),
            ("RC8", "Case closed after assessment, no further action"),
        ) + (Code("RC9", "Case closed after assessment, referred to early help", since="2022-23"),)),
        CodeSet("CategoryOfAbuse", _codes(
            ("NEG", "Neglect"), ("PHY", "Physical abuse"), ("SAB", "Sexual abuse"),
            ("EMO", "Emotional abuse"), ("MUL", "Multiple/not recommended"),
        )),
        CodeSet("UPNunknown", _codes(
            ("UN1", "Child under 6 not yet attending school"),
            ("UN2", "Child has never attended school in England"),
            ("UN3", "Child educated outside school (not in England)"),
            ("UN4", "Child new to the LA, UPN not yet obtained"),
            ("UN5", "Sources collating UPNs reflect a discrepancy"),
            ("UN6", "Child aged 6 or over not attending school"),
            ("UN7", "Referral with no further action"),
        )),
        CodeSet("AssessmentFactors", (
            *_factor_triplet("1", "Alcohol misuse"),
            *_factor_triplet("2", "Drug misuse"),
            *_factor_triplet("3", "Domestic abuse"),
            *_factor_triplet("4", "Mental health"),
            *_factor_triplet("5", "Learning disability"),
            *_factor_triplet("6", "Physical disability or illness"),
            *_codes(
                ("7A", "Young carer"),
                ("8B", "Privately fostered: overseas, intends to return"),
                ("8C", "Privately fostered: overseas, intends to stay"),
                ("8D", "Privately fostered: UK, educational placement"),
                ("8E", "Privately fostered: UK, alternative family arrangements"),
                ("8F", "Privately fostered: other"),
                ("9A", "Unaccompanied asylum-seeking child"),
                ("10A", "Going/being missing"), ("11A", "Child sexual exploitation"),
                ("12A", "Trafficking"), ("13A", "Gangs"), ("14A", "Socially unacceptable behaviour"),
                ("15A", "Self-harm"), ("16A", "Neglect"), ("17A", "Emotional abuse"),
            ),
            # 18A and 19A were split into child-on-child / adult-on-child; still accepted, but queried
            Code("18A", "Physical abuse (old code: use 18B or 18C)", deprecated=True),
            # 18B/18C and 19B/19C from 2020-21, the first census year cin-xl knows
            Code("18B", "Physical abuse: child on child", since="2020-21"),
            Code("18C", "Physical abuse: adult on child", since="2020-21"),
            Code("19A", "Sexual abuse (old code: use 19B or 19C)", deprecated=True),
            Code("19B", "Sexual abuse: child on child", since="2020-21"),
            Code("19C", "Sexual abuse: adult on child", since="2020-21"),
            *_codes(
                ("20", "Other"), ("21", "No factors identified (only on its own)"),
                ("22A", "Female genital mutilation"), ("23A", "Abuse linked to faith or belief"),
            ),
            Code("24A", "Child criminal exploitation", since="2021-22"),
        )),
        CodeSet("Sex", (
            Code("M", "Male", since="2024-25"), Code("F", "Female", since="2024-25"),
            Code("U", "Unknown or unborn", since="2024-25"),
        )),
        CodeSet("GenderCurrent", (
            Code("1", "Male", until="2023-24"), Code("2", "Female", until="2023-24"),
            Code("0", "Not recorded or unborn", until="2023-24"), Code("9", "Indeterminate", until="2023-24"),
        )),
        # Not a CIN census item: the SSDA903 (looked-after children) legal status, for the optional
        # column of the workbook's Looked-after sheet.
        CodeSet("LegalStatus", _codes(
            ("C1", "Interim care order"), ("C2", "Full care order"), ("D1", "Freeing order granted"),
            ("E1", "Placement order granted"), ("J1", "Remanded to LA accommodation or youth detention"),
            ("J2", "Placed in LA accommodation under PACE"),
            ("J3", "Sentenced to youth rehabilitation order with residence or fostering requirement"),
            ("L1", "Under police protection and in LA accommodation"), ("L2", "Emergency protection order"),
            ("L3", "Child assessment order and in LA accommodation"),
            ("V2", "Single period of accommodation under section 20"),
            ("V3", "Accommodated under an agreed series of short-term breaks"),
            ("V4", "Accommodated under an agreed series of short-term breaks, when individual episodes are "
                   "recorded"),
        )),
        # CS131: the codes only. Their meanings are in the DfE 2026-27 specification's code table;
        # we give no labels of our own (the item's guidance points there; see docs/maintainers.md).
        CodeSet("PPOutcome", (
            Code("A", "", since="2026-27"), Code("B", "", since="2026-27"), Code("C", "", since="2026-27"),
        )),
    ]
}

#: <GenderCurrent> (up to 2023-24) codes and the <Sex> code (from 2024-25) of the same meaning, for comparing and
#: carrying a child's sex across the change. 9 (indeterminate) has no counterpart in <Sex>.
SEX_OF_GENDER: dict[str, str] = {"1": "M", "2": "F", "0": "U"}
