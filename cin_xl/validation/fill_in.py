"""The cells of a new year's workbook still to fill in, and the findings that arise only because they are blank.

Rollover (:mod:`cin_xl.jobs.rollover`) carries last year's open work into the new year with the cells it
cannot fill left blank: the authorisation date of an assessment under way at last year's reference date,
the conference date of a section 47 enquiry awaiting its conference, and every required item new in the
year. Until they are filled, the DfE rules see an open assessment that started last year (8736, 8670Q)
or an enquiry with no conference (8740, 8675Q) and put their findings on the start date, a date that is
right. This module says instead what to do, on the cell to fill:

- :func:`to_fill` lists the items of a carried record that are still blank, with what to do (a
  ``FILL-IN`` finding: "Fill in the authorisation date of this assessment, carried from last year");
- :func:`fill_in` is a step after the rules (they stay pure): it runs the rules again on the children
  concerned with each blank item given a consistent stand-in value, and a finding that goes away is
  one that arises only because the item is blank. Such findings are taken into the ``FILL-IN`` finding
  of their item, which keeps their severity (an error stays an error: export is refused until the cell
  is filled) and names their codes.

Which records were carried is the workbook's to remember (the Marks column's ``carried`` token, see
:data:`cin_xl.workbook.layout.CARRIED_MARK`); nothing here knows about workbooks or census years by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import cast

from cin_xl.census.model import Assessment, CensusReturn, Child, Node, Section47, record_fields
from cin_xl.census.spec import CODE_SETS, Kind, fields_of
from cin_xl.census.values import is_missing
from cin_xl.census.years import CensusYear
from cin_xl.validation.codes import FILL_IN
from cin_xl.validation.findings import Finding, Severity, locate

#: what each kind of carried open work leaves to fill in: (record class) -> (field, what to do, the other
#: fields that count as filling it in when True); ``{date}`` is last year's reference date
OPEN_WORK: dict[type[Node], tuple[str, str, tuple[str, ...]]] = {
    Assessment: ("authorisation_date", "Fill in the authorisation date of this assessment, carried from last year's "
                 "return (under way at {date}), and its factors", ()),
    Section47: ("date_of_initial_cpc", "Fill in the date of the initial child protection conference of this section 47 "
                "enquiry, carried from last year's return (awaiting it at {date}), or set ICPC not required to Yes",
                ("icpc_not_required",)),
}
_KINDS = {"Child": "child", "ChildIdentifiers": "child", "ChildCharacteristics": "child", "CINDetails": "referral",
          "CINPlan": "CIN plan", "ChildProtectionPlan": "child protection plan", "PreProceedings": "pre-proceedings"}


@dataclass
class ToFill:
    """A blank cell of a carried record: the record (or its flattened part), the field's name, and what to do."""

    node: Node
    name: str
    message: str
    #: values that fill the item in consistently, for finding what its blank causes (empty: not tried)
    stand_in: dict[str, object] = field(default_factory=dict)


@cache
def _new_required(cls: type, year: CensusYear) -> tuple[tuple[str, str, object], ...]:
    """(field, label, stand-in value) of the required items of ``cls`` in ``year`` that the year before lacked."""
    before = {f.name for f in fields_of(cls, CensusYear(year.first - 1))}
    out = []
    for f in fields_of(cls, year):
        if f.is_group or f.name in before or not f.item.required:
            continue
        out.append((f.name, f.item.label, _stand_in_value(f.item, year)))
    return tuple(out)


def _stand_in_value(item, year: CensusYear) -> object:
    """A value of the item's kind that is consistent with the year (None: none fits every record)."""
    if item.kind is Kind.DATE:
        return year.reference_date
    if item.kind is Kind.BOOL:
        return False
    if item.kind is Kind.INT:
        return 0
    if item.kind is Kind.CODE and item.codeset:
        codes = [c.code for c in CODE_SETS[item.codeset].for_year(year)]
        if codes:
            return [codes[0]] if item.many else codes[0]
    return None


def _parts(node: Node) -> list[Node]:
    """The record and the groups flattened into its row (a child's identifiers and characteristics)."""
    out = [node]
    origin = node.origin
    for name in record_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node) and (origin is None or value.origin is None
                                        or (value.origin.sheet, value.origin.row) == (origin.sheet, origin.row)):
            out.append(value)
    return out


def to_fill(node: Node, year: CensusYear) -> list[ToFill]:
    """The items of ``node``, a record carried from the year before ``year``, that are still blank."""
    out: list[ToFill] = []
    last_reference = CensusYear(year.first - 1).reference_date.strftime("%d/%m/%Y")
    work = OPEN_WORK.get(type(node))
    if work is not None:
        name, what, also = work
        if is_missing(getattr(node, name)) and not any(getattr(node, a) is True for a in also):
            out.append(ToFill(node, name, what.format(date=last_reference), {name: year.reference_date}))
    for part in _parts(node):
        for name, label, value in _new_required(cast(type, type(part)), year):
            if is_missing(getattr(part, name)):
                kind = _KINDS.get(type(part).__name__, "record")
                out.append(ToFill(part, name, f"Fill in {label}, new in the {year.label} census, for this {kind} "
                                              "carried from last year's return",
                                  {name: value} if value is not None else {}))
    return out


