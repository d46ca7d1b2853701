"""Trends: the key figures of several census years side by side (``cin-xl report A.xml B.xml ... -o trends.html``).

Each year's figures are worked out by its own definitions (:func:`cin_xl.reports.figures.compute_figures` with
that year); the counts and the timeliness rates are shown year by year, as a table and as a chart per figure.
Where a series breaks, a note says why, from the spec itself: an item, group or code that one year has and the
year before had not (CIN plans first collected in 2021-22, referral source 5D in 2022-23, Sex for GenderCurrent
in 2024-25...), and a figure that does not apply in a year is shown as such, never as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from cin_xl import __version__
from cin_xl.census.model import (
    Assessment,
    ChildCharacteristics,
    ChildIdentifiers,
    ChildProtectionPlan,
    CINDetails,
    CINPlan,
    Section47,
)
from cin_xl.census.spec import CODE_SETS, Group, fields_of
from cin_xl.census.years import CensusYear
from cin_xl.errors import UnusableInput
from cin_xl.reports.figures import COUNTS, TIMELINESS, Figures, Rate
from cin_xl.reports.html import _axis, page_head
from cin_xl.safety.atomic import write_atomic
from cin_xl.validation.catalogue import rules_not_included_note

#: the records whose items and groups are compared (a new group's own items come with it: not listed again)
_RECORDS = (ChildIdentifiers, ChildCharacteristics, CINDetails, Assessment, CINPlan, Section47, ChildProtectionPlan)


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    definition: str
    #: one value a year, in year order: a count, a percentage, or None where the figure does not apply
    values: tuple[float | int | None, ...]
    percent: bool


def breaks(earlier: CensusYear, later: CensusYear) -> list[str]:
    """What the census of ``later`` collects differently from ``earlier``'s, in words, from the spec."""
    notes: list[str] = []
    for cls in _RECORDS:
        before = {f.name: f for f in fields_of(cls, earlier)}
        after = {f.name: f for f in fields_of(cls, later)}
        for name, f in after.items():
            if name not in before:
                kind = "group" if isinstance(f.spec, Group) else "item"
                notes.append(f"{f.spec.label} ({kind} {f.spec.xml}) first collected in {later.label}")
        for name, f in before.items():
            if name not in after:
                notes.append(f"{f.spec.label} ({f.spec.xml}) no longer collected from {later.label}")
    for name, codeset in CODE_SETS.items():
        old = {c.code for c in codeset.for_year(earlier)}
        new = {c.code for c in codeset.for_year(later)}
        if old and new and old != new:
            added, gone = sorted(new - old), sorted(old - new)
            parts = ([f"{', '.join(added)} added"] if added else []) + ([f"{', '.join(gone)} retired"] if gone else [])
            notes.append(f"{name} codes in {later.label}: {'; '.join(parts)}")
    return notes


def series(all_figures: list[Figures]) -> list[Series]:
    """The counts and timeliness rates of every year, one series per figure, in report order."""
    keys: list[str] = []
    for figures in all_figures:
        keys += [r.figure.key for r in figures if r.figure.section in (COUNTS, TIMELINESS) and r.figure.key not in keys]
    out = []
    for key in keys:
        values: list[float | int | None] = []
        figure = None
        percent = False
        for figures in all_figures:
            result = figures.results.get(key)
            if result is None:
                values.append(None)
                continue
            figure = result.figure
            if isinstance(result.value, Rate):
                percent = True
                values.append(None if result.value.percent is None else round(result.value.percent, 1))
            elif isinstance(result.value, int):
                values.append(result.value)
            else:
                values.append(None)
        if figure is not None and any(v is not None for v in values):
            out.append(Series(key, figure.name, figure.definition, tuple(values), percent))
    return out


def in_year_order(all_figures: list[Figures]) -> list[Figures]:
    """The figures in year order; two returns of one year cannot make a trend."""
    ordered = sorted(all_figures, key=lambda f: f.year)
    for a, b in zip(ordered, ordered[1:]):
        if a.year == b.year:
            raise UnusableInput(f"{a.source} and {b.source} are both the census {a.year.label}: give one return a year")
    return ordered


