"""cin-xl rules: list every check a user can meet in a census year (DfE rules, structural, local, continuity,
fill-in), each with its severity and message."""

from __future__ import annotations

import json

from cin_xl.cli.commands import add_year, year_arg

NAME = "rules"
HELP = "list the checks of a census year (DfE rules, structural and reading checks, local, continuity, FILL-IN)"


def add_arguments(p) -> None:
    add_year(p)
    p.add_argument("--format", choices=["text", "json"], default="text")


def run(args) -> int:
    from cin_xl.validation import Family, catalogue, checks, implementation
    from cin_xl.validation.catalogue import rules_included, rules_not_included_note

    year = year_arg(args)
    entries = list(catalogue(year).values())
    every = checks(year)
    own = {family: [c for c in every if c.family is family]
           for family in (Family.STRUCTURAL, Family.LOCAL, Family.CONTINUITY, Family.FILL_IN)}
    if args.format == "json":
        out = []
        for e in entries:
            d = e.as_dict()
            impl = implementation(e.code, year)
            d["implemented_by"] = impl.name if impl else None
            out.append(d)

        def listed(family: Family) -> list[dict]:
            return [{"code": c.code, "severity": str(c.severity), "message": c.message, "condition": c.condition}
                    for c in own[family]]

        print(json.dumps({"year": year.label, "dfe_rules_included": rules_included(year),
                          "note": rules_not_included_note(year) or None, "rules": out,
                          "structural": listed(Family.STRUCTURAL), "local": listed(Family.LOCAL),
                          "continuity": listed(Family.CONTINUITY), "fill_in": listed(Family.FILL_IN),
                          "checks": [{"code": c.code, "family": str(c.family), "severity": str(c.severity),
                                      "message": c.message, "condition": c.condition, "since": c.since,
                                      "until": c.until, "function": c.name or None} for c in every]},
                         indent=1, ensure_ascii=False))
        return 0
    print(f"Census {year.label}: {len(entries)} DfE rules")
    if note := rules_not_included_note(year):
        print(note)
    for e in entries:
        scope = " (whole return)" if e.scope == "return" else ""
        print(f"{e.code:>6}  {e.severity:<5}  {e.module:<20}  {e.message}{scope}")
    for family, heading in (
            (Family.STRUCTURAL, "Structural checks (from the census specification), and reading the workbook or XML:"),
            (Family.LOCAL, "Local checks against the Looked-after sheet (switch off with --no-local):"),
            (Family.CONTINUITY, "Continuity with last year's return (validate --previous LAST.xml):"),
            (Family.FILL_IN, "Rollover (cin-xl rollover marks the cells of the new workbook to fill in):")):
        print(f"\n{heading}")
        for c in own[family]:
            print(f"{c.code:>10}  {c.severity:<5}  {c.message}")
    return 0
