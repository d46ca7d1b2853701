"""Build the project's rule catalogue (rules/<year>.json) from the DfE reference transcription.

Run once per new census year, then review the diff: the catalogue is ours to keep and correct
(see docs/maintainers.md). Usage:

    python scripts/import_dfe_rules.py ../shared/reference/dfe-cin-validation-rules.json 2026-27
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cin_xl.census.years import CensusYear  # noqa: E402


def version_for(rule: dict, year: CensusYear) -> dict | None:
    chosen = None
    for v in rule["versions"]:
        if CensusYear.parse(v["from_year"]) <= year:
            chosen = v
    return chosen


def entry(rule: dict, version: dict) -> dict:
    text = version["logic"]
    items = sorted(set(re.findall(r"N\d{5}", text)))
    return {
        "code": rule["code"],
        "severity": rule["severity"],
        "scope": rule["scope"],
        "module": version["module"],
        "message": version["message"],
        "items": items,
        "condition": text,
        "in_force_since": rule["in_force_from"].split()[0],
        "wording_since": version["from_year"],
    }


def main(reference: str, *labels: str) -> None:
    data = json.loads(Path(reference).read_text(encoding="utf-8"))
    for label in labels:
        year = CensusYear.parse(label)
        rules = []
        for rule in data["rules"]:
            version = version_for(rule, year)
            if version is not None:
                rules.append(entry(rule, version))
        out = ROOT / "rules" / f"{year.label}.json"
        out.write_text(json.dumps({"year": year.label, "rules": rules}, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        print(f"{out}: {len(rules)} rules")


if __name__ == "__main__":
    main(sys.argv[1], *sys.argv[2:])
