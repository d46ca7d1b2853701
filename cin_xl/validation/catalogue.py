"""The project's rule catalogue: ``rules/catalogue.json``, one entry per DfE rule code with its years in force.

An entry holds the wording of the latest year it is in force; ``earlier_wordings`` gives, for the years
up to each one's ``until``, the fields that read differently then. ``catalogue(year)`` is the rules of
one census year, in catalogue order, each worded as it stands that year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from cin_xl.census.years import CensusYear, in_force
from cin_xl.validation.findings import Severity

CATALOGUE_FILE = "catalogue.json"


@dataclass(frozen=True)
class RuleEntry:
    code: str
    severity: Severity
    scope: str  # "record" or "return"
    module: str
    message: str
    items: tuple[str, ...]
    condition: str
    in_force_since: str
    wording_since: str = ""
    #: the last census year the rule is in force (None: still in force)
    until: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": str(self.severity), "scope": self.scope, "module": self.module,
                "message": self.message, "items": list(self.items), "condition": self.condition,
                "in_force_since": self.in_force_since}


def _catalogue_dir() -> Path:
    # Installed: the package "cin_xl_rules" maps to the repository's rules/ folder.
    try:
        return Path(str(resources.files("cin_xl_rules")))
    except ModuleNotFoundError:  # running from a source tree without installing
        return Path(__file__).resolve().parents[2] / "rules"


@cache
def catalogue_data() -> dict[str, Any]:
    """The catalogue file as it is stored: ``years`` (the census years it covers) and ``rules``."""
    data: dict[str, Any] = json.loads((_catalogue_dir() / CATALOGUE_FILE).read_text(encoding="utf-8"))
    return data


def wording(rule: dict[str, Any], year: CensusYear) -> dict[str, Any] | None:
    """A catalogue entry as it stands in ``year`` (the fields of the old per-year files), or None when the
    rule is not in force that year."""
    if not in_force(year, rule["in_force_since"], rule.get("until")):
        return None
    entry = {k: v for k, v in rule.items() if k not in ("until", "earlier_wordings")}
    for earlier in rule.get("earlier_wordings", ()):
        if year <= CensusYear.parse(earlier["until"]):
            entry.update({k: v for k, v in earlier.items() if k != "until"})
            break
    return entry


def rules_included(year: CensusYear) -> bool:
    """Whether the catalogue holds the DfE rules of ``year``. A supported year it does not cover (2020-21,
    2021-22: the DfE's rules of those years are not published with the reference) is validated by its
    schema and structural checks only, and every output says so."""
    return year.label in catalogue_data()["years"]


def rules_not_included_note(year: CensusYear) -> str:
    """The one sentence every output gives for a year whose DfE rules are not included ('' when they are)."""
    if rules_included(year):
        return ""
    return (f"The DfE validation rules of {year.label} are not included in cin-xl: only the census schema and "
            f"the structural checks were run, so COLLECT may still find errors.")


@cache
def catalogue(year: CensusYear) -> dict[str, RuleEntry]:
    """The DfE rules of ``year``; none (never another year's) for a year the catalogue does not cover."""
    data = catalogue_data()
    out: dict[str, RuleEntry] = {}
    if not rules_included(year):
        return out
    for rule in data["rules"]:
        r = wording(rule, year)
        if r is not None:
            out[r["code"]] = RuleEntry(r["code"], Severity(r["severity"]), r["scope"], r["module"], r["message"],
                                       tuple(r["items"]), r["condition"], r["in_force_since"],
                                       r.get("wording_since", ""), rule.get("until"))
    return out
