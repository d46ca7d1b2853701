"""The findings report: the validation results of one file, summarised for people and written for machines
(JSON, CSV).

Not to be confused with the key figures (:mod:`cin_xl.reports.figures`), which ``cin-xl report``, the HTML
report and the Summary sheet show."""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cin_xl.census.years import CensusYear
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.text_guard import csv_field, quoted
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.validation.findings import Finding, Severity, count, names_child, plural, totals_text

#: rules shown with their examples before the rest are listed a line each
IN_FULL = 10


#: the last, "where", is the location as people read it (in census XML: line, child, record and item), beside
#: the path and line for programs
CSV_COLUMNS = ["code", "severity", "message", "child", "sheet", "row", "cells", "path", "line", "where"]


@dataclass
class ValidationReport:
    year: CensusYear
    source: str
    findings: list[Finding] = field(default_factory=list)
    #: the file breaks the census schema: COLLECT would reject it before running its rules
    schema_failed: bool = False
    children: int = 0
    #: what was read (census, workbook layout), for --annotate and the figures
    loaded: object = field(default=None, repr=False)

    @property
    def summary(self) -> dict[str, int]:
        return count(self.findings)

    @property
    def exit_code(self) -> int:
        if self.schema_failed:
            return 2
        return 1 if self.summary["errors"] else 0

    @property
    def note(self) -> str:
        """Said with every result of a year whose DfE rules are not included ('' otherwise)."""
        return rules_not_included_note(self.year)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"year": self.year.label, "source": self.source, "summary": self.summary,
               "findings": [f.as_dict() for f in self.findings]}
        if self.note:
            out = {"year": self.year.label, "dfe_rules_included": False, "note": self.note, **out}
        return out

    def to_json(self) -> bytes:
        data = self.as_dict()
        try:  # orjson: a tenth of the time of the json module on tens of thousands of findings
            import orjson

            return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        except ImportError:  # a Python without it (an xlwings Lite build, say): the same content, slower
            pass
        except TypeError:  # text UTF-8 cannot hold (a lone surrogate): the json module writes it as \\udxxx
            pass
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8", "backslashreplace") + b"\n"

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)  # with csv_field: nothing a spreadsheet evaluates
        writer.writerow(CSV_COLUMNS)
        for f in self.findings:
            d = f.as_dict()
            d["cells"] = " ".join(d["cells"])
            d["where"] = f.where
            writer.writerow(["" if d[c] is None else csv_field(d[c]) for c in CSV_COLUMNS])
        return out.getvalue().encode("utf-8-sig", "backslashreplace")  # BOM so Excel opens it as UTF-8

    def write(self, path: str | Path) -> None:
        path = Path(path)
        data = self.to_csv() if path.suffix.lower() == ".csv" else self.to_json()
        write_atomic(path, data)

    def text(self, examples: int = 3, *, verbose: bool = False, in_full: int = IN_FULL) -> str:
        """A readable summary that ends with what matters: the rules found, the largest ``in_full`` of them
        with their first ``examples`` findings and a count of the rest, the others a line each; then the
        totals. ``verbose``: every rule with every finding."""
        lines = [f"{self.source}: census {self.year.label}, {plural(self.children, 'child')}"]
        if self.note:
            lines.append(self.note)
        if not self.findings:
            lines.append("No errors or queries found.")
            return "\n".join(lines)
        groups = grouped(self.findings)
        shown = groups if verbose else groups[:in_full]
        if not verbose and len(groups) <= in_full + 2:  # a line or two more is not worth a second list
            shown = groups
        for code, severity, heading, group in shown:
            lines.append(f"\n{_group_line(code, severity, heading, group)}")
            listed = group if verbose else group[:examples]
            for f in listed:
                lines.append(f"    {_who(f)}{f.where}{_own(f.message, heading)}")
            if len(group) > len(listed):
                lines.append(f"    ... and {len(group) - len(listed):,} more")
        rest = groups[len(shown):]
        if rest:
            lines.append(f"\n{_more_rules(rest)} (--verbose lists every finding):")
            lines.extend(f"  {_group_line(code, severity, heading, group)}" for code, severity, heading, group in rest)
        lines.append("")
        lines.append(self.totals_line(len(groups)))
        if self.note:  # said again beside the totals, which are what a person reads last
            lines.append(self.note)
        if self.schema_failed:
            lines.append("The file does not fit the census schema: COLLECT would reject it before running its "
                         "rules. Fix the problems marked XSD or XML first (or import it into the workbook).")
        return "\n".join(lines)

    def totals_line(self, rules: int | None = None) -> str:
        """``"In all: 3 errors, 1 query (2 rules)."``"""
        s = self.summary
        rules = len(grouped(self.findings)) if rules is None else rules
        return f"In all: {totals_text(s['errors'], s['queries'])} ({plural(rules, 'rule')})."


