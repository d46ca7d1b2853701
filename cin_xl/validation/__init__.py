"""Validation: structural checks from the spec, then every DfE rule in force for the year.

``validate(census, year)`` returns findings, each located from the origin of the record it is
about (a workbook cell or an XML element). Rules live one per function in
:mod:`cin_xl.validation.rules`, registered by code; their messages come from the catalogue (``rules/catalogue.json``).
Every check a user can meet, of every family (DfE rules, ``LA-``, ``C-``, ``X-``, ``FILL-IN``), has
one shape and one registry: :mod:`cin_xl.validation.registry` (``checks(year)`` lists them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from cin_xl.census.model import CensusReturn
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.progress import phase
from cin_xl.validation import parallel
from cin_xl.validation.catalogue import RuleEntry, catalogue
from cin_xl.validation.findings import Finding, Severity, locate
from cin_xl.validation.local import LOCAL_CHECKS, enabled
from cin_xl.validation.registry import REGISTRY, Check, Family, Hit, checks, implementation, load_rules
from cin_xl.validation.structural import bad_codes, check_children, check_return
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
             only: Iterable[str] | None = None, looked_after: list[Any] | None = None,
             jobs: int = 1) -> list[Finding]:
    """All findings for ``census`` in ``year``: structural first, then the rules, in catalogue order.

    ``looked_after`` (periods from the workbook's Looked-after sheet) feeds the local ``LA-`` checks.
    ``jobs``: how many processes may check a large return (0: as many as pay; see
    :mod:`cin_xl.validation.parallel`); the findings, and their order, are the same whatever it is.
    """
    load_rules()
    with no_gc():
        return _validate(census, year, options, progress, only, looked_after, jobs)


#: which rules a process runs: each rule's registration -> whether to run it here
Which = Callable[[Check], bool]


def _every(impl: Check) -> bool:
    return True


def _whole_return(impl: Check) -> bool:
    return impl.whole_return


def _each_child(impl: Check) -> bool:
    return not impl.whole_return


def _run_rules(view: CensusView, entries: list[RuleEntry], impls: list[Check | None], year: CensusYear,
               flagged: set[tuple[int, str]], which: Which = _every,
               advance: Callable[[int], None] | None = None) -> list[list[Finding] | None]:
    """Each rule's findings in ``view`` (None for a rule with no function, or not one of ``which``); the
    (record, field) pairs they report added to ``flagged``."""
    out: list[list[Finding] | None] = []
    for done, (entry, impl) in enumerate(zip(entries, impls), start=1):
        found: list[Finding] | None = None
        if impl is not None and which(impl):
            found = []
            for hit in impl.run(view):
                found.append(_finding(entry, hit, year))
                for name in hit.fields:
                    flagged.add((id(hit.node), name))
        out.append(found)
        if advance:
            advance(done)
    return out


def _problems(problems: Iterable[tuple[Any, Any, str, str, str]], flagged: set[tuple[int, str]]
              ) -> list[tuple[int, str, Finding]]:
    """Structural problems as findings, but those on a (record, field) a DfE rule reported (``flagged``), each
    with its (record, field) for the same test against the rules run in other processes."""
    out = []
    for node, child, code, field_name, message in problems:
        if (id(node), field_name) in flagged:
            continue
        child_id = child.identifiers.la_child_id if child is not None else None
        out.append((id(node), field_name,
                    locate(Finding(code, Severity.ERROR, message, child=child_id), node, (field_name,))))
    return out


def _validate(census: CensusReturn, year: CensusYear, options: dict[str, Any] | None,
              progress: Callable[[int, int], None] | None, only: Iterable[str] | None,
              looked_after: list[Any] | None, jobs: int = 1) -> list[Finding]:
    view = CensusView(census, year, options or {}, looked_after or [])
    flagged: set[tuple[int, str]] = set()  # (record, field) already reported by a DfE rule
    wanted = None if only is None else set(only)
    entries = [e for e in catalogue(year).values() if wanted is None or e.code in wanted]
    impls = [implementation(entry.code, year) for entry in entries]
    n = parallel.processes(len(census.children), jobs) if only is None else 1
    parallel.LAST = parallel.RunStats(processes=n)
    if n > 1:
        return _validate_in_parts(census, year, view, entries, impls, n, progress)
    with phase("Checking the DfE rules", len(entries), f"{len(entries):,} rules") as step:
        def advance(done: int) -> None:
            step.advance()
            if progress:
                progress(done, len(entries))

        found = _run_rules(view, entries, impls, year, flagged, advance=advance)
    rule_findings = [f for rule in found if rule for f in rule]
    if only is None:
        rule_findings += _local_findings(view)
    structural: list[Finding] = []
    if only is None:
        with phase("Checking every item"):
            problems = _problems(check_return(census, year), flagged)
        structural = [f for _, _, f in problems]
    return structural + rule_findings


def _local_findings(view: CensusView) -> list[Finding]:
    out = []
    for local in enabled(view.options):
        for hit in local.run(view):
            child = (hit.child.identifiers.la_child_id if hit.child is not None
                     else getattr(hit.node, "child_id", None))
            out.append(locate(Finding(local.code, local.severity, local.message, child=child), hit.node, hit.fields))
    return out


def _validate_in_parts(census: CensusReturn, year: CensusYear, view: CensusView, entries: list[RuleEntry],
                       impls: list[Check | None], n: int,
                       progress: Callable[[int, int], None] | None) -> list[Finding]:
    """:func:`_validate` with the children in ``n`` parts, the first checked here and each other by a forked
    worker; the findings merged in the order of a run in one process (:mod:`cin_xl.validation.parallel`)."""
    chunks = parallel.parts(census.children, n)

    def work(chunk) -> Callable[[], parallel.Outcome]:
        def check_part() -> parallel.Outcome:
            part = CensusView(parallel.part_of(census, chunk), year, view.options, view.looked_after)
            reported: set[tuple[int, str]] = set()
            rules = _run_rules(part, entries, impls, year, reported, _each_child)
            problems = _problems(check_children(chunk, year), reported)
            return parallel.Outcome(rules, problems, reported)
        return check_part

    workers: list[parallel.Worker | None] = []
    started = time.perf_counter()
    try:
        for chunk in chunks[1:]:
            try:
                workers.append(parallel.Worker(work(chunk)))
            except OSError:  # no process could be made (too many, no memory): the part is checked here
                workers.append(None)
        flagged: set[tuple[int, str]] = set()
        first = CensusView(parallel.part_of(census, chunks[0]), year, view.options, view.looked_after)
        with phase("Checking the DfE rules", 2 * len(entries), f"{len(entries):,} rules") as step:
            def advance(done: int) -> None:
                step.advance()
                if progress:
                    progress(done, len(entries))

            whole = _run_rules(view, entries, impls, year, flagged, _whole_return, lambda done: step.advance())
            mine = _run_rules(first, entries, impls, year, flagged, _each_child, advance)
        local = _local_findings(view)
        with phase("Checking every item"):
            problems = _problems(check_return(first.census, year), flagged)
        outcomes = []
        parallel.LAST.own_seconds = time.perf_counter() - started
        rest = "half" if n == 2 else f"{n - 1} parts"
        with phase(f"Checking the other {rest} of the children (another process)", n - 1) as step:
            for worker, chunk in zip(workers, chunks[1:]):
                outcome = worker.outcome(parallel.LAST) if worker is not None else None
                if outcome is None:  # the worker failed: its part is checked here, nothing is lost
                    parallel.LAST.retried += 1
                    outcome = work(chunk)()
                outcomes.append(outcome)
                step.advance()
        parallel.LAST.wait_seconds = time.perf_counter() - started - parallel.LAST.own_seconds
    finally:
        for worker in workers:
            if worker is not None:
                worker.stop()
    for outcome in outcomes:
        flagged |= outcome.flagged
        problems += outcome.structural
    rule_findings: list[Finding] = []
    for i, across in enumerate(whole):
        if across is not None:
            rule_findings += across
            continue
        for found in [mine[i]] + [o.rules[i] for o in outcomes]:
            if found:
                rule_findings += found
    structural = [f for node, name, f in problems if (node, name) not in flagged]
    return structural + rule_findings + local
