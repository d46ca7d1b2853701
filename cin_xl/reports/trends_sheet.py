"""The trends as a workbook: a **Trends** sheet with the key figures year by year and native Excel line charts
(``cin-xl report A.xml B.xml ... -o trends.xlsx``).

The sheet shows what the trends page (:mod:`cin_xl.reports.trends`) shows, from the same series and notes:

Columns
    A  the figure's name (or a year, in the notes)
    B. one column a census year, in year order whatever order the returns were given: counts as numbers,
       rates as fractions shown as percentages (the page's value, rounded to one decimal place, over 100);
       a blank cell where the figure was not collected that year (a chart draws a gap there, where text
       would be drawn as 0)
    last  the figure's definition

Rows, top to bottom
    title; what the figures are and when they were worked out; the sentence for each year whose DfE rules
    are not included; the returns read (year, file); "Where a series breaks" (year, what changed); the
    counts; the timeliness rates; then the charts of the headline figures (those at the top of the key
    figures page, :data:`cin_xl.reports.html.HEADLINES`), each a line chart of one row of the table, two
    side by side, in blank rows kept for them.

Nothing on the sheet is a formula: every value is a number or text, and text that a spreadsheet would
evaluate (a file name starting ``=``) is stored as text.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cin_xl.reports.figures import COUNTS, TIMELINESS, Figures
from cin_xl.reports.html import HEADLINES, OKABE_ITO
from cin_xl.reports.trends import Series, break_notes, in_year_order, rules_notes, series
from cin_xl.safety.atomic import write_atomic
from cin_xl.safety.text_guard import looks_like_formula

__all__ = ["TRENDS_SHEET", "TrendsLayout", "TrendChart", "trends_layout", "write_trends_sheet", "trends_workbook_bytes",
           "write_trends_workbook"]

TRENDS_SHEET = "Trends"
#: column widths (characters): the figure's name, each year, the definition
NAME_WIDTH, YEAR_WIDTH, DEFINITION_WIDTH = 50, 11, 80
#: a chart's size (cm) and the height of a default row (cm, 15 points)
CHART_WIDTH_CM, CHART_HEIGHT_CM, ROW_CM = 13.0, 7.0, 0.53
PERCENT_FORMAT, COUNT_FORMAT = "0.0%", "#,##0"


@dataclass(frozen=True)
class TrendChart:
    """A line chart of one table row: the series' values in columns 2..1+years of ``row``, the years in the
    header row above its table."""

    key: str
    title: str
    row: int
    header_row: int
    percent: bool
    anchor: str


@dataclass
class TrendsLayout:
    rows: list[list]
    labels: list[str]
    title_rows: list[int] = field(default_factory=list)
    note_rows: list[int] = field(default_factory=list)
    section_rows: list[int] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    #: rows whose year cells are percentages (fractions of 1)
    percent_rows: list[int] = field(default_factory=list)
    #: rows of the figures' table (name, one value a year, definition)
    figure_rows: list[int] = field(default_factory=list)
    #: series key -> its row, and the header row (the years) of its table
    series_rows: dict[str, int] = field(default_factory=dict)
    header_of: dict[str, int] = field(default_factory=dict)
    charts: list[TrendChart] = field(default_factory=list)
    #: rows starting a printed page: the counts, the timeliness rates, the charts
    page_breaks: list[int] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.labels) + 2

    @property
    def definition_column(self) -> int:
        return self.width


def _column_cm(chars: float) -> float:
    """A column's width on screen (Excel's rule: characters of the default font, 7 pixels, plus 5 pixels)."""
    return (chars * 7 + 5) / 96 * 2.54


def _letter(column: int) -> str:
    from openpyxl.utils.cell import get_column_letter

    return get_column_letter(column)


def trends_layout(all_figures: list[Figures], *, generated: datetime | None = None) -> TrendsLayout:
    """The Trends sheet for the figures of several years (any order): its grid, styling rows and charts."""
    ordered = in_year_order(all_figures)
    labels = [f.year.label for f in ordered]
    generated = generated or datetime.now()
    width = len(labels) + 2
    layout = TrendsLayout(rows=[], labels=labels)

    def add(*cells, kind: str | None = None) -> int:
        row = list(cells)[:width]
        layout.rows.append(row + [None] * (width - len(row)))
        number = len(layout.rows)
        if kind:
            getattr(layout, f"{kind}_rows").append(number)
        return number

    add(f"Children in need census {labels[0]} to {labels[-1]}: trends", kind="title")
    add(f"The key figures of {len(ordered)} returns, year by year, each worked out by the definitions of its own "
        f"census year. Worked out on {generated.day} {generated:%B %Y at %H:%M}.", kind="note")
    add("A blank cell: the figure was not collected that year (see where a series breaks).", kind="note")
    for note in rules_notes(ordered):
        add(note, kind="note")

    add()
    add("Returns", kind="section")
    add("Census year", "Return", kind="header")
    for f in ordered:
        add(f.year.label, Path(f.source).name if f.source else "a return", kind="note")

    add()
    add("Where a series breaks", kind="section")
    add("From", "What changed", kind="header")
    notes = break_notes(ordered)
    for year, note in notes:
        add(year or "Gap", note, kind="note")
    if not notes:
        add("The census collected the same items and codes in every year shown.", kind="note")

    every = series(ordered)
    for section in (COUNTS, TIMELINESS):
        keys = {r.figure.key for f in ordered for r in f if r.figure.section == section}
        add()
        layout.page_breaks.append(add(section, kind="section"))
        header = add("Figure", *labels, "Definition", kind="header")
        for s in every:
            if s.key not in keys:
                continue
            definition = s.definition
            missing = [label for label, v in zip(labels, s.values) if v is None]
            if missing:
                definition += f" Not collected in {', '.join(missing)}."
            number = add(s.name, *_cells(s), definition)
            layout.figure_rows.append(number)
            layout.series_rows[s.key] = number
            if s.percent:
                layout.percent_rows.append(number)
            layout.header_of[s.key] = header

    charted = [s for key in HEADLINES for s in every if s.key == key]
    if charted:
        add()
        layout.page_breaks.append(add("Charts of the headline figures", kind="section"))
        rows_per_chart = math.ceil(CHART_HEIGHT_CM / ROW_CM) + 1
        widths = [NAME_WIDTH] + [YEAR_WIDTH] * len(labels) + [DEFINITION_WIDTH]
        left, second = 0.0, len(widths)
        for column, chars in enumerate(widths, start=1):  # the first column far enough right for a second chart
            if left >= CHART_WIDTH_CM + 0.5:
                second = column
                break
            left += _column_cm(chars)
        top = len(layout.rows) + 2
        for i, s in enumerate(charted):
            row = top + (i // 2) * rows_per_chart
            column = 1 if i % 2 == 0 else second
            layout.charts.append(TrendChart(s.key, s.name, layout.series_rows[s.key], layout.header_of[s.key],
                                            s.percent, f"{_letter(column)}{row}"))
        for _ in range(math.ceil(len(charted) / 2) * rows_per_chart + 1):
            add()
    return layout


def _cells(s: Series) -> list[float | int | None]:
    """A series' values as the sheet holds them: counts as they are, percentages as fractions."""
    if s.percent:
        return [None if v is None else round(v / 100, 6) for v in s.values]
    return list(s.values)


