"""The project's rule catalogue: ``rules/<year>.json``, one entry per DfE rule code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.validation.findings import Severity


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

    def as_dict(self) -> dict:
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
def catalogue(year: CensusYear) -> dict[str, RuleEntry]:
    path = _catalogue_dir() / f"{year.label}.json"
    if not path.exists():
        raise UnusableInput(f"census {year.label} can be read and imported, but validated only in "
                            f"{', '.join(SUPPORTED_YEARS)} (no rule catalogue for {year.label})")
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        r["code"]: RuleEntry(r["code"], Severity(r["severity"]), r["scope"], r["module"], r["message"],
                             tuple(r["items"]), r["condition"], r["in_force_since"])
        for r in data["rules"]
    }