def _group_line(code: str, severity: Severity, heading: str, group: list[Finding]) -> str:
    return f"{code} {severity} x{len(group):,}: {heading}"


def _own(message: str, heading: str) -> str:
    """What a finding says beyond its group's heading: ``": 'male' is the name of code M..."``, or nothing."""
    if message == heading:
        return ""
    if heading and message.startswith(heading):
        return ": " + message[len(heading):].lstrip(":. ")
    return f": {message}"


def _common_heading(messages: set[str]) -> str | None:
    """The DfE message a group's findings share where some add what they found (a value that is not a code)
    after it: the shortest message that begins every other, else their common beginning up to the end of a
    sentence or a colon. None where they share nothing."""
    shortest = min(messages, key=len)
    if all(m.startswith(shortest) for m in messages):
        return shortest
    prefix = os.path.commonprefix(list(messages))
    cut = max(prefix.rfind(": "), prefix.rfind(". ") + 1 if prefix.rfind(". ") >= 0 else -1)
    return prefix[:cut].rstrip() or None if cut > 0 else None


def _who(f: Finding) -> str:
    """``"child C0012, "`` unless the location names the child already."""
    return f"child {quoted(f.child)}, " if f.child and not names_child(f.where, quoted(f.child)) else ""


def _more_rules(rest: list) -> str:
    n = sum(len(g[3]) for g in rest)
    return f"{plural(len(rest), 'more rule')}, {plural(n, 'finding')}"


def _headings() -> dict[str, str]:
    """What each of our own codes means (their findings' messages differ, one per item or value): the
    declarations of :mod:`cin_xl.validation.codes`; FILL-IN headed by what the rows are."""
    from cin_xl.validation import codes
    from cin_xl.validation.registry import declared

    own = (codes.X_MISSING, codes.X_CODE, codes.X_DATE, codes.X_BOOL, codes.X_NUMBER, codes.X_FORMAT,
           codes.X_READ, codes.XML, codes.XSD, codes.X_SCHEMA)
    return {**{code: declared(code).message for code in own},
            codes.FILL_IN: "Cells to fill in, carried from last year's return"}


def grouped(findings: list[Finding]) -> list[tuple[str, Severity, str, list[Finding]]]:
    """Findings by code and severity, errors first then the most frequent: (code, severity, heading,
    findings). The heading is the findings' message when they share one (every DfE rule), else what
    the code means (a structural code such as X-MISSING, whose findings each name their item)."""
    groups: dict[tuple[str, Severity], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.code, f.severity), []).append(f)
    out = []
    headings = _headings()
    for (code, severity), group in groups.items():
        messages = {f.message for f in group}
        if len(messages) == 1:
            heading = group[0].message
        else:  # what the code means; a DfE rule's own message where its findings add to it
            heading = headings.get(code) or _common_heading(messages) or _heading(code)
        out.append((code, severity, heading, group))
    out.sort(key=lambda g: (g[1] is not Severity.ERROR, -len(g[3]), g[0]))
    return out


def _heading(code: str) -> str:
    """What a code means, for the heading of findings whose messages differ: our own codes' declared
    message (a continuity check that fired twice is headed by its message, not its code)."""
    from cin_xl.validation.registry import REGISTRY

    known = _headings().get(code) or next((c.message for c in REGISTRY.get(code, ()) if c.message), None)
    return known or code


def counts_by_code(findings: list[Finding]) -> Counter:
    return Counter(f.code for f in findings)
