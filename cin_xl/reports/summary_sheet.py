"""The workbook's **Summary** sheet: the key figures as a grid of values, and native Excel charts.

The sheet is one grid, written in one go from cell A1 (``summary_grid(figures)``: a list of rows,
every row the same length), so any adapter can write it: openpyxl here
(:func:`write_summary_sheet`), xlwings in Excel (``sheet["A1"].value = grid``). The grid's layout
is fixed:

Columns
    A  what the row is: a figure's name, a category, a month or a rule code
    B  the number (for a rate: how many were counted)
    C  for a rate: out of how many; in tables, the third column of the table
    D  for a rate or a category: the percentage, 0 to 100 rounded to one decimal place
    E  the fourth series of a monthly table (otherwise empty)
    F  the definition, in words, of the figure on that row (or of the table)

Rows, top to bottom
    1. title, 2. census year and source, 3. a note on the definitions (and, for a year whose DfE rules are
    not included, 4. the sentence that says so), then one block per section
    of :data:`cin_xl.reports.figures.SECTIONS` in order. A block is a heading row (section name in A), then
    tables. A table is a header row (column names; "Definition" in F) then its rows; a table of its
    own figure starts with a sub-heading row (the figure's name in A, its definition in F).

    - Counts: one row per count figure (name, number, definition); a rate (re-referrals, second or
      subsequent plans) as name, counted, out of, percent, definition.
    - Timeliness: one row per rate (name, counted, out of, percent, definition), then blank rows
      holding the timeliness chart; then the working-day bands (assessments, with blank rows holding
      their chart; conferences; transfer-in conferences), each a breakdown table as below.
    - Month by month: "Referrals and assessments by month" (Month, referrals, assessments started,
      assessments completed) and "Plans starting and ending by month" (Month, CIN plans started,
      CIN plans ended, child protection plans started, child protection plans ended): 12 month rows
      (April first; A holds text such as "Apr 2026") and a "Year" total row; the series definitions
      are in F beside the month rows. Each table is followed by blank rows holding its line chart.
    - Breakdowns: factors first (blank rows holding the factors chart, then the table: largest
      first, "21 No factors identified" last, so its first rows are the chart's top 15), then referral
      source, primary need, category of abuse (initial, latest), age band and sex. Each: sub-heading,
      header (Category, Number, -, Percent), one row per category (A "code label"), "Total" row.
    - Data quality: errors, queries and unreadable dates (name, number, definition), then "By sheet"
      (Sheet, Errors, Queries) and "By rule" (Rule, Number, Severity, -, -, Message) tables; or a
      "not checked" row when the return was not validated.
    - Breakdowns also hold plans started in the year by category, and the plans open at 31 March by
      initial and latest category as one row per pair that has plans (Initial category, Number, -,
      -, Latest category): the sheet is too narrow for the square table.
    - Continuity with last year (only with last year's return): "Key figures year on year": the counts
      (Figure, Last year, This year, Change, Change (%), "Check" in F for a substantial change), then
      the percentages (Percentage, last year's label, this year's, Change in points, -, Check) and
      blank rows holding their chart, last year's bars beside this year's.
    - COLLECT's reports: one row per report COLLECT gives ("1. Assessments working days list" in A),
      with the names of the figures on this sheet that show it, and its child-level lists, in F; when the
      lists are written as sheets of the workbook (``list_sheets``), "The child-level lists, each on a sheet of
      its own": one row a list (its name in A, its sheet's name in F, a link to the sheet where annotate writes).

:func:`summary_layout` returns the grid together with the row numbers of headings, headers and
totals (for styling) and a :class:`ChartSpec` per chart (cell ranges in the grid, titles, colours),
which :func:`add_summary_charts` turns into openpyxl ``BarChart`` / ``LineChart`` objects bound to
those ranges. Charts sit in blank rows reserved for them in the grid, so nothing overlaps whatever
the column widths.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cin_xl.reports.england import COMPARED, NO_FIGURE, england_figure
from cin_xl.reports.figures import (
    BREAKDOWNS,
    CONTINUITY,
    COUNTS,
    MONTHLY,
    QUALITY,
    TIMELINESS,
    Breakdown,
    Figures,
    Monthly,
    Rate,
    Table,
)
from cin_xl.reports.figures.collect import COLLECT_REPORTS
from cin_xl.reports.figures.lists import LISTS
from cin_xl.reports.figures.year_on_year import is_percent
from cin_xl.reports.html import (
    FACTORS_LEAVE_OUT,
    LAST_YEAR_COLOUR,
    LONG_PLAN_COLOUR,
    LONG_PLANS,
    MONTHLY_CHARTS,
    OKABE_ITO,
    TOP_FACTORS,
)
from cin_xl.safety.text_guard import looks_like_formula
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.workbook.package.ooxml import quote_sheet_name

__all__ = ["SUMMARY_SHEET", "ChartSpec", "SummaryLayout", "summary_layout", "summary_grid", "add_summary_charts",
           "style_summary_sheet", "write_summary_sheet", "WIDTH", "DEFINITION_COLUMN"]

SUMMARY_SHEET = "Summary"
LIST_NAMES = {spec.key: spec.name for spec in LISTS}
#: columns in the grid (A..F)
WIDTH = 6
DEFINITION_COLUMN = 6
#: suggested column widths (characters)
COLUMN_WIDTHS = {"A": 56, "B": 11, "C": 11, "D": 11, "E": 11, "F": 72}
#: height of a default row, in cm (15 points)
ROW_CM = 0.53


@dataclass(frozen=True)
class ChartSpec:
    """One chart, bound to cells of the grid (1-based rows and columns)."""

    key: str
    #: "line", or "bar" (horizontal bars)
    kind: str
    title: str
    #: axis titles: categories (months, factors; "" for none, where the bars' labels say it all) and values
    x_title: str
    y_title: str
    #: categories: (column, first row, last row)
    categories: tuple[int, int, int]
    #: values: (first column, last column, header row, last row); one series per column, named by
    #: the header row's cell, values from the row after it
    values: tuple[int, int, int, int]
    #: series colours, RRGGBB (Okabe-Ito), and which series are dashed lines
    colours: tuple[str, ...]
    dashed: tuple[bool, ...] = ()
    #: top-left cell and size
    anchor: str = "A1"
    width_cm: float = 16.0
    height_cm: float = 8.0
    #: fixed value-axis maximum (percentages: 100)
    value_max: float | None = None
    #: write each bar's value on it
    data_labels: bool = False
    #: bar charts: a colour per bar (None: the series colour)
    point_colours: tuple[str | None, ...] = ()
    #: first row of what is printed with the chart (its table's heading; 0: the chart's own first row)
    group: int = 0


@dataclass
class SummaryLayout:
    rows: list[list]
    title_rows: list[int] = field(default_factory=list)
    #: rows of text that run across the sheet (not wrapped)
    note_rows: list[int] = field(default_factory=list)
    section_rows: list[int] = field(default_factory=list)
    subheading_rows: list[int] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    total_rows: list[int] = field(default_factory=list)
    #: rows starting a printed page: each section but the first, the second monthly table, and a chart (with its
    #: table where both fit) that would otherwise run over the foot of a page
    page_breaks: list[int] = field(default_factory=list)
    #: rows whose column D holds a percentage
    percent_rows: list[int] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    column_widths: dict[str, float] = field(default_factory=lambda: dict(COLUMN_WIDTHS))
    #: row -> height in points, for rows whose wrapped text needs more than one line (Excel does not
    #: grow rows by itself when a file is opened)
    row_heights: dict[int, float] = field(default_factory=dict)
    #: (row, column) -> where the cell links to in the workbook (``'Days to assess'!A1``): the list sheets' names
    links: dict[tuple[int, int], str] = field(default_factory=dict)

    def fit_rows(self) -> None:
        """Work out :attr:`row_heights` from the length of the text in columns A and F."""
        self.row_heights.clear()
        per_line_a = self.column_widths["A"] * 1.2
        per_line_f = self.column_widths["F"] * 1.3  # 9-point text
        for number, row in enumerate(self.rows, start=1):
            if number in self.title_rows or number in self.section_rows or number in self.note_rows:
                continue
            a, f = row[0], row[DEFINITION_COLUMN - 1]
            lines_a = math.ceil(len(a) / per_line_a) if isinstance(a, str) and a else 1
            lines_f = math.ceil(len(f) / per_line_f) if isinstance(f, str) and f else 1
            if number in self.header_rows:
                lines_a = max(lines_a, max(math.ceil(len(str(c)) / 10) for c in row[1:5] if c) if any(row[1:5])
                              else 1)
            height = min(max(14.0 * lines_a, 12.0 * lines_f + 2), MAX_ROW_HEIGHT)  # Excel's tallest row
            if height > 15:
                self.row_heights[number] = height


#: Excel's tallest row (points): a taller one is refused on opening
MAX_ROW_HEIGHT = 409.0


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class _Grid:
    def __init__(self) -> None:
        self.layout = SummaryLayout(rows=[])

    @property
    def next_row(self) -> int:
        return len(self.layout.rows) + 1

    def add(self, *cells, kind: str | None = None) -> int:
        row = list(cells)[:WIDTH]
        row += [None] * (WIDTH - len(row))
        self.layout.rows.append(row)
        number = len(self.layout.rows)
        if kind:
            getattr(self.layout, f"{kind}_rows").append(number)
        return number

    def blank(self, n: int = 1) -> int:
        first = self.next_row
        for _ in range(n):
            self.add()
        return first

    def reserve(self, height_cm: float) -> int:
        """Blank rows for a chart of this height; returns the first."""
        return self.blank(math.ceil(height_cm / ROW_CM) + 1)


def _rate_cells(value: Rate) -> tuple:
    return value.numerator, value.denominator, _pct(value.percent)


def _breakdown(g: _Grid, name: str, definition: str, value: Breakdown, rows=None) -> tuple[int, int]:
    """Write a breakdown table; returns (first, last) category row."""
    g.add(name, None, None, None, None, definition, kind="subheading")
    g.add("Category", "Number", None, "Percent", None, None, kind="header")
    first = g.next_row
    for row in rows if rows is not None else value.rows:
        label = f"{row.code} {row.label}" if value.shows_codes and row.code and row.code != row.label else row.label
        g.add(label, row.count, None, _pct(value.share(row)), kind="percent")
    last = g.next_row - 1
    g.add(value.base_label, value.total, kind="total")
    return first, last


def summary_layout(figures: Figures, *, generated: datetime | None = None,
                   list_sheets: Mapping[str, str] | None = None) -> SummaryLayout:
    """The Summary sheet for ``figures``: the grid, its styling rows and its charts; with ``list_sheets`` (a
    child-level list's key -> the workbook sheet it is written on), the COLLECT's reports block names those sheets,
    each with a link to it (:attr:`SummaryLayout.links`)."""
    g = _Grid()
    year = figures.year
    generated = generated or datetime.now()
    source = Path(figures.source).name if figures.source else "the return"
    g.add(f"Children in need census {year.label}: key figures", kind="title")
    g.add(f"Census year 1 April {year.first} to 31 March {year.first + 1}, from {source}, worked out on "
          f"{generated.day} {generated:%B %Y at %H:%M}.", kind="note")
    g.add("These are cin-xl's own calculations from this return, before submission. Column F says exactly "
          "what each figure counts.", kind="note")
    if note := rules_not_included_note(year):  # 2020-21, 2021-22: said under the title, as every output says it
        g.add(note, kind="note")

    # -- counts ------------------------------------------------------------------------------------
    g.blank()
    g.add(COUNTS, kind="section")
    g.add("Figure", "Number", "Out of", "Percent", None, "Definition", kind="header")
    for r in figures.section(COUNTS):
        if isinstance(r.value, Rate):
            g.add(r.figure.name, *_rate_cells(r.value), None, r.figure.full_definition, kind="percent")
        else:
            g.add(r.figure.name, r.value, None, None, None, r.figure.full_definition)

    # -- timeliness -----------------------------------------------------------------------------
    g.blank()
    g.add(TIMELINESS, kind="section")
    header = g.add("Figure", "Number", "Out of", "Percent", None, "Definition", kind="header")
    rates = [r for r in figures.section(TIMELINESS) if isinstance(r.value, Rate)]
    for r in rates:
        g.add(r.figure.name, *_rate_cells(r.value_as(Rate)), None, r.figure.full_definition, kind="percent")
    if rates:
        height = 2.2 + 1.3 * len(rates)
        top = g.reserve(height)
        g.layout.charts.append(ChartSpec(
            "timeliness", "bar", "Timeliness: percentage of the cases counted", "", "Percent of the cases counted",
            (1, header + 1, header + len(rates)), (4, 4, header, header + len(rates)),
            (_hex(OKABE_ITO["bluish_green"]),), anchor=f"A{top}", width_cm=24, height_cm=height, value_max=100,
            data_labels=True,
            point_colours=tuple(_hex(LONG_PLAN_COLOUR) if r.figure.key in LONG_PLANS else None for r in rates),
            group=header - 1))
    for r in figures.section(TIMELINESS):
        if isinstance(r.value, Breakdown):
            g.blank()
            first, last = _breakdown(g, r.figure.name, r.figure.definition, r.value)
            if r.figure.key == "assessment_working_days":
                height = 2.5 + 0.75 * (last - first + 1)
                top = g.reserve(height)
                g.layout.charts.append(ChartSpec(
                    "assessment_days", "bar", r.figure.name, "Working days taken", "Assessments completed in the year",
                    (1, first, last), (2, 2, first - 1, last), (_hex(OKABE_ITO["blue"]),), anchor=f"A{top}",
                    width_cm=24, height_cm=height, data_labels=True, group=first - 2))
    _england(g, figures)

    # -- month by month -------------------------------------------------------------------------
    g.blank()
    g.add(MONTHLY, kind="section")
    for i, (title, keys) in enumerate(MONTHLY_CHARTS):
        present = [(k, colour, dashed) for k, colour, dashed in keys if k in figures]
        if not present:
            continue
        results = [figures.results[k] for k, _, _ in present]
        if i:
            g.blank()
            g.layout.page_breaks.append(g.next_row)
        g.add(title, kind="subheading")
        header = g.add("Month", *[r.figure.name for r in results], kind="header")
        g.layout.rows[header - 1][DEFINITION_COLUMN - 1] = "Definitions"
        months: tuple = results[0].value_as(Monthly).months
        definitions = [f"{r.figure.name}: {r.figure.definition}" for r in results]
        for m, month in enumerate(months):
            cells: list[int | None] = [r.value_as(Monthly).values[m] for r in results]
            cells += [None] * (4 - len(cells))
            g.add(month.strftime("%b %Y"), *cells, definitions[m] if m < len(definitions) else None)
        g.add("Year", *[r.value_as(Monthly).total for r in results], kind="total")
        height = 9.0
        top = g.reserve(height)
        g.layout.charts.append(ChartSpec(
            f"monthly{i + 1}", "line", title, f"Month, April {year.first} to March {year.first + 1}",
            "Number in the month", (1, header + 1, header + 12), (2, 1 + len(results), header, header + 12),
            tuple(_hex(c) for _, c, _ in present), tuple(d for _, _, d in present), anchor=f"A{top}",
            width_cm=24, height_cm=height, group=header - 1))

    # -- breakdowns -----------------------------------------------------------------------------
    g.blank()
    g.add(BREAKDOWNS, kind="section")
    breakdowns = sorted(figures.section(BREAKDOWNS), key=lambda r: r.figure.key != "factors")
    for r in breakdowns:
        value = r.value
        if not isinstance(value, Breakdown):
            continue
        if r.figure.key == "factors":
            top_rows = value.top(TOP_FACTORS, leave_out=FACTORS_LEAVE_OUT)
            chosen = {id(x) for x in top_rows}
            rest = [x for x in value.rows if id(x) not in chosen and x.code not in FACTORS_LEAVE_OUT]
            left_out = [x for x in value.rows if x.code in FACTORS_LEAVE_OUT]
            height = 2.5 + 0.75 * len(top_rows)
            chart_top = g.reserve(height) if top_rows else None  # the chart comes before its table
            first, _ = _breakdown(g, r.figure.name, r.figure.definition, value, top_rows + rest + left_out)
            if top_rows:
                header = first - 1
                g.layout.charts.append(ChartSpec(
                    "factors", "bar", f"Factors identified at the end of assessment: the {len(top_rows)} most common",
                    "Factor", "Assessments completed in the year with the factor",
                    (1, first, first + len(top_rows) - 1), (2, 2, header, first + len(top_rows) - 1),
                    (_hex(OKABE_ITO["blue"]),), anchor=f"A{chart_top}", width_cm=24, height_cm=height,
                    data_labels=True))
            g.blank()
        else:
            _breakdown(g, r.figure.name, r.figure.definition, value)
            g.blank()
        if r.figure.key == "abuse_latest" and "abuse_initial_by_latest" in figures:
            _initial_by_latest(g, figures.results["abuse_initial_by_latest"])
            g.blank()

    # -- data quality -----------------------------------------------------------------------------
    g.add(QUALITY, kind="section")
    g.add("Figure", "Number", None, None, None, "Definition", kind="header")
    for key in ("errors", "queries", "unreadable_dates"):
        found = figures.results.get(key)
        if found is None:
            continue
        g.add(found.figure.name, "not checked" if found.value is None else found.value, None, None, None,
              found.figure.definition)
    if figures.checked:
        for key, columns in (("findings_by_sheet", ("Sheet", "Errors", "Queries")),
                             ("findings_by_rule", ("Rule", "Number", "Severity", None, None, "Message"))):
            found = figures.results.get(key)
            if found is None or not isinstance(found.value, Table):
                continue
            g.blank()
            g.add(found.figure.name, None, None, None, None, found.figure.definition, kind="subheading")
            g.add(*columns, kind="header")
            if not found.value.rows:
                g.add("None")
            for row in found.value.rows:
                if key == "findings_by_sheet":
                    g.add(*row)
                else:
                    code, severity, number, message = row
                    g.add(code, number, severity, None, None, message)
    yoy = figures.results.get("year_on_year")
    if yoy is not None and isinstance(yoy.value, Table):
        g.blank()
        g.add(CONTINUITY, kind="section")
        g.add(yoy.figure.name, None, None, None, None, yoy.figure.definition, kind="subheading")
        g.add(*yoy.value.columns, kind="header")
        percents = [row for row in yoy.value.rows if is_percent(row)]
        for row in yoy.value.rows:
            if not is_percent(row):
                g.add(*row)
        if percents:
            g.blank()
            header = g.add("Percentage", f"{year.first - 1}-{year.first % 100:02d}", year.label, "Change (points)",
                           None, yoy.value.columns[-1], kind="header")
            for row in percents:
                g.add(*row)
            height = 2.5 + 1.1 * len(percents)
            top = g.reserve(height)
            g.layout.charts.append(ChartSpec(
                "year_on_year", "bar", "Percentages year on year", "", "Percent: last year beside this year",
                (1, header + 1, header + len(percents)), (2, 3, header, header + len(percents)),
                (_hex(LAST_YEAR_COLOUR), _hex(OKABE_ITO["blue"])), anchor=f"A{top}", width_cm=24, height_cm=height,
                value_max=100, data_labels=True, group=header))
    _collect_reports(g, figures, list_sheets or {})
    g.layout.fit_rows()
    g.layout.page_breaks = sorted(set(g.layout.page_breaks) | set(g.layout.section_rows[1:]))
    _keep_charts_on_a_page(g.layout)
    return g.layout


#: the printed page (A4 landscape) and its margins, in points: set on the sheet by :func:`write_summary_sheet`
PAGE_WIDTH, PAGE_HEIGHT = 841.9, 595.3
MARGINS_IN = {"left": 0.75, "right": 0.75, "top": 1.0, "bottom": 1.0, "header": 0.5, "footer": 0.5}
#: heights (points) of rows the layout does not size: a default row, and those the styling makes taller
DEFAULT_ROW_PT, TITLE_ROW_PT, SECTION_ROW_PT = 15.0, 24.0, 20.0
POINTS_PER_CM = 72 / 2.54


def page_capacity(layout: SummaryLayout) -> float:
    """How tall (sheet points) a printed page's share of the sheet is, at most: the sheet is printed one page wide
    (fit to width), so scaled by the printable width over the columns' width. The columns are taken at their
    narrowest (7 pixels a character, no padding) and the scale rounded up to a whole percent, so that the page is,
    if anything, said to hold less than it does (Excel and LibreOffice measure fonts differently)."""
    columns_pt = sum(layout.column_widths.values()) * 7 * 0.75
    printable_w = PAGE_WIDTH - 72 * (MARGINS_IN["left"] + MARGINS_IN["right"])
    printable_h = PAGE_HEIGHT - 72 * (MARGINS_IN["top"] + MARGINS_IN["bottom"])
    scale = min(1.0, math.ceil(100 * printable_w / columns_pt) / 100)
    return printable_h / scale


def _keep_charts_on_a_page(layout: SummaryLayout) -> None:
    """Add a page break before a chart (with its table, if the two fit on a page) that would otherwise run over
    the foot of a printed page. The rows are taken at the heights the sheet gives them (LibreOffice may draw them
    shorter, never taller), from the last page break; a chart runs down from its first row by its own height."""
    heights = [layout.row_heights.get(n, TITLE_ROW_PT if n in layout.title_rows
                                      else SECTION_ROW_PT if n in layout.section_rows else DEFAULT_ROW_PT)
               for n in range(1, len(layout.rows) + 1)]
    top = [0.0]
    for h in heights:
        top.append(top[-1] + h)  # top[n - 1]: how far down the sheet row n starts

    capacity = page_capacity(layout)
    breaks = set(layout.page_breaks)
    for chart in sorted(layout.charts, key=lambda c: _anchor_row(c.anchor)):
        first = _anchor_row(chart.anchor)
        bottom = top[first - 1] + chart.height_cm * POINTS_PER_CM
        page = max([b for b in breaks if b <= first], default=1)
        if bottom - top[page - 1] <= capacity:
            continue
        group = chart.group or first
        breaks.add(group if page < group < first and bottom - top[group - 1] <= capacity else first)
    layout.page_breaks = sorted(breaks)


def _anchor_row(anchor: str) -> int:
    return int(anchor.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


def _initial_by_latest(g: _Grid, result) -> None:
    """The initial-by-latest table as one row per pair of categories that has plans (the sheet is six columns
    wide: a square table of five categories and a total would not fit)."""
    table = result.value_as(Table)
    g.add(result.figure.name, None, None, None, None, result.figure.definition
          + " Here: one row per initial and latest category that has plans.", kind="subheading")
    g.add("Initial category", "Number", None, None, "Latest category", None, kind="header")
    latest = table.columns[1:-1]
    for row in table.rows[:-1]:
        for name, n in zip(latest, row[1:-1]):
            if n:
                g.add(row[0], n, None, None, name)
    g.add("Total", table.rows[-1][-1], kind="total")


def _england(g: _Grid, figures: Figures) -> None:
    """England's published figures beside this return's (:mod:`cin_xl.reports.england`): B-D England's counted,
    out of and percent, E this return's percent (as text), F England's year, source and the DfE's definition."""
    rows = [(r, england_figure(r.figure.key, figures.year)) for key in COMPARED
            if (r := figures.results.get(key)) is not None and isinstance(r.value, Rate)]
    if not rows:
        return
    g.blank()
    g.add("England beside this return", None, None, None, None,
          "England's figures from the DfE's published children in need statistics, each labelled with its census "
          "year; where there is none for this return's year, another year's is shown and named as such.",
          kind="subheading")
    g.add("Figure", "England: number", "Out of", "England %", "This return %", "England's year, source and definition",
          kind="header")
    for r, comparison in rows:
        mine = _pct(r.value_as(Rate).percent)
        mine_text = "–" if mine is None else f"{mine:.1f}%"
        if comparison is None:
            g.add(r.figure.name, None, None, None, mine_text,
                  NO_FIGURE)
            continue
        e = comparison.england
        worked = "" if e.published_percent is not None else " (percentage worked out from the published counts)"
        g.add(r.figure.name, e.numerator, e.denominator, round(e.percent, 1), mine_text,
              f"{comparison.text}. DfE definition: {e.definition} Source: {e.publication}, \"{e.dataset}\"{worked}, "
              f"{e.url}", kind="percent")
    days = figures.get("assessment_working_days")
    comparison = england_figure("assessments_within_45_days", figures.year)
    if isinstance(days, Breakdown) and comparison is not None and comparison.england.bands:
        e = comparison.england
        total = sum(e.bands.values())
        g.blank()
        g.add(f"Assessments by working days taken, beside {comparison.year_text}", None, None, None, None,
              f"England's bands from \"{e.dataset}\" ({e.publication}), as shares of the bands added up "
              f"({total:,}; the published total, {e.denominator:,}, is rounded to the nearest 10). {e.url}",
              kind="subheading")
        g.add("Working days", "England: number", None, "England %", "This return %", None, kind="header")
        for row in days.rows:
            share = days.share(row)
            n = e.bands.get(row.code, 0)
            g.add(row.label, n, None, round(100 * n / total, 1) if total else None,
                  "–" if share is None else f"{share:.1f}%", kind="percent")


def _collect_reports(g: _Grid, figures: Figures, list_sheets: Mapping[str, str]) -> None:
    """COLLECT's reports by name, each with the figures of this sheet showing the same thing; then the sheets the
    child-level lists are written on, each name a link to its sheet."""
    g.blank()
    g.add("COLLECT's reports", kind="section")
    g.add("COLLECT report", None, None, None, None, "In this sheet (figure names), and the child-level lists",
          kind="header")
    for report in COLLECT_REPORTS:
        names = [figures.results[k].figure.name for k in report.figures if k in figures]
        names += [f"list: {LIST_NAMES[k]}" + (f" (the '{list_sheets[k]}' sheet)" if k in list_sheets else "")
                  for k in report.lists]
        text = "; ".join(names) or "–"
        g.add(f"{report.number}. {report.name}", None, None, None, None,
              text + (f". {report.note}" if report.note else ""))
    shown = [spec for spec in LISTS if spec.key in list_sheets]
    if not shown:
        return
    g.blank()
    g.add("The child-level lists, each on a sheet of its own", None, None, None, None,
          "Each list names the child and the census sheet and row of the record; its rows agree with the figures "
          "above.", kind="subheading")
    g.add("List", None, None, None, None, "Sheet", kind="header")
    for spec in shown:
        row = g.add(spec.name, None, None, None, None, list_sheets[spec.key])
        g.layout.links[(row, DEFINITION_COLUMN)] = f"{quote_sheet_name(list_sheets[spec.key])}!A1"


def summary_grid(figures: Figures, *, generated: datetime | None = None,
                 list_sheets: Mapping[str, str] | None = None) -> list[list]:
    """The Summary sheet as rows of values from A1 (every row :data:`WIDTH` cells; see the module doc)."""
    return summary_layout(figures, generated=generated, list_sheets=list_sheets).rows


# ---------------------------------------------------------------------------------------------
# openpyxl
# ---------------------------------------------------------------------------------------------


def add_summary_charts(ws, layout: SummaryLayout) -> list:
    """Add the layout's charts to the openpyxl worksheet ``ws`` (holding the grid); returns them."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.label import DataLabelList
    from openpyxl.chart.marker import DataPoint
    from openpyxl.drawing.text import CharacterProperties, ParagraphProperties

    added = []
    for spec in layout.charts:
        if spec.kind == "line":
            chart = LineChart()
        else:
            chart = BarChart()
            chart.type = "bar"
            chart.gapWidth = 60
            chart.x_axis.scaling.orientation = "maxMin"  # first row at the top
        chart.title = spec.title
        for paragraph in chart.title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1200, b=True))
            for run in paragraph.r or []:
                run.rPr = CharacterProperties(sz=1200, b=True)
        if spec.x_title:
            chart.x_axis.title = spec.x_title
        chart.y_axis.title = spec.y_title
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.scaling.min = 0
        if spec.value_max is not None:
            chart.y_axis.scaling.max = spec.value_max
            chart.y_axis.majorUnit = spec.value_max / 5
        chart.y_axis.number_format = "#,##0"
        if spec.kind == "bar":
            chart.y_axis.crosses = "max"  # with the categories reversed, keeps the values axis at the bottom
        first_col, last_col, header, last = spec.values
        chart.add_data(Reference(ws, min_col=first_col, max_col=last_col, min_row=header, max_row=last),
                       titles_from_data=True)
        col, first, last_cat = spec.categories
        chart.set_categories(Reference(ws, min_col=col, max_col=col, min_row=first, max_row=last_cat))
        for i, series in enumerate(chart.series):
            colour = spec.colours[i % len(spec.colours)]
            if spec.kind == "line":
                series.graphicalProperties.line.solidFill = colour
                series.graphicalProperties.line.width = 28575  # 2.25 pt
                if i < len(spec.dashed) and spec.dashed[i]:
                    series.graphicalProperties.line.dashStyle = "dash"
                series.marker.symbol = "circle"
                series.marker.size = 5
                series.marker.graphicalProperties.solidFill = colour
                series.marker.graphicalProperties.line.solidFill = colour
                series.smooth = False
            else:
                series.graphicalProperties.solidFill = colour
                series.graphicalProperties.line.solidFill = colour
                for index, point_colour in enumerate(spec.point_colours):
                    if point_colour:
                        point = DataPoint(idx=index)
                        point.graphicalProperties.solidFill = point_colour
                        point.graphicalProperties.line.solidFill = point_colour
                        series.dPt.append(point)
        if spec.data_labels:
            chart.dataLabels = DataLabelList(showVal=True, showSerName=False, showCatName=False,
                                             showLegendKey=False, showPercent=False)
        if len(chart.series) == 1:
            chart.legend = None
        else:
            chart.legend.position = "t"
        chart.width, chart.height = spec.width_cm, spec.height_cm
        ws.add_chart(chart, spec.anchor)
        added.append(chart)
    return added


def style_summary_sheet(ws, layout: SummaryLayout) -> None:
    """Fonts, borders, number formats and column widths for the grid (openpyxl)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ink, grey, blue = "0B0C0C", "505A5F", "1D70B8"
    face = "Arial"
    for letter, width in layout.column_widths.items():
        ws.column_dimensions[letter].width = width
    for number, height in layout.row_heights.items():
        ws.row_dimensions[number].height = height
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    right = Alignment(vertical="top", horizontal="right")
    plain, small = Font(name=face, size=10, color=ink), Font(name=face, size=9, color=grey)
    running = set(layout.title_rows) | set(layout.note_rows) | set(layout.section_rows)
    for number, row in enumerate(ws.iter_rows(min_row=1, max_row=len(layout.rows), max_col=WIDTH), start=1):
        for cell in row:
            cell.alignment = top
            cell.font = plain
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = "#,##0"
            elif 2 <= cell.column <= 5 and isinstance(cell.value, str):
                cell.alignment = right
        if number in running:
            continue
        row[0].alignment = wrap
        row[DEFINITION_COLUMN - 1].alignment = Alignment(wrap_text=True, vertical="top", indent=1)
        row[DEFINITION_COLUMN - 1].font = small
    for r in layout.percent_rows:
        ws.cell(r, 4).number_format = "0.0"
    for r in layout.title_rows:
        ws.cell(r, 1).font = Font(name=face, bold=True, size=16, color=ink)
        ws.row_dimensions[r].height = 24
    for r in layout.note_rows:
        ws.cell(r, 1).font = Font(name=face, size=10, color=grey)
    for r in layout.section_rows:
        cell = ws.cell(r, 1)
        cell.font = Font(name=face, bold=True, size=13, color="FFFFFF")
        ws.row_dimensions[r].height = 20
        for c in range(1, WIDTH + 1):
            ws.cell(r, c).fill = PatternFill("solid", fgColor=blue)
    for r in layout.subheading_rows:
        ws.cell(r, 1).font = Font(name=face, bold=True, size=11, color=ink)
    rule = Side(style="thin", color="B1B4B6")
    heavy = Side(style="medium", color=ink)
    for r in layout.header_rows:
        for c in range(1, WIDTH + 1):
            cell = ws.cell(r, c)
            cell.font = Font(name=face, bold=True, size=10, color=ink)
            cell.border = Border(bottom=rule)
            cell.alignment = Alignment(wrap_text=True, vertical="bottom",
                                       horizontal="right" if 2 <= c <= 5 else "left")
    for r in layout.total_rows:
        for c in range(1, WIDTH):
            cell = ws.cell(r, c)
            cell.font = Font(name=face, bold=True, size=10, color=ink)
            cell.border = Border(top=rule, bottom=heavy)


def write_summary_sheet(wb, figures: Figures, *, generated: datetime | None = None,
                        list_sheets: Mapping[str, str] | None = None):
    """Create or replace the "Summary" sheet of the openpyxl workbook ``wb``: values, styles, charts, and the
    links to the list sheets (``list_sheets``, see :func:`summary_layout`: a link in the workbook, never a formula).

    A new sheet goes after the "Start" sheet when there is one, else last; a replaced sheet keeps
    its place. Returns the worksheet.
    """
    layout = summary_layout(figures, generated=generated, list_sheets=list_sheets)
    index = None
    if SUMMARY_SHEET in wb.sheetnames:
        index = wb.sheetnames.index(SUMMARY_SHEET)
        wb.remove(wb[SUMMARY_SHEET])
    elif "Start" in wb.sheetnames:
        index = wb.sheetnames.index("Start") + 1
    ws = wb.create_sheet(SUMMARY_SHEET, index)
    for row in layout.rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if looks_like_formula(cell.value):  # a source name or code quoted from the user's data
                cell.data_type, cell.quotePrefix = "s", True
    style_summary_sheet(ws, layout)
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    for (r, c), location in layout.links.items():
        cell = ws.cell(r, c)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=location, tooltip=f"Go to the {cell.value} sheet")
        cell.font = Font(name="Arial", size=10, color="1D70B8", underline="single")
    add_summary_charts(ws, layout)
    from openpyxl.worksheet.pagebreak import Break

    for break_row in layout.page_breaks:
        ws.row_breaks.append(Break(id=break_row - 1))
    ws.sheet_view.showGridLines = False
    from openpyxl.worksheet.page import PageMargins

    ws.page_margins = PageMargins(**MARGINS_IN)  # as page_capacity takes them
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws
