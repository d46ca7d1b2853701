"""The findings report: the validation results of one file, summarised for people and written for machines
(JSON, CSV).

Not to be confused with the key figures (:mod:`cin_xl.reports.figures`), which ``cin-xl report``, the HTML
report and the Summary sheet show."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cin_xl.census.years import CensusYear
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.text_guard import csv_field, quoted
from cin_xl.validation.findings import Finding, Severity, count, plural, totals_text

CSV_COLUMNS = ["code", "severity", "message", "child", "sheet", "row", "cells", "path", "line"]


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

    def as_dict(self) -> dict:
        return {"year": self.year.label, "source": self.source, "summary": self.summary,
                "findings": [f.as_dict() for f in self.findings]}

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
            writer.writerow(["" if d[c] is None else csv_field(d[c]) for c in CSV_COLUMNS])
        return out.getvalue().encode("utf-8-sig", "backslashreplace")  # BOM so Excel opens it as UTF-8

    def write(self, path: str | Path) -> None:
        path = Path(path)
        data = self.to_csv() if path.suffix.lower() == ".csv" else self.to_json()
        write_atomic(path, data)

    def text(self, examples: int = 3) -> str:
        """A readable summary: counts per rule with the first few examples of each."""
        lines = [f"{self.source}: census {self.year.label}, {plural(self.children, 'child')}"]
        s = self.summary
        if not self.findings:
            lines.append("No errors or queries found.")
            return "\n".join(lines)
        lines.append(totals_text(s["errors"], s["queries"]))
        if self.schema_failed:
            lines.append("The file does not fit the census schema: COLLECT would reject it before running its "
                         "rules. Fix the problems marked XSD or XML first (or import it into the workbook).")
        for code, severity, heading, group in grouped(self.findings):
            lines.append(f"\n{code} {severity} x{len(group)}: {heading}")
            for f in group[:examples]:
                who = f"child {quoted(f.child)}, " if f.child else ""
                own = f": {f.message}" if f.message != heading else ""
                lines.append(f"    {who}{f.where}{own}")
            if len(group) > examples:
                lines.append(f"    ... and {len(group) - examples} more")
        return "\n".join(lines)


def _headings() -> dict[str, str]:
    """What each of our own codes means (their findings' messages differ, one per item or value)."""
    from cin_xl.validation.structural import STRUCTURAL_CODES

    return {**STRUCTURAL_CODES, "X-READ": "Part of the workbook could not be read",
            "XML": "Part of the census XML could not be read", "XSD": "The file breaks the census schema",
            "X-SCHEMA": "The return does not fit the census schema"}


def grouped(findings: list[Finding]) -> list[tuple[str, Severity, str, list[Finding]]]:
    """Findings by code and severity, errors first then the most frequent: (code, severity, heading,
    findings). The heading is the findings' message when they share one (every DfE rule), else what
    the code means (a structural code such as X-MISSING, whose findings each name their item)."""
    groups: dict[tuple[str, Severity], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.code, f.severity), []).append(f)
    out = []
    for (code, severity), group in groups.items():
        messages = {f.message for f in group}
        heading = group[0].message if len(messages) == 1 else _heading(code)
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
