"""Golden results: what the code gives on fixed census files, to show that speed work changes nothing.

``python -m tests.golden.cases [CASE ...]`` (from the repository root) writes, for a clean and a messy return
of every readable year, the input XML (``<case>.xml``) and what the code made of it: the findings of
``validate`` on the XML and on the imported workbook, the workbook's values, and the XML exported
from that workbook (``<case>.json``, ``<case>.export.xml`` where it differs from the input). It was run once, before the speed work,
and the files are committed; ``tests/core/test_golden.py`` checks the code still gives the same. The
inputs are kept as files so the check does not depend on the generator staying the same.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from cin_xl.census.years import READABLE_YEARS, SUPPORTED_YEARS, CensusYear, supported
from cin_xl.jobs.validate import validate_file
from cin_xl.synthetic.generate import generate
from cin_xl.xml import read_xml
from cin_xl.xml.writer import to_xml_bytes

HERE = Path(__file__).resolve().parent
CHILDREN = 100
#: the export's header date and time (otherwise the time of the run)
EXPORTED_AT = datetime(2026, 4, 20, 10, 0)


#: cases written when the generator did not yet know their year: made from the next year's return
MADE_FROM_NEXT_YEAR = ("2023-24",)


def cases() -> list[str]:
    return [f"{year}-{kind}" for year in READABLE_YEARS for kind in ("clean", "messy")]


def input_xml(case: str) -> bytes:
    """The input of a case, made with the generator of the time (only :func:`write` calls this)."""
    year, kind = case.rsplit("-", 1)
    mistakes = 0.85 if kind == "messy" else 0.0
    old = CensusYear.parse(year)
    if year in MADE_FROM_NEXT_YEAR:
        census = generate(CHILDREN, "2024-25", seed=7, mistakes=mistakes)
        census.header.collection_details.year = old.xml_year
        census.header.collection_details.reference_date = old.reference_date
        for child in census.children:
            child.identifiers.gender_current = {"M": "1", "F": "2", "U": "0"}.get(child.identifiers.sex, "9")
            child.identifiers.sex = None
        return to_xml_bytes(census, old, check=False)
    return to_xml_bytes(generate(CHILDREN, year, seed=7, mistakes=mistakes), old, check=False)


def plain(value: object) -> object:
    """A cell value as JSON, keeping its type visible."""
    if isinstance(value, datetime):
        return f"datetime {value.isoformat()}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    return value


def workbook_values(path: Path) -> dict[str, list[list[object]]]:
    from openpyxl import load_workbook

    from cin_xl.workbook.reader import is_needed_sheet

    wb = load_workbook(path, data_only=True)
    try:
        return {ws.title: [[plain(v) for v in row] for row in ws.iter_rows(values_only=True)]
                for ws in wb.worksheets if is_needed_sheet(ws.title) or ws.title == "Issues"}
    finally:
        wb.close()


def findings(path: Path) -> list[dict]:
    return [f.as_dict() for f in validate_file(path).findings]


def results(xml_path: Path, tmp: Path) -> tuple[dict, bytes | None]:
    """What the code makes of one input: findings, XML read and written again, workbook, export."""
    from cin_xl.workbook.export import prepare_for_export
    from cin_xl.workbook.reader import read_workbook
    from cin_xl.workbook.writer import write_workbook

    read = read_xml(xml_path)
    out: dict = {"xml_rewritten": to_xml_bytes(read.census, read.year, check=False).decode("utf-8")}
    book = tmp / "census.xlsx"
    write_workbook(book, read.census, read.year, issues=read.problems, force=True)
    out["workbook"] = workbook_values(book)
    if read.year.label not in SUPPORTED_YEARS:  # a year that can only be read and imported
        return out, None
    year = supported(read.year)
    out["xml_findings"] = findings(xml_path)
    out["workbook_findings"] = findings(book)
    census = prepare_for_export(read_workbook(book).census, year, now=EXPORTED_AT)
    return out, to_xml_bytes(census, year, check=False)


def write(only: list[str] | None = None) -> None:
    """Write the files of every case, or of the cases named (a year new to the code, without touching the rest)."""
    import tempfile

    for case in only or cases():
        xml_path = HERE / f"{case}.xml"
        xml_path.write_bytes(input_xml(case))
        with tempfile.TemporaryDirectory() as tmp:
            out, exported = results(xml_path, Path(tmp))
        rewritten = out.pop("xml_rewritten")
        # the input is the writer's output, so reading and writing it again gives it back (checked here)
        assert rewritten.encode("utf-8") == xml_path.read_bytes(), case
        (HERE / f"{case}.json").write_text(json.dumps(out, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
        if exported is not None and exported != xml_path.read_bytes():  # else the test compares with the input
            (HERE / f"{case}.export.xml").write_bytes(exported)
        print(case, len(out.get("xml_findings", ())), "findings")


if __name__ == "__main__":
    import sys

    write(sys.argv[1:])
