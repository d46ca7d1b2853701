"""Where everything goes in the census workbook: sheets, columns, keys, lists and marks.

The layout is *derived* from the spec (:func:`cin_xl.census.spec.fields_of` for the year). The only
declarations here are layout decisions:

- :data:`MODULES`: which record class goes to which sheet, which field of the parent record holds
  it, and which of its items name it for the sheets below it (its key);
- :data:`SPREAD`: the many-valued items given one column per value (CP plan review dates);
- the Looked-after sheet, which is not part of the census XML.

Sheet columns, in order: the *link* columns (the keys of the parent records, root first: "LA child
ID", then "Referral date"), then the record's own items in XML order. Single groups that are not a
sheet of their own (a child's identifiers and characteristics) are flattened into the row. Right of
the data columns every module sheet has an **Issues** column (validation writes rule codes and
messages there) and a hidden **Marks** column.

Many-valued items
    Coded ones (disabilities, assessment factors) go in one cell, codes separated by commas:
    ``MOB, LD``. Items in :data:`SPREAD` (CP plan review dates) get one real date column per value,
    "Review date 1", "Review date 2", ...; the reader accepts any number of them, so a plan with
    more reviews just needs another column with the next number.

Marks token format
    The Marks cell of a row lists the cells of that row that validation flagged, as
    space-separated tokens ``<COLUMN LETTERS>:<E|Q>`` with a space before and after the whole
    list, for example ``" C:E F:Q "``: column C holds an error, column F a query. E is an error,
    Q a query; a cell with both is shown as an error. :func:`marks_text` builds the text. The
    template's conditional formatting highlights a data cell when its row's Marks cell contains
    ``" <its column>:E "`` (errors: orange fill, bold dark text, solid border) or ``":Q "``
    (queries: light sky-blue fill, italic text, dotted blue border); the Issues cell is
    highlighted when the row has any E (or, failing that, any Q) token. Colours are from the
    Okabe-Ito colour-blind-safe palette, and errors and queries also differ in border and font.

    A row rollover carried from last year's return with cells left to fill in also holds the token
    ``carried`` (:data:`CARRIED_MARK`), for example ``" D:Q carried "``: validation keeps it, so it
    knows, run after run, which rows hold last year's open work (see
    :mod:`cin_xl.validation.fill_in`). No conditional format looks at it.

Defined names (workbook scope)
    ``SummaryErrors``, ``SummaryQueries``, ``SummaryLastRun``, ``SummaryStatus`` (Start sheet
    summary box, filled by validation); ``CensusYear`` (Return sheet census year cell);
    ``ChildIDs`` (the LA child IDs on the Children sheet, for the child dropdowns);
    ``List_<CodeSet>``, ``List_YesNo``, ``List_LA``, ``List_Years``, ``List_LegalStatus``
    (dropdown lists on the Lists sheet).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from cin_xl.census.model import (
    Assessment,
    CensusReturn,
    Child,
    ChildIdentifiers,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    CollectionDetails,
    Header,
    Node,
    PreProceedings,
    Section47,
    Source,
)
from cin_xl.census.spec import CODE_SETS, Item, Kind, fields_of
from cin_xl.census.years import CensusYear
from cin_xl.workbook.package.columns import column_letters

# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------

START, RETURN, LOOKED_AFTER, LISTS, ISSUES = "Start", "Return", "Looked-after", "Lists", "Issues"
#: the sheet from which xlwings' VBA module reads the workbook's own settings (``GetConfig``)
XLWINGS_CONF_SHEET = "xlwings.conf"
ISSUES_HEADER, MARKS_HEADER = "Issues", "Marks"
#: headers of the Issues sheet, in order
ISSUES_COLUMNS = ("Code", "Severity", "Message", "Child", "Sheet", "Cell", "Link")
#: width (characters) of the Issues column of each sheet: a typical DfE message on one line
ISSUES_WIDTH = 90
#: the header row of every table sheet
HEADER_ROW = 1
#: rows of each sheet covered by dropdowns, date checks and highlighting
MAX_ROW = 1_048_576


@dataclass(frozen=True)
class Module:
    """One census module sheet: a record class and where its records hang in the return."""

    sheet: str
    record: type[Node]
    #: sheet of the parent record (None: the return itself)
    parent: str | None
    #: field of the parent record (or of CensusReturn) holding these records
    field: str
    #: dotted paths (from the record) of the items naming a record for the sheets below it
    key: tuple[str, ...] = ()
    #: what the sheet holds, for the Start sheet and the guide
    about: str = ""


MODULES: tuple[Module, ...] = (
    Module("Children", Child, None, "children", key=("identifiers.la_child_id",),
           about="One row per child: identifiers, characteristics and disabilities."),
    Module("Referrals", CINDetails, "Children", "cin_details", key=("referral_date",),
           about="One row per CIN episode (referral), with closure and no-further-action details."),
    Module("Assessments", Assessment, "Referrals", "assessments",
           about="One row per assessment, with the factors identified."),
    Module("CIN plans", CINPlan, "Referrals", "cin_plans", about="One row per CIN plan."),
    Module("Section 47", Section47, "Referrals", "section47s", about="One row per section 47 enquiry."),
    Module("Child protection plans", ChildProtectionPlan, "Referrals", "child_protection_plans",
           about="One row per child protection plan, with its review dates."),
    Module("Pre-proceedings", PreProceedings, "Referrals", "pre_proceedings",
           about="Pre-proceedings and family group decision making (from 2026-27): one row per episode."),
)
MODULE_BY_SHEET = {m.sheet: m for m in MODULES}

#: many-valued items given one column per value: (record class, field) -> (header stem, columns in a template)
SPREAD: dict[tuple[type, str], tuple[str, int]] = {
    (ChildProtectionPlan, "review_dates"): ("Review date", 6),
}

# The Looked-after sheet is not in the census XML; its items are declared here, in the spec's terms.
#: SSDA903 legal statuses for the Looked-after sheet's dropdown (a code set like the census's own)
LEGAL_STATUSES: tuple[tuple[str, str], ...] = tuple((c.code, c.label) for c in CODE_SETS["LegalStatus"].codes)
LA_START = Item("LookedAfterStart", Kind.DATE, "Start date", required=True,
                guidance="Date the child started to be looked after (this period of care)")
LA_END = Item("LookedAfterEnd", Kind.DATE, "End date",
              guidance="Date the period of care ended; blank if it is still going on")
LA_STATUS = Item("LegalStatus", Kind.TEXT, "Legal status",
                 guidance="Optional: the SSDA903 legal status at the start of the period (C2, V2, ...)")

# ---------------------------------------------------------------------------------------------
# Marks
# ---------------------------------------------------------------------------------------------

#: the letters of the Marks column's tokens (how each looks: :mod:`cin_xl.workbook.mark_styles`)
MARK_ERROR, MARK_QUERY = "E", "Q"
#: the Marks token of a row carried from last year's return with cells to fill in (kept by validation)
CARRIED_MARK = "carried"


def mark_token(column: str, severity: str) -> str:
    """``"C:E"``: column letters and ``E`` (error) or ``Q`` (query)."""
    sev = MARK_ERROR if str(severity).upper().startswith("E") else MARK_QUERY
    return f"{column.upper()}:{sev}"


def marks_text(tokens: list[tuple[str, str]] | list[str]) -> str:
    """The Marks cell text for a row: ``" C:E F:Q "`` (tokens given as strings or (column, severity))."""
    out: list[str] = []
    for t in tokens:
        tok = t if isinstance(t, str) else mark_token(*t)
        if tok not in out:
            out.append(tok)
    return f" {' '.join(out)} " if out else ""


def cf_formula(marks_column: str, severity: str, first_row: int = HEADER_ROW + 1) -> str:
    """Conditional-formatting formula: true when this cell's column is marked with ``severity``."""
    return (f'ISNUMBER(SEARCH(" "&SUBSTITUTE(ADDRESS(1,COLUMN(),4),"1","")&":{severity} ",'
            f'${marks_column}{first_row}))')


