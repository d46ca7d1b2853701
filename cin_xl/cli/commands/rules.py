"""cin-xl rules: list the rule catalogue of a census year."""

from __future__ import annotations

import json

from cin_xl.cli.commands import add_year, year_arg

NAME = "rules"
HELP = "list the validation rules of a census year (DfE rules, structural and local checks)"


def add_arguments(p) -> None:
    add_year(p)
    p.add_argument("--format", choices=["text", "json"], default="text")


def run(args) -> int:
    from cin_xl.validation import catalogue, implementation
    from cin_xl.validation.continuity import CONTINUITY_CHECKS
    from cin_xl.validation.local import LOCAL_CHECKS
    from cin_xl.validation.structural import STRUCTURAL_CODES

    year = year_arg(args)
    entries = list(catalogue(year).values())
    if args.format == "json":
        out = []
        for e in entries:
            d = e.as_dict()
            impl = implementation(e.code, year)
            d["implemented_by"] = impl.name if impl else None
            out.append(d)
        print(json.dumps({"year": year.label, "rules": out,
                          "structural": [{"code": c, "message": m} for c, m in STRUCTURAL_CODES.items()],
                          "local": [{"code": c.code, "severity": str(c.severity), "message": c.message,
                                     "condition": (c.func.__doc__ or "").strip()} for c in LOCAL_CHECKS.values()],
                          "continuity": [{"code": c.code, "severity": str(c.severity), "message": c.message,
                                          "condition": c.condition} for c in CONTINUITY_CHECKS.values()]},
                         indent=1, ensure_ascii=False))
        return 0
    print(f"Census {year.label}: {len(entries)} DfE rules")
    for e in entries:
        scope = " (whole return)" if e.scope == "return" else ""
        print(f"{e.code:>6}  {e.severity:<5}  {e.module:<20}  {e.message}{scope}")
    print("\nStructural checks (from the census specification):")
    for code, message in STRUCTURAL_CODES.items():
        print(f"{code:>10}  error  {message}")
    print("\nLocal checks against the Looked-after sheet (switch off with --no-local):")
    for check in LOCAL_CHECKS.values():
        print(f"{check.code:>10}  query  {check.message}")
    print("\nContinuity with last year's return (validate --previous LAST.xml):")
    for continuity in CONTINUITY_CHECKS.values():
        print(f"{continuity.code:>10}  {continuity.severity:<5}  {continuity.message}")
    return 0
