"""Validation reports: the findings of one file, summarised for people and written for machines."""

from __future__ import annotations

import csv
import io
import orjson
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Severity, count
from .xml.writer import write_atomic
from .years import CensusYear

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
        # orjson: a tenth of the time of the json module on tens of thousands of findings
        return orjson.dumps(self.as_dict(), option=orjson.OPT_INDENT_2) + b"\n"

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for f in self.findings:
            d = f.as_dict()
            d["cells"] = " ".join(d["cells"])
            writer.writerow(["" if d[c] is None else d[c] for c in CSV_COLUMNS])
        return out.getvalue().encode("utf-8-sig")  # BOM so Excel opens it as UTF-8

    def write(self, path: str | Path) -> None:
        path = Path(path)
        data = self.to_csv() if path.suffix.lower() == ".csv" else self.to_json()
        write_atomic(path, data)

    def text(self, examples: int = 3) -> str:
        """A readable summary: counts per rule with the first few examples of each."""
        lines = [f"{self.source}: census {self.year.label}, {self.children} children"]
        s = self.summary
        if not self.findings:
            lines.append("No errors or queries found.")
            return "\n".join(lines)
        lines.append(f"{s['errors']} error(s), {s['queries']} query(ies)")
        if self.schema_failed:
            lines.append("The file does not fit the census schema: COLLECT would reject it before running its "
                         "rules. Fix the problems marked XSD or XML first (or import it into the workbook).")
        by_code: dict[str, list[Finding]] = {}
        for f in self.findings:
            by_code.setdefault(f.code, []).append(f)
        order = sorted(by_code, key=lambda c: (by_code[c][0].severity is not Severity.ERROR, -len(by_code[c]), c))
        for code in order:
            group = by_code[code]
            first = group[0]
            lines.append(f"\n{code} {first.severity} x{len(group)}: {first.message}")
            for f in group[:examples]:
                who = f"child {f.child}, " if f.child else ""
                lines.append(f"    {who}{f.where}")
            if len(group) > examples:
                lines.append(f"    ... and {len(group) - examples} more")
        return "\n".join(lines)


def counts_by_code(findings: list[Finding]) -> Counter:
    return Counter(f.code for f in findings)
