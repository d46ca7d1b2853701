"""Structural checks, driven by the spec: run before the rules, on every item of every record.

They catch what the DfE rules take for granted: a required item missing, a value that is not a
valid code, a date or number that could not be read, text in the wrong format. Where a DfE rule
reports the same value, its finding replaces the structural one (see :mod:`cin_xl.validation`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import cache

from cin_xl.census.model import CensusReturn, Child, Node
from cin_xl.census.spec import Item, Kind, fields_of
from cin_xl.census.values import unread_date_hint
from cin_xl.census.years import CensusYear
from cin_xl.safety.text_guard import quoted_repr
from cin_xl.validation.codes import X_BOOL, X_CODE, X_DATE, X_FORMAT, X_MISSING, X_NUMBER
from cin_xl.validation.registry import declared

# the codes, declared once with what each means (for `cin-xl rules` and the findings report)
MISSING, CODE, DATE, BOOL, NUMBER, FORMAT = X_MISSING, X_CODE, X_DATE, X_BOOL, X_NUMBER, X_FORMAT

#: what each structural code means
STRUCTURAL_CODES = {code: declared(code).message for code in (MISSING, CODE, DATE, BOOL, NUMBER, FORMAT)}


def _name(item: Item) -> str:
    return f"{item.label} ({item.xml}{', ' + item.ncode if item.ncode else ''})"


#: a code set of at most this many codes is named in full where a value is not one of them; a longer one is
#: pointed to on the Lists sheet
SHORT_CODE_SET = 10
#: a code set this short is named with what each code means
LABELLED_CODE_SET = 5


def not_a_code(item: Item, value: object, valid_codes: frozenset[str], in_workbook: bool) -> str:
    """What is wrong with a value that is not one of the item's codes, and what to type instead:
    ``'male' is the name of code M, not the code: type M``; ``'X' is not a code: the codes are M (Male), F
    (Female) or U (Unknown or unborn)``; for a long code set, where its codes are listed."""
    codes = [c for c in (item.code_set.codes if item.code_set else ()) if c.code in valid_codes]
    text = str(value).strip()
    folded = " ".join(text.split()).casefold()
    for c in codes:
        if c.code.casefold() == folded:
            return f"{quoted_repr(value)} is not a code as written: type {c.code}"
        if c.label and c.label.casefold() == folded:
            return f"{quoted_repr(value)} is the name of code {c.code}, not the code: type {c.code}"
    if len(codes) <= SHORT_CODE_SET:
        shown = [f"{c.code} ({c.label})" if c.label and len(codes) <= LABELLED_CODE_SET else c.code for c in codes]
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
        return f"{quoted_repr(value)} is not a code: the codes are {listed}"
    if in_workbook:
        return (f"{quoted_repr(value)} is not a code: pick one from the dropdown (the {len(codes)} codes are on the "
                "Lists sheet)")
    return (f"{quoted_repr(value)} is not a code: the {len(codes)} codes are on the Lists sheet of the census "
            "workbook (cin-xl template makes one)")


@cache
def _coded(cls: type, name: str, year: CensusYear) -> tuple[Item, frozenset[str]] | None:
    """The coded item of field ``name`` of a record class, with its valid codes in ``year``; None otherwise."""
    for f in fields_of(cls, year):
        if f.name == name and isinstance(f.spec, Item) and f.spec.kind is Kind.CODE and f.spec.code_set:
            return f.spec, f.spec.code_set.valid(year)
    return None


def bad_codes(node: Node, fields: tuple[str, ...], year: CensusYear) -> list[str]:
    """What is wrong with each value of ``fields`` of ``node`` that is not a code (a DfE rule's finding on a
    coded item says it beside the DfE message): empty where every value is a code, or blank."""
    out = []
    in_workbook = node._origin is not None and node._origin.sheet is not None
    cls: type = node.__class__
    for name in fields:
        coded = _coded(cls, name, year)
        if coded is None:
            continue
        item, valid = coded
        value = getattr(node, name, None)
        for v in (value if isinstance(value, list) else (value,)):
            if v is None or v in valid or (isinstance(v, str) and not v.strip()):
                continue
            out.append(not_a_code(item, v, valid, in_workbook))
    return out


def _value_problem(item: Item, value: object, valid_codes: frozenset[str] | None,
                   in_workbook: bool = False) -> tuple[str, str] | None:
    kind = item.kind
    if kind is Kind.DATE:
        return None if isinstance(value, date) else (
            DATE, f"{_name(item)} is not a date: {quoted_repr(value)}: "
                  f"{unread_date_hint(value, in_workbook=in_workbook)}")
    if kind is Kind.CODE:
        if valid_codes is None or value in valid_codes:
            return None
        return CODE, f"{_name(item)}: {not_a_code(item, value, valid_codes, in_workbook)}"
    if kind is Kind.DATETIME and not isinstance(value, datetime):
        return DATE, f"{_name(item)} is not a date and time: {quoted_repr(value)}"
    if kind is Kind.BOOL and not isinstance(value, bool):
        return BOOL, f"{_name(item)} must be true or false, not {quoted_repr(value)}"
    if kind is Kind.INT and (not isinstance(value, int) or value < 0):
        return NUMBER, f"{_name(item)} must be a whole number, 0 or more, not {quoted_repr(value)}"
    if kind is Kind.TEXT and isinstance(value, str):
        if item.max_length and len(value) > item.max_length:
            return FORMAT, f"{_name(item)} is longer than {item.max_length} characters"
        if item.pattern and not re.fullmatch(item.pattern, value):
            return FORMAT, f"{_name(item)} has the wrong format: {quoted_repr(value)}"
        if item.fixed and value != item.fixed:
            return FORMAT, f"{_name(item)} must be {item.fixed!r}, not {quoted_repr(value)}"
    return None


@cache
def _plan(cls: type, year: CensusYear) -> tuple[tuple[str, Item, frozenset[str] | None, bool], ...]:
    """The items of a record class to check in ``year``: (field name, item, valid codes of a coded item,
    whether a good value is passed without a call: a single date or code)."""
    out = []
    for f in fields_of(cls, year):
        item = f.spec
        if not isinstance(item, Item):  # a group: its records are walked, not checked here
            continue
        valid = item.code_set.valid(year) if item.code_set else None
        quick = not item.many and (item.kind is Kind.DATE or (item.kind is Kind.CODE and valid is not None))
        out.append((f.name, item, valid, quick))
    return tuple(out)


def check_node(node: Node, year: CensusYear, plan: tuple | None = None) -> Iterator[tuple[str, str, str]]:
    """(code, field name, message) for each structural problem of one record (not its sub-records)."""
    # Asked of every value of the return: the common good values (a date, a valid code, nothing at
    # all where nothing is required) are passed without a call.
    origin = node._origin
    in_workbook = origin is not None and origin.sheet is not None
    if not plan:
        cls: type = node.__class__  # a class is hashable (mypy takes a record's own __hash__ for its class's)
        plan = _plan(cls, year)
    for name, item, valid_codes, quick in plan:
        value = getattr(node, name)
        if quick and (value.__class__ is date or (valid_codes is not None and value in valid_codes)):
            continue
        if value is None or (value.__class__ is str and (value == "" or value.isspace())) or value == []:
            if item.required and not (in_workbook and item.filled_at_export):
                yield MISSING, name, f"{_name(item)} is missing"
            continue
        kind = item.kind
        if kind is Kind.BOOL and value.__class__ is bool:
            continue
        for v in (value if item.many else (value,)):
            if kind is Kind.DATE and isinstance(v, date):
                continue
            if kind is Kind.CODE and (valid_codes is None or v in valid_codes):
                continue
            problem = _value_problem(item, v, valid_codes, in_workbook)
            if problem:
                yield problem[0], name, problem[1]


@cache
def _groups(cls: type, year: CensusYear) -> tuple[tuple[str, bool], ...]:
    return tuple((f.name, f.many) for f in fields_of(cls, year) if f.is_group)


def walk(node: Node, year: CensusYear, child: Child | None = None) -> Iterator[tuple[Node, Child | None]]:
    """Every record of the return, with the child it belongs to (each record before its sub-records)."""
    groups: dict[type, tuple[tuple[str, bool], ...]] = {}  # per class, looked up once (years hash slowly)
    stack: list[tuple[Node, Child | None]] = [(node, child)]
    pop, push = stack.pop, stack.append
    while stack:
        node, child = pop()
        yield node, child
        cls: type = node.__class__
        found = groups.get(cls)
        if found is None:
            found = groups[cls] = _groups(cls, year)
        for name, many in reversed(found):  # pushed last first, so records come out in file order
            value = getattr(node, name)
            if many:
                for member in reversed(value):
                    push((member, member if member.__class__ is Child else child))
            elif value is not None:
                push((value, value if value.__class__ is Child else child))


def check_return(census: CensusReturn, year: CensusYear) -> Iterator[tuple[Node, Child | None, str, str, str]]:
    if not census.children:
        yield census, None, MISSING, "children", "The return has no children"
    yield from check_records(walk(census, year), year)


def check_children(children: Iterable[Child], year: CensusYear) -> Iterator[tuple[Node, Child | None, str, str, str]]:
    """What :func:`check_return` finds in these children, in the same order (a part of the return's children,
    checked in another process: :mod:`cin_xl.validation.parallel`)."""
    yield from check_records((record for child in children for record in walk(child, year, child)), year)


def check_records(records: Iterable[tuple[Node, Child | None]], year: CensusYear
                  ) -> Iterator[tuple[Node, Child | None, str, str, str]]:
    plans: dict[type, tuple] = {}
    for node, child in records:
        cls: type = node.__class__
        plan = plans.get(cls)
        if plan is None:
            plan = plans[cls] = _plan(cls, year)
        if not plan:
            continue
        for code, field_name, message in check_node(node, year, plan):
            yield node, child, code, field_name, message
