"""Census years.

A census year runs from 1 April to 31 March and is named by its two calendar years, "2026-27".
Everything that changes from year to year (items, code sets, rules) is declared as data with the
year it starts and stops applying; this module only knows the calendar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

#: Years the toolkit can make a template for, read, validate, import and export. Which of them are
#: validated with the DfE's rules is the rule catalogue's to say (``rules/catalogue.json`` ``years``):
#: the DfE rules of 2020-21 and 2021-22 are not included, and nothing stands in for them.
SUPPORTED_YEARS = ("2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26", "2026-27")
#: Years whose census XML can be read (last year's returns and older extracts).
READABLE_YEARS = SUPPORTED_YEARS

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


class UnknownYear(ValueError):
    pass


@total_ordering
@dataclass(frozen=True)
class CensusYear:
    """One census year, for example ``CensusYear.parse("2026-27")``."""

    first: int  # calendar year in which the census year starts (1 April)

    @classmethod
    def parse(cls, label: str | CensusYear) -> CensusYear:
        if isinstance(label, CensusYear):
            return label
        m = _LABEL.match(str(label).strip())
        if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
            raise UnknownYear(f"census year must look like 2026-27, not {label!r}")
        return cls(int(m.group(1)))

    @classmethod
    def from_xml_year(cls, year: int | str) -> CensusYear:
        """The ``<Year>`` element holds the end year: 2027 means 2026-27."""
        return cls(int(year) - 1)

    @classmethod
    def containing(cls, day: date) -> CensusYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.first}-{(self.first + 1) % 100:02d}"

    @property
    def xml_year(self) -> int:
        return self.first + 1

    @property
    def start(self) -> date:
        """Start of the census period, 1 April."""
        return date(self.first, 4, 1)

    @property
    def reference_date(self) -> date:
        """End of the census period, 31 March (the census reference date)."""
        return date(self.first + 1, 3, 31)

    def within(self, day: date) -> bool:
        return self.start <= day <= self.reference_date

    def __lt__(self, other: CensusYear) -> bool:
        return self.first < other.first

    def __str__(self) -> str:
        return self.label


def in_force(year: CensusYear, since: str | None, until: str | None) -> bool:
    """True when something declared ``since`` .. ``until`` (inclusive labels) applies in ``year``."""
    if since and year < CensusYear.parse(since):
        return False
    return not (until and year > CensusYear.parse(until))


def default_year(today: date | None = None) -> CensusYear:
    """The census year containing today's date, clamped to the supported years."""
    year = CensusYear.containing(today or date.today())
    supported = [CensusYear.parse(y) for y in SUPPORTED_YEARS]
    return min(max(year, supported[0]), supported[-1])


def supported(label: str | CensusYear, *, readable: bool = False) -> CensusYear:
    year = CensusYear.parse(label)
    allowed = READABLE_YEARS if readable else SUPPORTED_YEARS
    if year.label not in allowed:
        raise UnknownYear(f"census year {year.label} is not supported (supported: {', '.join(allowed)})")
    return year
