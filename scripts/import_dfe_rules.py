"""Add a census year to the project's rule catalogue (rules/catalogue.json) from the DfE reference transcription.

Run once per new census year, then review the diff: the catalogue is ours to keep and correct
(see docs/maintainers.md). A rule whose DfE wording did not change keeps the catalogue's wording (and
so our corrections); a changed wording becomes the entry's latest, the old one an ``earlier_wordings``
entry; a rule the DfE no longer lists gets ``until`` (the year before). A year before the catalogue's first
is added the same way (its rules' wordings become ``earlier_wordings``). Usage:

    python scripts/import_dfe_rules.py ../shared/reference/dfe-cin-validation-rules.json 2027-28
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cin_xl.census.years import CensusYear  # noqa: E402
from cin_xl.validation.catalogue import CATALOGUE_FILE, wording  # noqa: E402

ABOUT = ("The project's DfE rule catalogue, one entry per code with the census years it is in force: from "
         "in_force_since (a year before the first in 'years' means before the catalogue began) to until (absent: "
         "still in force). Each entry is the wording of the latest year; earlier_wordings gives, for the years up "
         "to its until, the fields that read differently then. See README.md.")


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


def build(years: list[str], per_year: dict[str, dict[str, dict]], first: list[str] = ()) -> dict[str, Any]:
    """The catalogue standing for ``per_year`` (year -> code -> the entry as it stands that year); the codes
    in ``first`` (the catalogue's order so far) keep their order, others follow by year."""
    order: list[str] = [code for code in first if any(code in per_year[label] for label in years)]
    for label in years:
        order += [code for code in per_year[label] if code not in order]
    rules = []
    for code in order:
        present = [label for label in years if code in per_year[label]]
        if [years.index(label) for label in present] != list(range(years.index(present[0]),
                                                                   years.index(present[-1]) + 1)):
            raise SystemExit(f"rule {code} leaves the catalogue and comes back: split it by hand")
        base = dict(per_year[present[-1]][code])
        if present[0] != years[0] and base["in_force_since"] != present[0]:
            raise SystemExit(f"rule {code} is first catalogued in {present[0]}, not its in_force_since")
        if present[-1] != years[-1]:
            base["until"] = present[-1]
        earlier: list[dict] = []
        for label in present[:-1]:
            differs = {k: v for k, v in per_year[label][code].items() if base.get(k) != v}
            if not differs:
                continue
            if earlier and {k: v for k, v in earlier[-1].items() if k != "until"} == differs:
                earlier[-1]["until"] = label
            else:
                earlier.append({"until": label, **differs})
        if earlier:
            base["earlier_wordings"] = earlier
        rules.append(base)
    return {"about": ABOUT, "years": years, "rules": rules}


def main(reference: str, label: str) -> None:
    path = ROOT / "rules" / CATALOGUE_FILE
    current = json.loads(path.read_text(encoding="utf-8"))
    year = CensusYear.parse(label)
    years = [y for y in current["years"] if y != year.label]
    if years and [y for y in years if CensusYear.parse(y) > year] and [y for y in years if CensusYear.parse(y) < year]:
        raise SystemExit(f"the catalogue runs from {years[0]} to {years[-1]}: add a year before or after them")
    per_year = {y: {r["code"]: w for r in current["rules"] if (w := wording(r, CensusYear.parse(y))) is not None}
                for y in years}
    # the wording kept where the DfE's did not change: the nearest year's (the last, or for an earlier year the first)
    last = per_year[years[-1] if CensusYear.parse(years[-1]) < year else years[0]] if years else {}
    new: dict[str, dict] = {}
    for rule in json.loads(Path(reference).read_text(encoding="utf-8"))["rules"]:
        version = version_for(rule, year)
        if version is None:
            continue
        kept = last.get(rule["code"])
        new[rule["code"]] = kept if kept and kept["wording_since"] == version["from_year"] else entry(rule, version)
    per_year[year.label] = new
    years = sorted([*years, year.label], key=CensusYear.parse)
    built = build(years, per_year, [r["code"] for r in current["rules"]])
    path.write_text(json.dumps(built, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{path}: {len(new)} rules in {year.label}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