def cf_row_formula(marks_column: str, severity: str, first_row: int = HEADER_ROW + 1) -> str:
    """True when the row has any mark of ``severity`` (for the Issues cell)."""
    return f'ISNUMBER(SEARCH(":{severity} ",${marks_column}{first_row}))'


# ---------------------------------------------------------------------------------------------
# Columns, derived from the spec
# ---------------------------------------------------------------------------------------------

LINK, KEY, DATA = "link", "key", "data"


@dataclass(frozen=True)
class Column:
    """One column of a module sheet."""

    #: unique within the sheet: the field path ("identifiers.upn"), "link:<path>", or "review_dates#2"
    key: str
    header: str
    item: Item
    #: dotted path of the field from the sheet's record (for links: from the parent record)
    path: str
    role: str = DATA
    #: for spread columns, the value number (1, 2, ...); 0 otherwise
    index: int = 0

    @property
    def field(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def part(self) -> str | None:
        """The attribute of the record holding the field, for flattened groups ("identifiers")."""
        return self.path.rsplit(".", 1)[0] if "." in self.path else None

    @property
    def coded(self) -> bool:
        return self.item.kind is Kind.CODE and self.item.codeset is not None

    @property
    def width(self) -> float:
        kind = self.item.kind
        if self.role == LINK and kind is Kind.TEXT:
            base = 14
        elif kind in (Kind.DATE, Kind.DATETIME):
            base = 13
        elif kind in (Kind.BOOL, Kind.INT):
            base = 12
        elif kind is Kind.CODE:
            base = 20 if self.item.many else 16
        else:
            base = 16
        longest = max((len(w) for w in self.header.split()), default=8)
        # the header wraps onto at most three lines
        return float(max(base, longest + 3, -(-len(self.header) // 3) + 4))


@dataclass(frozen=True)
class SheetLayout:
    """The columns of one module sheet in one year, in template order."""

    module: Module
    year: CensusYear
    columns: tuple[Column, ...]
    #: the parent sheet's layout names (root first), for links
    links: tuple[Column, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.module.sheet

    @property
    def data_columns(self) -> tuple[Column, ...]:
        return self.columns

    @property
    def issues_letter(self) -> str:
        return column_letters(len(self.columns) + 1)

    @property
    def marks_letter(self) -> str:
        return column_letters(len(self.columns) + 2)

    def letter(self, key: str) -> str:
        for i, c in enumerate(self.columns, start=1):
            if c.key == key:
                return column_letters(i)
        raise KeyError(key)

    def spread(self) -> list[tuple[str, str, int]]:
        """(field, header stem, columns) of the spread items of this sheet."""
        return [(f, stem, n) for (cls, f), (stem, n) in SPREAD.items() if cls is self.module.record
                and any(c.field == f for c in self.columns)]


def _item_at(cls: type[Node], path: str, year: CensusYear) -> Item:
    head, _, rest = path.partition(".")
    for f in fields_of(cls, year):
        if f.name == head:
            return _item_at(f.content, rest, year) if rest else f.item
    raise KeyError(f"{cls.__name__}.{path} is not in force in {year.label}")


def module_in_force(module: Module, year: CensusYear) -> bool:
    parent_cls = MODULE_BY_SHEET[module.parent].record if module.parent else CensusReturn
    return any(f.name == module.field for f in fields_of(parent_cls, year))


def _record_columns(cls: type[Node], year: CensusYear, prefix: str = "",
                    spread: dict[str, int] | None = None) -> list[Column]:
    module_records = {m.record for m in MODULES}
    out: list[Column] = []
    for f in fields_of(cls, year):
        path = prefix + f.name
        if f.is_group:
            if not f.many and f.node not in module_records:
                out.extend(_record_columns(f.content, year, path + ".", spread))
            continue
        item = f.item
        stem_n = SPREAD.get((cls, f.name))
        if stem_n:
            stem, n = stem_n
            n = max(n, (spread or {}).get(f.name, 0))
            out.extend(Column(f"{path}#{i}", f"{stem} {i}", item, path, DATA, i) for i in range(1, n + 1))
        else:
            out.append(Column(path, item.label, item, path))
    return out


@cache
def _sheet_layout(sheet: str, year: CensusYear, spread_items: tuple[tuple[str, int], ...] = ()) -> SheetLayout:
    module = MODULE_BY_SHEET[sheet]
    links: list[Column] = []
    parent = module.parent
    chain: list[Module] = []
    while parent:
        chain.insert(0, MODULE_BY_SHEET[parent])
        parent = MODULE_BY_SHEET[parent].parent
    for anc in chain:
        for path in anc.key:
            item = _item_at(anc.record, path, year)
            links.append(Column(f"link:{path}", item.label, item, path, LINK))
    own = _record_columns(module.record, year, spread=dict(spread_items))
    own = [Column(c.key, c.header, c.item, c.path, KEY if c.path in module.key else c.role, c.index)
           for c in own]
    return SheetLayout(module, year, tuple(links + own), tuple(links))


def sheet_layout(sheet: str, year: CensusYear, spread: dict[str, int] | None = None) -> SheetLayout:
    """The layout of a module sheet; ``spread`` asks for more value columns ({"review_dates": 9})."""
    return _sheet_layout(sheet, year, tuple(sorted((spread or {}).items())))


def modules_for(year: CensusYear) -> list[Module]:
    return [m for m in MODULES if module_in_force(m, year)]


def sheet_names(year: CensusYear) -> list[str]:
    """All sheets of the workbook for ``year``, in order."""
    return [START, RETURN, *(m.sheet for m in modules_for(year)), LOOKED_AFTER, LISTS, ISSUES]


# ---------------------------------------------------------------------------------------------
# The Return sheet and the Looked-after sheet
# ---------------------------------------------------------------------------------------------

CENSUS_YEAR_LABEL = "Census year"
RETURN_HEADERS = ("Item", "Value", "Guidance")


@dataclass(frozen=True)
class ReturnRow:
    """One row of the Return sheet: a header item (or the census year, with ``path`` "")."""

    path: str  # "collection_details.year", "source.lea"; "" for the census year row
    label: str
    item: Item
    #: a setting of the workbook, not an item of the census XML (last year's return)
    workbook_only: bool = False

    @property
    def in_header(self) -> bool:
        """The row holds an item of the return's <Header>."""
        return bool(self.path) and not self.workbook_only


#: the Return sheet's census year row: not a data item; it picks the year's layout
CENSUS_YEAR_ITEM = Item("CensusYear", Kind.TEXT, CENSUS_YEAR_LABEL,
                        guidance="The census year this workbook is for, for example 2026-27")


#: the Return sheet's "Last year's return" row: where last year's census XML is, for the continuity checks
PREVIOUS_RETURN_LABEL = "Last year's return"
PREVIOUS_RETURN_ITEM = Item("PreviousReturn", Kind.TEXT, PREVIOUS_RETURN_LABEL,
                            guidance="Optional: the path of last year's census XML file (for example "
                                     r"C:\CIN\census-2025-26.xml, or a name in this workbook's folder). "
                                     "Validate then also checks continuity with it (codes C-).")


@cache
def return_rows(year: CensusYear) -> tuple[ReturnRow, ...]:
    rows = [ReturnRow("", CENSUS_YEAR_LABEL, CENSUS_YEAR_ITEM)]
    for g in fields_of(Header, year):
        for f in fields_of(g.content, year):
            rows.append(ReturnRow(f"{g.name}.{f.name}", f.spec.label, f.item))
    rows.append(ReturnRow("previous_return", PREVIOUS_RETURN_LABEL, PREVIOUS_RETURN_ITEM, workbook_only=True))
    return tuple(rows)


def return_row_number(year: CensusYear, path: str) -> int:
    """Sheet row of a Return item in the template (row 1 holds the headers)."""
    for i, r in enumerate(return_rows(year), start=HEADER_ROW + 1):
        if r.path == path:
            return i
    raise KeyError(path)


HEADER_GROUPS = {"collection_details": CollectionDetails, "source": Source}


@cache
def looked_after_columns(year: CensusYear) -> tuple[Column, ...]:
    child_id = _item_at(ChildIdentifiers, "la_child_id", year)
    return (Column("child_id", child_id.label, child_id, "child_id", LINK),
            Column("start_date", LA_START.label, LA_START, "start_date"),
            Column("end_date", LA_END.label, LA_END, "end_date"),
            Column("legal_status", LA_STATUS.label, LA_STATUS, "legal_status"))


# ---------------------------------------------------------------------------------------------
# Header matching
# ---------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def norm_header(value: object) -> str:
    """A header as compared by the reader: case, spacing, a trailing ``*`` and "(required)" ignored."""
    if value is None:
        return ""
    text = _SPACES.sub(" ", str(value)).strip().casefold()
    text = re.sub(r"\s*(\*|\(required\)|\(optional\))$", "", text)
    return text


def header_names(col: Column) -> set[str]:
    """Every header text the reader accepts for ``col``: its label, XML name or N-code."""
    names = {norm_header(col.header)}
    if col.index:
        for alt in (col.item.label, col.item.xml):
            names.add(norm_header(f"{alt} {col.index}"))
    else:
        names.add(norm_header(col.item.xml))
        if col.item.ncode:
            names.add(norm_header(col.item.ncode))
            names.add(norm_header(f"{col.header} ({col.item.ncode})"))
    return names


def spread_header_pattern(stem: str, item: Item) -> re.Pattern[str]:
    """Matches "Review date 7" (or "CPPreviewDate 7"), capturing the number."""
    alts = "|".join(re.escape(norm_header(a)) for a in (stem, item.label, item.xml))
    return re.compile(rf"^(?:{alts})\s*(\d+)$")


def column_letter(index: int) -> str:
    return column_letters(index)