# ---------------------------------------------------------------------------------------------
# The step after the rules
# ---------------------------------------------------------------------------------------------


def _key(f: Finding) -> tuple:
    return (f.code, f.severity, f.message, f.child, f.sheet, f.row, f.cells, f.path, f.line)


@cache
def _group_names(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` that hold records (groups), in any year."""
    from cin_xl.census.spec import Group

    return tuple(name for name, f in record_fields(cls).items() if any(isinstance(m, Group) for m in f.metadata))


def _records(node: Node, out: list[Node]) -> list[Node]:
    """``node`` and every record under it, in order."""
    out.append(node)
    for name in _group_names(cast(type, type(node))):
        value = getattr(node, name)
        if value.__class__ is list:
            for item in value:
                _records(item, out)
        elif value is not None:
            _records(value, out)
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fill_in(census: CensusReturn, year: CensusYear, carried: Iterable[Node], findings: list[Finding],
            run: Callable[[CensusReturn], list[Finding]]) -> list[Finding]:
    """``findings`` with a ``FILL-IN`` finding on each blank cell of the ``carried`` records, and every finding
    that arises only because such a cell is blank taken into it.

    ``run`` gives the findings of a return (the rules, as they made ``findings``): it is run on the children
    holding blank cells as they are, and with the cells given stand-in values; what the second run no longer
    finds arises only from the blanks. Findings are never changed, only replaced by what to do."""
    items = [item for node in carried for item in to_fill(node, year)]
    if not items:
        return findings
    # the children holding them, as read and as copies with the stand-ins
    holder: dict[int, Child] = {}  # id of each record -> its child
    for child in census.children:
        for record in _records(child, []):
            holder[id(record)] = child
    children: list[Child] = []
    seen: set[int] = set()
    for item in items:
        held = holder.get(id(item.node))
        if held is not None and id(held) not in seen:
            seen.add(id(held))
            children.append(held)
    caused: set[tuple] = set()
    if any(item.stand_in for item in items) and children:
        as_is = run(CensusReturn(header=census.header, children=children))
        # the stand-ins go into the records for the second run only, and every value is put back as it was
        # (a copy of the children would cost more than the rules: their origins are large)
        saved = [(item.node, name, getattr(item.node, name)) for item in items for name in item.stand_in]
        try:
            for item in items:
                for name, value in item.stand_in.items():
                    setattr(item.node, name, list(value) if isinstance(value, list) else value)
            filled = {_key(f) for f in run(CensusReturn(header=census.header, children=children))}
        finally:
            for node, name, value in reversed(saved):
                setattr(node, name, value)
        caused = {_key(f) for f in as_is} - filled
    # each finding caused by a blank, to the blank it belongs to: on its row, else of its child
    by_row: dict[tuple, list[ToFill]] = {}
    by_child: dict[str, list[ToFill]] = {}
    cells: dict[int, str | None] = {}
    for item in items:
        located = locate(Finding(FILL_IN, Severity.QUERY, ""), item.node, (item.name,))
        cells[id(item)] = located.cells[0] if located.cells else None
        by_row.setdefault((located.sheet, located.row), []).append(item)
        held = holder.get(id(item.node))
        if held is not None and isinstance(held.identifiers.la_child_id, str):
            by_child.setdefault(held.identifiers.la_child_id, []).append(item)
    taken: dict[int, list[Finding]] = {}
    kept: list[Finding] = []
    for f in findings:
        owner: ToFill | None = None
        on_row = by_row.get((f.sheet, f.row)) if f.sheet else None
        if on_row:
            same_cell = [i for i in on_row if cells[id(i)] in f.cells]
            if same_cell and f.code.startswith("X-"):  # the blank cell itself reported (a required item)
                owner = same_cell[0]
            elif _key(f) in caused:
                owner = (same_cell or on_row)[0]
        elif _key(f) in caused and f.child in by_child:
            owner = by_child[f.child][0]
        if owner is None:
            kept.append(f)
        else:
            taken.setdefault(id(owner), []).append(f)
    out: list[Finding] = []
    for item in items:
        because = taken.get(id(item), [])
        severity = Severity.ERROR if any(f.severity is Severity.ERROR for f in because) else Severity.QUERY
        message = item.message
        codes = sorted(set(f.code for f in because if not f.code.startswith("X-")))
        if codes:
            message += f". Until it is filled, {'rule' if len(codes) == 1 else 'rules'} {_and(codes)} fail"
        elif because:
            message += ". It is required"
        if severity is Severity.ERROR:
            message += " (export is refused until then)"
        held = holder.get(id(item.node))
        child_id = held.identifiers.la_child_id if held is not None else None
        out.append(locate(Finding(FILL_IN, severity, message,
                                  child=child_id if isinstance(child_id, str) else None), item.node, (item.name,)))
    return out + kept


__all__ = ["OPEN_WORK", "ToFill", "to_fill", "fill_in"]