# ---------------------------------------------------------------------------------------------
# openpyxl
# ---------------------------------------------------------------------------------------------


def _style(ws, layout: TrendsLayout) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ink, grey, blue, face = "0B0C0C", "505A5F", "1D70B8", "Arial"
    years = range(2, len(layout.labels) + 2)
    ws.column_dimensions["A"].width = NAME_WIDTH
    for c in years:
        ws.column_dimensions[_letter(c)].width = YEAR_WIDTH
    ws.column_dimensions[_letter(layout.definition_column)].width = DEFINITION_WIDTH
    plain, small = Font(name=face, size=10, color=ink), Font(name=face, size=9, color=grey)
    top = Alignment(vertical="top")
    for row in ws.iter_rows(min_row=1, max_row=len(layout.rows), max_col=layout.width):
        for cell in row:
            cell.font, cell.alignment = plain, top
    for r in layout.title_rows:
        ws.cell(r, 1).font = Font(name=face, bold=True, size=16, color=ink)
        ws.row_dimensions[r].height = 24
    for r in layout.note_rows:
        ws.cell(r, 2).font = plain
    for r in layout.section_rows:
        ws.row_dimensions[r].height = 20
        ws.cell(r, 1).font = Font(name=face, bold=True, size=13, color="FFFFFF")
        for c in range(1, layout.width + 1):
            ws.cell(r, c).fill = PatternFill("solid", fgColor=blue)
    rule = Side(style="thin", color="B1B4B6")
    for r in layout.header_rows:
        for c in range(1, layout.width + 1):
            cell = ws.cell(r, c)
            cell.font = Font(name=face, bold=True, size=10, color=ink)
            cell.border = Border(bottom=rule)
            numeric = c in years and ws.cell(r, c).value in layout.labels
            cell.alignment = Alignment(vertical="bottom", horizontal="right" if numeric else "left",
                                       indent=1 if numeric else 2 if c == layout.definition_column else 0)
    blank = PatternFill("solid", fgColor="F3F2F1")
    percent = set(layout.percent_rows)
    for r in layout.figure_rows:
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        definition = ws.cell(r, layout.definition_column)
        definition.alignment = Alignment(wrap_text=True, vertical="top", indent=2)
        definition.font = small
        for c in years:
            cell = ws.cell(r, c)
            cell.border = Border(bottom=rule)
            cell.alignment = Alignment(vertical="top", horizontal="right", indent=1)
            if cell.value is None:
                cell.fill = blank
            else:
                cell.number_format = PERCENT_FORMAT if r in percent else COUNT_FORMAT
        ws.cell(r, 1).border = definition.border = Border(bottom=rule)
        # Excel does not grow a row to its wrapped text when a file is opened: 9-point text, some 1.6
        # characters a unit of column width
        lines = max(math.ceil(len(str(ws.cell(r, 1).value)) / (NAME_WIDTH * 1.2)),
                    math.ceil(len(str(definition.value)) / (DEFINITION_WIDTH * 1.6)))
        if lines > 1:
            ws.row_dimensions[r].height = min(11.5 * lines + 3, 409.0)


