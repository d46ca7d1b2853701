"""Next year's return from this year's: the children the new census must include, carried forward.

Every child with an episode open at last year's reference date must be in the new census, with that
episode. :func:`carry_forward` copies each such episode with what the new year's census still asks
for: the referral, the child protection conference recorded on the episode, assessments not yet
authorised, section 47 enquiries still awaiting their conference, and the CIN and child protection
plans still open, with their reviews. Work finished last year (authorised assessments, concluded
enquiries, ended plans) belongs to last year's census: the new year's rules (8696, 8715, 4013, 8930)
would reject it. Closed episodes and children with nothing open are left out.

Items are copied by the spec of each year (:func:`cin_xl.census.spec.fields_of`): an item retired in the
new year is dropped and listed, an item new in it is left blank and listed, so that the workbook can
mark it to fill in. Nothing here knows which year changed what.

What is left to fill in on a carried record (the authorisation date of an assessment under way, the
conference of an enquiry, a required item new in the year) is declared once, in
:mod:`cin_xl.validation.fill_in`: the workbook marks those rows ``carried`` (its Marks column), and every
validation says again what is still blank there, with the findings that arise only from the blanks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildCharacteristics,
    ChildIdentifiers,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    CollectionDetails,
    Header,
    Node,
    Section47,
    Source,
)
from cin_xl.census.open_cases import distinct_episodes, is_carried, records_by_child, still_open
from cin_xl.census.spec import Group, fields_of
from cin_xl.census.spec.codesets import SEX_OF_GENDER
from cin_xl.census.values import is_missing
from cin_xl.census.years import CensusYear
from cin_xl.perf import no_gc
from cin_xl.validation.codes import FILL_IN  # the marks of cells to fill in before the return is complete
from cin_xl.validation.fill_in import to_fill

N = TypeVar("N", bound=Node)


@dataclass
class Carried:
    census: CensusReturn
    year: CensusYear
    last_year: CensusYear
    #: what was carried and what was left out, by kind, for the command's summary
    carried: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    #: (record class name, item label): items of the new year's records that last year did not have
    new_items: list[tuple[str, str]] = field(default_factory=list)
    #: item labels of last year dropped because the new year has retired them
    retired_items: list[tuple[str, str]] = field(default_factory=list)
    #: (record, field, why): cells to fill in (new items; work open at last year's reference date)
    to_fill: list[tuple[Node, str, str]] = field(default_factory=list)
    #: the carried records with cells to fill in (marked ``carried`` in the workbook)
    records: list[Node] = field(default_factory=list)


class _Copier:
    """Copies records from last year's spec to the new year's, noting new and retired items."""

    def __init__(self, carried: Carried):
        self.c = carried
        #: class -> the items to copy, and the items new in the year, worked out once per class
        self.plans: dict[type, tuple[str, ...]] = {}
        self.new: dict[type, set[str]] = {}

    def plan(self, cls: type) -> tuple[str, ...]:
        if cls not in self.plans:
            old = {f.name: f for f in fields_of(cls, self.c.last_year) if not isinstance(f.spec, Group)}
            new = {f.name: f for f in fields_of(cls, self.c.year) if not isinstance(f.spec, Group)}
            self.c.new_items += [(cls.__name__, f.spec.label) for name, f in new.items() if name not in old]
            self.c.retired_items += [(cls.__name__, f.spec.label) for name, f in old.items() if name not in new]
            self.plans[cls] = tuple(name for name in new if name in old)
            self.new[cls] = {name for name in new if name not in old}
        return self.plans[cls]

    def copy(self, node: Node, cls: type[N], **children) -> N:
        values = {}
        for name in self.plan(cls):
            value = getattr(node, name)
            values[name] = list(value) if isinstance(value, list) else value
        for new_name, (old_name, meaning) in _SAME_MEANING.items():
            # a new item replacing a retired one takes its value by meaning, where there is one (else: to fill in)
            if new_name in self.new[cls] and getattr(node, old_name, None) in meaning:
                values[new_name] = meaning[getattr(node, old_name)]
        return cls(**values, **children)


#: new item -> (the retired item it replaces, their codes of the same meaning); a value without one is left to fill in
_SAME_MEANING: dict[str, tuple[str, dict[str, str]]] = {"sex": ("gender_current", SEX_OF_GENDER)}


def _open_plans(plans, cls, what: str, reference_date: date, copier, carried: Carried) -> list:
    """Copies of the ``plans`` still open at ``reference_date``, counted as carried or ended."""
    kept = []
    for plan in plans:
        if still_open(plan.end_date, reference_date):
            kept.append(copier.copy(plan, cls))
            carried.carried[what] += 1
        else:
            carried.left_out[f"{what} ended"] += 1
    return kept


def carry_forward(last: CensusReturn, last_year: CensusYear, year: CensusYear) -> Carried:
    """The children of ``last`` (census ``last_year``) the census of ``year`` must include, as a new return."""
    with no_gc():
        return _carry_forward(last, last_year, year)


def _carry_forward(last: CensusReturn, last_year: CensusYear, year: CensusYear) -> Carried:
    ref = last_year.reference_date
    carried = Carried(CensusReturn(), year, last_year)
    copier = _Copier(carried)
    for cls in (ChildIdentifiers, ChildCharacteristics, CINDetails, Assessment, Section47, CINPlan,
                ChildProtectionPlan):
        copier.plan(cls)  # new and retired items are listed even when no record of the kind is carried
    source = last.header.source
    carried.census.header = Header(
        collection_details=CollectionDetails(year=year.xml_year, reference_date=year.reference_date),
        source=Source(lea=source.lea, software_code=source.software_code, release=source.release,
                      serial_no=source.serial_no))
    for records in records_by_child(last.children):  # a child twice in last year's return is carried once
        child = records[0]
        if len(records) > 1:
            carried.left_out["repeated records of a child (merged)"] += len(records) - 1
        episodes = distinct_episodes(e for r in records for e in r.cin_details if is_carried(e, ref))
        carried.left_out["closed episodes"] += sum(not is_carried(e, ref) for r in records for e in r.cin_details)
        if not episodes:
            carried.left_out["children with nothing open"] += 1
            continue
        carried.carried["children"] += 1
        new_episodes = []
        for episode in episodes:
            carried.carried["episodes"] += 1
            assessments = []
            for a in episode.assessments:
                if is_missing(a.authorisation_date):
                    assessments.append(copier.copy(a, Assessment))
                    carried.carried["assessments under way"] += 1
                else:
                    carried.left_out["assessments authorised"] += 1
            section47s = []
            for s in episode.section47s:
                if is_missing(s.date_of_initial_cpc) and s.icpc_not_required is False:
                    section47s.append(copier.copy(s, Section47))
                    carried.carried["section 47 enquiries awaiting a conference"] += 1
                else:
                    carried.left_out["section 47 enquiries concluded"] += 1
            cin_plans = _open_plans(episode.cin_plans, CINPlan, "CIN plans", ref, copier, carried)
            cp_plans = _open_plans(episode.child_protection_plans, ChildProtectionPlan, "child protection plans",
                                   ref, copier, carried)
            reviews = sum(len(p.review_dates) for p in cp_plans)
            if reviews:
                carried.carried["reviews"] += reviews
            if episode.pre_proceedings is not None:
                carried.left_out["pre-proceedings of last year"] += 1
            new_episodes.append(copier.copy(episode, CINDetails, assessments=assessments, section47s=section47s,
                                            cin_plans=cin_plans, child_protection_plans=cp_plans))
        identifiers = copier.copy(child.identifiers, ChildIdentifiers)
        characteristics = copier.copy(child.characteristics, ChildCharacteristics)
        carried.census.children.append(Child(identifiers=identifiers, characteristics=characteristics,
                                             cin_details=new_episodes))
    for child in carried.census.children:  # what is left to fill in: declared once, for validation too
        for record in _module_records(child):
            items = to_fill(record, year)
            if items:
                carried.records.append(record)
                carried.to_fill += [(item.node, item.name, item.message) for item in items]
    # groups of records new in the year (a whole sheet, such as pre-proceedings): listed, nothing to copy
    for group in fields_of(CINDetails, year):
        if isinstance(group.spec, Group) and group.name not in {f.name for f in fields_of(CINDetails, last_year)}:
            carried.new_items.append(("CINDetails", group.spec.label))
    return carried


def _module_records(child: Child) -> list[Node]:
    """The records of a child with a row of their own (not the groups flattened into the child's row)."""
    out: list[Node] = [child]
    for episode in child.cin_details:
        out += [episode, *episode.assessments, *episode.cin_plans, *episode.section47s,
                *episode.child_protection_plans]
    return out


# ---------------------------------------------------------------------------------------------
# The job: last year's XML in, next year's workbook out
# ---------------------------------------------------------------------------------------------


def _grids(rows, year) -> dict[str, list[list[object]]]:
    """The sheets of the workbook written from ``rows``, as the reader sees them (header row, then data),
    so that the records can be placed on their cells without reading the file back."""
    from cin_xl.workbook.layout import (
        ISSUES_HEADER,
        MARKS_HEADER,
        RETURN,
        RETURN_HEADERS,
        modules_for,
        return_rows,
        sheet_layout,
    )

    grids: dict[str, list[list[object]]] = {
        RETURN: [list(RETURN_HEADERS)] + [[r.label, rows.header.get(r.path)] for r in return_rows(year)]}
    for module in modules_for(year):
        layout = sheet_layout(module.sheet, year, rows.spread.get(module.sheet) or None)
        header = [c.header for c in layout.columns] + [ISSUES_HEADER, MARKS_HEADER]
        grids[module.sheet] = [header] + rows.sheets.get(module.sheet, [])
    return grids


def _walk(node, out: list) -> None:
    """Every record of a return, in order (to pair the carried records with those read back)."""
    from cin_xl.census.model import Node, record_fields

    out.append(node)
    for name in record_fields(type(node)):
        value = getattr(node, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, Node):
                _walk(item, out)


def _named(last: Path, output: Path) -> str:
    """Last year's return as the Return sheet names it: by its name when it is in the new workbook's folder (the
    two can move together), else by its full path."""
    where = last.resolve()
    return where.name if where.parent == output.resolve().parent else str(where)


def _notes(carried: Carried, last: Path, fill_ins: int) -> list[tuple[str, str]]:
    """The Start sheet's "From last year" rows: what was carried, what was left out, what is left to fill in."""
    ref = carried.last_year.reference_date.strftime("%d/%m/%Y")
    notes = [("Started from", f"{last.name}, the census {carried.last_year.label}: the children whose cases were "
                              f"open at {ref}, with their open work (cin-xl rollover).")]
    notes.append(("Carried", ", ".join(f"{n:,} {what}" for what, n in carried.carried.items()) or "nothing"))
    left = [f"{n:,} {what}" for what, n in carried.left_out.items() if n]
    notes.append(("Left out", (", ".join(left) + ": finished last year, they belong to last year's census")
                  if left else "nothing"))
    if carried.new_items:
        notes.append((f"New in {carried.year.label}", "Items to fill in: "
                       + ", ".join(dict.fromkeys(label for _, label in carried.new_items))))
    if carried.retired_items:
        notes.append((f"Retired in {carried.year.label}", "Dropped: "
                       + ", ".join(dict.fromkeys(label for _, label in carried.retired_items))))
    if fill_ins:
        cells = "1 cell" if fill_ins == 1 else f"{fill_ins:,} cells"
        notes.append(("To fill in", f"{cells} to fill in, marked FILL-IN and listed first on the Issues sheet (orange "
                                    "where a DfE rule fails until the cell is filled). A mark stays until its cell "
                                    "is filled: validate again once they are."))
    else:
        notes.append(("To fill in", "Nothing: every carried cell is filled."))
    return notes


def rollover(last: Path, output: Path, year_label: str | None = None) -> Carried:
    """Read ``last``, carry its open cases into ``year`` and write the marked workbook (whole or not at all).

    The workbook is checked as it is made, as validation checks it: the rows carried with cells to fill in
    are marked ``carried`` (the Marks column), the cells to fill in ``FILL-IN`` (Issues and Marks columns,
    Issues sheet) with the findings that arise only because they are blank taken into them; its Start sheet
    says what was carried and its Return sheet names last year's return. Returns the :class:`Carried`
    summary."""
    from cin_xl.census.years import CensusYear, UnknownYear, supported
    from cin_xl.errors import UnusableInput
    from cin_xl.jobs.load import Loaded, load
    from cin_xl.jobs.validate import rule_findings
    from cin_xl.progress import phase
    from cin_xl.safety.atomic import write_atomic
    from cin_xl.workbook.layout import PREVIOUS_RETURN_ITEM, return_rows
    from cin_xl.workbook.marks import plan_marks, row_height
    from cin_xl.workbook.reader import read_grids
    from cin_xl.workbook.template import build_workbook
    from cin_xl.workbook.writer import census_rows

    if last.suffix.lower() != ".xml":
        raise UnusableInput(f"{last}: rollover reads last year's census XML (export the workbook first)")
    macro = output.suffix.lower() == ".xlsm"  # the suffix picks the format: .xlsm has the Excel buttons
    if output.suffix.lower() != ".xlsx" and not macro:
        raise UnusableInput(f"{output}: rollover writes a workbook, .xlsx (or .xlsm with the Excel buttons)")
    loaded = load(last)  # shows its own progress (cin_xl.progress)
    try:
        year = supported(year_label or CensusYear(loaded.year.first + 1))
    except UnknownYear as exc:
        raise UnusableInput(f"{last} is the census {loaded.year.label}: {exc}") from None
    before = CensusYear(year.first - 1)
    if loaded.year != before:
        raise UnusableInput(f"{last} is the census {loaded.year.label}, not {before.label}: rollover to "
                            f"{year.label} needs the return of the year before")
    with phase("Carrying the open cases"):
        carried = carry_forward(loaded.census, loaded.year, year)
    rows = census_rows(carried.census, year)
    previous = next(r.path for r in return_rows(year) if r.item is PREVIOUS_RETURN_ITEM)
    rows.header[previous] = _named(last, output)
    grids = _grids(rows, year)
    read = read_grids(dict(grids), year)
    written: list[Node] = []
    back: list[Node] = []
    _walk(carried.census, written)
    _walk(read.census, back)
    located = {id(a): b for a, b in zip(written, back)} if len(written) == len(back) else {}
    for record in carried.records:  # as validation reads them from the Marks column of the file
        again = located.get(id(record))
        origin = again.origin if again is not None else None
        if origin is not None and origin.sheet in read.sheets and origin.row:
            read.carried.append(again)  # type: ignore[arg-type]
            read.sheets[origin.sheet].carried.add(origin.row)
    findings = rule_findings(Loaded.of_workbook(read, output.parent))
    plan = plan_marks(read, findings, {name: len(grid) for name, grid in grids.items()})
    for name, sheet in plan.sheets.items():
        table = rows.sheets.get(name)
        if table is None:
            continue
        heights = rows.heights.setdefault(name, {})
        for offset, (issue, mark, height) in enumerate(zip(sheet.issues, sheet.marks, sheet.heights)):
            index = sheet.first_row + offset - 2  # data rows start on sheet row 2
            if 0 <= index < len(table) and (issue or mark):
                table[index] = table[index] + [issue or None, mark or None]  # the Issues and Marks columns
            if height is not None and height > (row_height("x") or 0):
                heights[sheet.first_row + offset] = height
    fill_ins = sum(1 for f in findings if f.code == FILL_IN)
    with phase(f"Writing {output.name}"):
        conf = None
        if macro:  # the buttons' settings sheet, as the macro-enabled template has it
            from cin_xl.workbook.macros.xlsm import xlwings_conf

            conf = xlwings_conf()
        data = build_workbook(year, rows, issues=plan.findings, notes=_notes(carried, last, fill_ins),
                              summary=plan.summary, xlwings_conf=conf)
        if macro:
            from cin_xl.workbook.macros.xlsm import macro_workbook

            data = macro_workbook(data)
    write_atomic(output, data)
    return carried
