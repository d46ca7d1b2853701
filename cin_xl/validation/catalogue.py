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
from cin_xl.errors import UnusableInput
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


@cache
def catalogue(year: CensusYear) -> dict[str, RuleEntry]:
    data = catalogue_data()
    if year.label not in data["years"]:
        raise UnusableInput(f"census {year.label} can be read and imported, but validated only in "
                            f"{', '.join(data['years'])} (no rule catalogue for {year.label})")
    out: dict[str, RuleEntry] = {}
    for rule in data["rules"]:
        r = wording(rule, year)
        if r is not None:
            out[r["code"]] = RuleEntry(r["code"], Severity(r["severity"]), r["scope"], r["module"], r["message"],
                                       tuple(r["items"]), r["condition"], r["in_force_since"],
                                       r.get("wording_since", ""), rule.get("until"))
    return out