def break_notes(ordered: list[Figures]) -> list[tuple[str, str]]:
    """Where a series breaks, for figures in year order: (the year it breaks in, what changed), then
    ("", a gap between two years given) for each run of years with no return."""
    notes = [(b.year.label, note) for a, b in zip(ordered, ordered[1:]) for note in breaks(a.year, b.year)]
    notes += [("", f"{a.year.label} to {b.year.label}: no return of the years between")
              for a, b in zip(ordered, ordered[1:]) if b.year.first - a.year.first > 1]
    return notes


def rules_notes(ordered: list[Figures]) -> list[str]:
    """The sentence said for each year whose DfE rules are not included (2020-21, 2021-22), once a year."""
    return [note for note in dict.fromkeys(rules_not_included_note(f.year) for f in ordered) if note]


#: the small charts: size, margins, and the narrowest room a year's label may have before some are left out
CHART_WIDTH, CHART_HEIGHT, _LEFT, _RIGHT, _TOP, _BOTTOM, _LABEL_ROOM = 320, 160, 44, 22, 12, 24, 34


def _chart(s: Series, labels: list[str]) -> str:
    """A small line chart (inline SVG, no script): one point a year, each with its value as a tooltip, gaps where
    the figure does not apply; the vertical axis from 0 (to 100% for a percentage) with its gridlines."""
    width, height, left, top = CHART_WIDTH, CHART_HEIGHT, _LEFT, _TOP
    plot_h = height - top - _BOTTOM
    known = [v for v in s.values if v is not None]
    top_value, ticks = (100.0, [0.0, 25.0, 50.0, 75.0, 100.0]) if s.percent else _axis(max(known, default=0) or 1)
    step = (width - left - _RIGHT - 8) / max(len(labels) - 1, 1)
    every = max(1, math.ceil(_LABEL_ROOM / step)) if step else 1
    shown = list(range(0, len(labels), every))  # the years labelled: the first, every few, and the last
    if shown[-1] != len(labels) - 1:
        if len(labels) - 1 - shown[-1] < every:
            shown.pop()
        shown.append(len(labels) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + 8 + i * step, top + plot_h * (1 - v / top_value)

    unit = "%" if s.percent else ""
    grid = "".join(f'<line x1="{left}" y1="{xy(0, t)[1]:.1f}" x2="{width - _RIGHT + 8}" y2="{xy(0, t)[1]:.1f}" '
                   f'stroke="{"#8a8f92" if t == 0 else "#e1e3e4"}"/><text x="{left - 5}" y="{xy(0, t)[1] + 4:.1f}" '
                   f'font-size="11" text-anchor="end" fill="#505a5f">{t:,g}{unit}</text>' for t in ticks)
    paths: list[list[tuple[float, float]]] = []
    segment: list[tuple[float, float]] = []
    for i, v in enumerate(s.values):
        if v is None:
            if segment:
                paths.append(segment)
            segment = []
        else:
            segment.append(xy(i, v))
    if segment:
        paths.append(segment)
    lines = "".join('<polyline fill="none" stroke="#1d70b8" stroke-width="2" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in p) + '"/>' for p in paths)
    dots = "".join(f'<circle cx="{xy(i, v)[0]:.1f}" cy="{xy(i, v)[1]:.1f}" r="3" fill="#1d70b8">'
                   f"<title>{escape(label)}: {_value(v, s.percent)}</title></circle>"
                   for i, (label, v) in enumerate(zip(labels, s.values)) if v is not None)
    years = "".join(f'<text x="{xy(i, 0)[0]:.1f}" y="{height - 7}" font-size="11" text-anchor="middle" '
                    f'fill="#505a5f">{escape(labels[i][2:])}</text>' for i in shown)
    return (f'<figure><svg role="img" aria-label="{escape(s.name)}, year by year" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}">{grid}{lines}{dots}{years}</svg>'
            f'<figcaption>{escape(s.name)}</figcaption></figure>')


def _value(value: float | int, percent: bool) -> str:
    return f"{value:.1f}%" if percent else f"{value:,}"


def _cell(value: float | int | None, percent: bool) -> str:
    if value is None:
        return '<td class="num na">not collected</td>'
    return f'<td class="num">{_value(value, percent)}</td>'


_CSS = """
body{margin:0 auto;max-width:1100px;padding:0 24px 40px;font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;
 color:#0b0c0c;font-size:17px;line-height:1.35}
h1{font-size:32px;margin:24px 0 8px}h2{font-size:24px;margin:32px 0 8px}
table{border-collapse:collapse;width:100%;font-size:15px}th,td{border-bottom:1px solid #b1b4b6;padding:6px 8px;
 text-align:left;vertical-align:top}.num{text-align:right;font-variant-numeric:tabular-nums}.na{color:#505a5f}
thead th{white-space:nowrap;vertical-align:bottom}th .small{font-weight:400}
.charts{display:flex;flex-wrap:wrap;gap:12px;margin-top:20px}figure{margin:0;border:1px solid #e5e6e7;padding:6px}
figcaption{font-size:14px;max-width:320px}svg text{font-family:"Helvetica Neue",Helvetica,Arial,sans-serif}
.notes li{margin-bottom:4px}.small{font-size:14px;color:#505a5f}
.rules-note{font-weight:700;border-left:4px solid #d4351c;padding-left:10px}
"""


def render_trends(all_figures: list[Figures], *, generated: datetime | None = None) -> str:
    """The trends page for the figures of several years (any order)."""
    ordered = in_year_order(all_figures)
    labels = [f.year.label for f in ordered]
    generated = generated or datetime.now()
    rows = series(ordered)
    head = "".join(f'<th class="num">{escape(label)}</th>' for label in labels)
    sections = []
    for section in (COUNTS, TIMELINESS):
        keys = {r.figure.key for f in ordered for r in f if r.figure.section == section}
        body = "".join(f'<tr><th scope="row">{escape(s.name)}<div class="small">{escape(s.definition)}</div></th>'
                       + "".join(_cell(v, s.percent) for v in s.values) + "</tr>" for s in rows if s.key in keys)
        charts = "".join(_chart(s, labels) for s in rows if s.key in keys)
        sections.append(f'<h2>{escape(section)}</h2><table><thead><tr><th>Figure</th>{head}</tr></thead>'
                        f'<tbody>{body}</tbody></table><div class="charts">{charts}</div>')
    note_items = "".join(f"<li><strong>{escape(y)}</strong>: {escape(n)}</li>" if y else f"<li>{escape(n)}</li>"
                         for y, n in break_notes(ordered))
    rules = "".join(f'<p class="rules-note">{escape(note)}</p>' for note in rules_notes(ordered))
    sources = "".join(f"<li>{escape(f.year.label)}: {escape(Path(f.source).name if f.source else 'a return')}</li>"
                      for f in ordered)
    title = f"Children in need census {labels[0]} to {labels[-1]}: trends"
    return f"""{page_head(title, _CSS)}
<body>
<main>
<h1>{escape(title)}</h1>
<p>The key figures of {len(ordered)} returns, year by year, each worked out by the definitions of its own census year.
Worked out on {generated.day} {generated:%B %Y at %H:%M} by cin-xl {escape(__version__)}.</p>
<ul>{sources}</ul>
{rules}<h2>Where a series breaks</h2>
<ul class="notes">{note_items or "<li>The census collected the same items and codes in every year shown.</li>"}</ul>
{"".join(sections)}
</main>
</body>
</html>
"""


def write_trends(all_figures: list[Figures], path: str | Path, *, generated: datetime | None = None) -> None:
    """Write the trends page to ``path`` whole or not at all."""
    write_atomic(path, render_trends(all_figures, generated=generated).encode("utf-8"))