def _add_charts(ws, layout: TrendsLayout) -> list:
    from openpyxl.chart import LineChart, Reference, Series
    from openpyxl.chart.data_source import AxDataSource, StrRef
    from openpyxl.drawing.text import CharacterProperties, ParagraphProperties

    colour = OKABE_ITO["blue"].lstrip("#").upper()
    last_year = len(layout.labels) + 1
    added = []
    for spec in layout.charts:
        chart = LineChart()
        chart.title = spec.title
        for paragraph in chart.title.tx.rich.p:
            paragraph.pPr = ParagraphProperties(defRPr=CharacterProperties(sz=1100, b=True))
            for run in paragraph.r or []:
                run.rPr = CharacterProperties(sz=1100, b=True)
        line = Series(Reference(ws, min_col=1, max_col=last_year, min_row=spec.row), title_from_data=True)
        line.graphicalProperties.line.solidFill = colour
        line.graphicalProperties.line.width = 28575  # 2.25 pt
        line.marker.symbol = "circle"
        line.marker.size = 6
        line.marker.graphicalProperties.solidFill = colour
        line.marker.graphicalProperties.line.solidFill = colour
        line.smooth = False
        # the years are text: a string reference (openpyxl's set_categories would say numbers)
        line.cat = AxDataSource(strRef=StrRef(f=str(Reference(ws, min_col=2, max_col=last_year,
                                                              min_row=spec.header_row))))
        chart.series.append(line)
        chart.display_blanks = "gap"  # a year the figure was not collected: no point, never a 0
        chart.x_axis.title = "Census year"
        chart.y_axis.title = "Percent" if spec.percent else "Number"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.scaling.min = 0
        if spec.percent:
            chart.y_axis.scaling.max = 1
            chart.y_axis.majorUnit = 0.2
            chart.y_axis.number_format = "0%"
        else:
            chart.y_axis.number_format = COUNT_FORMAT
        chart.legend = None
        chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
        ws.add_chart(chart, spec.anchor)
        added.append(chart)
    return added


def write_trends_sheet(wb, all_figures: list[Figures], *, generated: datetime | None = None):
    """Add the "Trends" sheet to the openpyxl workbook ``wb`` (values, styles, charts); returns it."""
    layout = trends_layout(all_figures, generated=generated)
    ws = wb.create_sheet(TRENDS_SHEET)
    for row in layout.rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if looks_like_formula(cell.value):  # a file name quoted from the user's folder
                cell.data_type, cell.quotePrefix = "s", True
    _style(ws, layout)
    _add_charts(ws, layout)
    from openpyxl.worksheet.pagebreak import Break

    for first in layout.page_breaks:
        ws.row_breaks.append(Break(id=first - 1))
    ws.sheet_view.showGridLines = False
    ws.freeze_panes = "B1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def trends_workbook_bytes(all_figures: list[Figures], *, generated: datetime | None = None) -> bytes:
    """A new workbook holding the Trends sheet only, as the bytes of an .xlsx file."""
    from openpyxl import Workbook

    from cin_xl import __version__

    wb = Workbook()
    wb.remove(wb.active)
    write_trends_sheet(wb, all_figures, generated=generated)
    wb.properties.creator = f"cin-xl {__version__}"
    wb.properties.title = wb[TRENDS_SHEET]["A1"].value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_trends_workbook(all_figures: list[Figures], path: str | Path, *, generated: datetime | None = None) -> None:
    """Write the trends workbook to ``path`` whole or not at all."""
    write_atomic(path, trends_workbook_bytes(all_figures, generated=generated))
