"""Validation: structural checks from the spec, then every DfE rule in force for the year.

``validate(census, year)`` returns findings, each located from the origin of the record it is
about (a workbook cell or an XML element). Rules live one per function in
:mod:`cin_xl.validation.rules`, registered by code; their messages come from the catalogue (``rules/catalogue.json``).
Every check a user can meet, of every family (DfE rules, ``LA-``, ``C-``, ``X-``, ``FILL-IN``), has
one shape and one registry: :mod:`cin_xl.validation.registry` (``checks(year)`` lists them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.progress import phase
from cin_xl.validation.catalogue import RuleEntry, catalogue
from cin_xl.validation.findings import Finding, Severity, locate
from cin_xl.validation.local import LOCAL_CHECKS, enabled
from cin_xl.validation.registry import REGISTRY, Check, Family, Hit, checks, implementation, load_rules
from cin_xl.validation.structural import bad_codes, check_return
from cin_xl.validation.view import CensusView

__all__ = ["validate", "catalogue", "checks", "implementation", "Check", "Family", "RuleEntry",
           "missing_implementations", "REGISTRY", "LOCAL_CHECKS"]


def _finding(entry: RuleEntry, hit: Hit, year: CensusYear) -> Finding:
    child = hit.child.identifiers.la_child_id if hit.child is not None else None
    message = entry.message
    if hit.node is not None and hit.fields:
        wrong = bad_codes(hit.node, hit.fields, year)  # a value that is not a code: said beside the DfE wording
        if wrong:
            message = f"{message}{' ' if message.endswith(('.', '?', '!')) else ': '}{'; '.join(wrong)}"
    finding = Finding(entry.code, entry.severity, message, child=child)
    return locate(finding, hit.node, hit.fields)


def missing_implementations(year: CensusYear) -> list[str]:
    return [code for code in catalogue(year) if implementation(code, year) is None]


def validate(census: CensusReturn, year: CensusYear, *, options: dict[str, Any] | None = None,
             progress: Callable[[int, int], None] | None = None,
             only: Iterable[str] | None = None, looked_after: list[Any] | None = None) -> list[Finding]:
    """All findings for ``census`` in ``year``: structural first, then the rules, in catalogue order.

    ``looked_after`` (periods from the workbook's Looked-after sheet) feeds the local ``LA-`` checks.
    """
    load_rules()
    with no_gc():
        return _validate(census, year, options, progress, only, looked_after)


def _validate(census: CensusReturn, year: CensusYear, options: dict[str, Any] | None,
              progress: Callable[[int, int], None] | None, only: Iterable[str] | None,
              looked_after: list[Any] | None) -> list[Finding]:
    view = CensusView(census, year, options or {}, looked_after or [])
    rule_findings: list[Finding] = []
    flagged: set[tuple[int, str]] = set()  # (record, field) already reported by a DfE rule
    wanted = None if only is None else set(only)
    entries = [e for e in catalogue(year).values() if wanted is None or e.code in wanted]
    with phase("Checking the DfE rules", len(entries), f"{len(entries):,} rules") as step:
        for done, entry in enumerate(entries, start=1):
            impl = implementation(entry.code, year)
            if impl is not None:
                for hit in impl.run(view):
                    rule_findings.append(_finding(entry, hit, year))
                    for name in hit.fields:
                        flagged.add((id(hit.node), name))
            step.advance()
            if progress:
                progress(done, len(entries))
    if only is None:
        for local in enabled(view.options):
            for hit in local.run(view):
                child = (hit.child.identifiers.la_child_id if hit.child is not None
                         else getattr(hit.node, "child_id", None))
                rule_findings.append(locate(Finding(local.code, local.severity, local.message, child=child),
                                            hit.node, hit.fields))
    structural: list[Finding] = []
    if only is None:
        with phase("Checking every item"):
            problems = list(check_return(census, year))
        for node, child, code, field_name, message in problems:
            if (id(node), field_name) in flagged:
                continue
            child_id = child.identifiers.la_child_id if child is not None else None
            structural.append(locate(Finding(code, Severity.ERROR, message, child=child_id), node, (field_name,)))
    return structural + rule_findings
