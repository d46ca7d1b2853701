"""The key figures as one standalone HTML page: tables, definitions and inline SVG charts.

The page needs nothing else: no JavaScript, no web fonts, no images or style sheets to fetch. Its
look follows the GOV.UK statistics pages (black header with a blue rule, large headings, plain
tables with grey rules); chart colours come from the Okabe-Ito palette, which stays distinguishable
with the common kinds of colour blindness. Every figure is shown with its definition from
:mod:`cin_xl.reports.figures`.

``render_html(figures)`` gives the page as text; ``write_html(figures, path)`` writes it whole or
not at all. The chart functions (``line_chart``, ``bar_chart``, ``percent_chart``) return ``<svg>``
elements and can be used on their own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from pathlib import Path

from cin_xl import __version__
from cin_xl.progress import phase
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
    Result,
    Table,
)
from cin_xl.reports.figures.collect import COLLECT_REPORTS, reports_showing
from cin_xl.reports.figures.year_on_year import PERCENT, is_percent
from cin_xl.safety.atomic import write_atomic
from cin_xl.validation.catalogue import rules_not_included_note
from cin_xl.validation.findings import plural, totals_text

__all__ = ["render_html", "write_html", "line_chart", "bar_chart", "percent_chart", "pair_chart", "OKABE_ITO",
           "LAST_YEAR_COLOUR", "MONTHLY_CHARTS", "FACTORS_LEAVE_OUT", "TOP_FACTORS"]

#: the Okabe-Ito palette (black first)
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
_INK, _GREY, _RULE, _LIGHT = "#0b0c0c", "#505a5f", "#b1b4b6", "#f3f2f1"
#: year on year: last year's bars grey beside this year's blue
LAST_YEAR_COLOUR = _RULE

#: the monthly charts: (title, [(figure key, colour, dashed)])
MONTHLY_CHARTS = (
    ("Referrals and assessments by month", [
        ("monthly_referrals", OKABE_ITO["blue"], False),
        ("monthly_assessments_started", OKABE_ITO["orange"], False),
        ("monthly_assessments_completed", OKABE_ITO["bluish_green"], True),
    ]),
    ("Plans starting and ending by month", [
        ("monthly_cin_plans_started", OKABE_ITO["blue"], False),
        ("monthly_cin_plans_ended", OKABE_ITO["sky_blue"], True),
        ("monthly_cp_plans_started", OKABE_ITO["vermillion"], False),
        ("monthly_cp_plans_ended", OKABE_ITO["orange"], True),
    ]),
)
#: factors chart: the largest TOP_FACTORS factors, leaving out "no factors identified"
TOP_FACTORS, FACTORS_LEAVE_OUT = 15, ("21",)

#: timeliness figures where a high percentage is not "in time" (drawn in another colour)
LONG_PLANS, LONG_PLAN_COLOUR = ("cp_ended_two_years", "cp_open_two_years"), OKABE_ITO["orange"]

#: figures shown as large numbers at the top of the page
HEADLINES = ("children_in_need_at_31_march", "referrals", "re_referrals", "assessments_completed",
             "assessments_within_45_days", "cp_plans_open")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _n(value: object) -> str:
    return f"{value:,}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _nice_step(top: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` intervals up to ``top``."""
    if top <= 0:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * power:
            step = m * power
            return max(1, step) if top >= ticks else step
    return 10 * power


def _axis(top: float) -> tuple[float, list[float]]:
    step = _nice_step(top)
    if step >= 1:
        step = math.ceil(step)
    count = max(1, math.ceil(top / step)) if top > 0 else 5
    return step * count, [step * i for i in range(count + 1)]


def _t(x: float, y: float, text: str, *, size: int = 13, anchor: str = "start", weight: str = "normal",
       fill: str = _INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>')


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------


def line_chart(title: str, categories: Sequence[str], series: Sequence[tuple[str, Sequence[int], str, bool]], *,
               x_label: str, y_label: str, width: int = 960, height: int = 340, ident: str = "line") -> str:
    """Lines over ``categories``; ``series`` are (name, values, colour, dashed)."""
    left, right, bottom = 64, 14, 56
    # legend: entries left to right, wrapping to a new row when the next would not fit
    places, lx, ly = [], 0.0, 42
    for name, *_ in series:
        entry = 40 + 7.0 * len(name) + 28
        if lx and lx + entry > width:
            lx, ly = 0.0, ly + 22
        places.append((lx, ly))
        lx += entry
    top = ly + 26
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, ticks = _axis(max([max(v) for _, v, _, _ in series if v] + [0]))
    body = [_t(0, 18, title, size=16, weight="bold")]
    for (lx, ly), (name, _, colour, dashed) in zip(places, series):
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        body.append(f'<line x1="{lx}" y1="{ly}" x2="{lx + 26}" y2="{ly}" stroke="{colour}" stroke-width="3"{dash}/>'
                    f'<circle cx="{lx + 13}" cy="{ly}" r="3.5" fill="{colour}"/>')
        body.append(_t(lx + 34, ly + 5, name, size=14))
    for value in ticks:
        y = top + plot_h - plot_h * value / top_value
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                    f'stroke="{"#8a8f92" if value == 0 else "#e1e3e4"}" stroke-width="1"/>')
        body.append(_t(left - 8, y + 4.5, _n(int(value)) if value == int(value) else str(value), size=13,
                       anchor="end", fill=_GREY))
    step_x = plot_w / max(1, len(categories))
    xs = [left + step_x * (i + 0.5) for i in range(len(categories))]
    for x, label in zip(xs, categories):
        body.append(_t(x, top + plot_h + 20, label, size=13, anchor="middle", fill=_GREY))
    for name, values, colour, dashed in series:
        points = " ".join(f"{x:.1f},{top + plot_h - plot_h * v / top_value:.1f}" for x, v in zip(xs, values))
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
                    f'stroke-linejoin="round"{dash}><title>{escape(name)}</title></polyline>')
        for x, v in zip(xs, values):
            body.append(f'<circle cx="{x:.1f}" cy="{top + plot_h - plot_h * v / top_value:.1f}" r="3.5" '
                        f'fill="{colour}"><title>{escape(name)}: {_n(v)}</title></circle>')
    body.append(_t(left + plot_w / 2, height - 10, x_label, size=13, anchor="middle"))
    body.append(_t(14, top + plot_h / 2, y_label, size=13, anchor="middle",
                   extra=f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"'))
    desc = "; ".join(f"{name}: " + ", ".join(f"{c} {v}" for c, v in zip(categories, values))
                     for name, values, _, _ in series)
    return _svg(width, height, title, desc, body, ident)


def bar_chart(title: str, rows: Sequence[tuple[str, int]], *, x_label: str, colour: str = OKABE_ITO["blue"],
              width: int = 960, label_width: int = 430, ident: str = "bar") -> str:
    """Horizontal bars, one per (label, value), in the order given; a long label wraps onto a second line (cut
    short past that, whole in its tooltip)."""
    bar_h, gap, top, bottom, right, line_h = 20, 8, 40, 50, 60, 15
    max_chars = int(label_width / 6.6)
    labels = []
    for label, _ in rows:
        lines = _wrap(label, max_chars)
        if len(lines) > 2:
            lines = [lines[0], " ".join(lines[1:])[: max_chars - 1].rstrip() + "…"]
        labels.append(lines)
    heights = [max(bar_h, len(lines) * line_h) for lines in labels]
    plot_bottom = top + sum(h + gap for h in heights)
    height = plot_bottom + bottom
    plot_w = width - label_width - right
    top_value, ticks = _axis(max([v for _, v in rows] + [0]))
    body = [_t(0, 20, title, size=16, weight="bold")]
    for value in ticks:
        x = label_width + plot_w * value / top_value
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" '
                    f'stroke="{"#8a8f92" if value == 0 else "#e1e3e4"}" stroke-width="1"/>')
        body.append(_t(x, plot_bottom + 16, _n(int(value)), size=12, anchor="middle", fill=_GREY))
    y = top
    for (label, value), lines, h in zip(rows, labels, heights):
        middle = y + h / 2
        cut = " ".join(lines) != label
        for k, line in enumerate(lines):
            body.append(_t(label_width - 8, middle - (len(lines) - 1) * line_h / 2 + k * line_h + 4.5, line,
                           size=13, anchor="end", extra=f'><title>{escape(label)}</title' if cut else ""))
        w = plot_w * value / top_value if top_value else 0
        body.append(f'<rect x="{label_width}" y="{middle - bar_h / 2:.1f}" width="{w:.1f}" height="{bar_h}" '
                    f'fill="{colour}"><title>{escape(label)}: {_n(value)}</title></rect>')
        body.append(_t(label_width + w + 6, middle + 4.5, _n(value), size=13, weight="bold"))
        y += h + gap
    body.append(_t(label_width + plot_w / 2, height - 10, x_label, size=13, anchor="middle"))
    desc = "; ".join(f"{label}: {value}" for label, value in rows)
    return _svg(width, height, title, desc, body, ident)


def _percent_grid(left: float, plot_w: float, top: float, plot_bottom: float) -> list[str]:
    """The vertical lines and labels of a 0 to 100% axis, every 20%, under horizontal bars."""
    out = []
    for value in range(0, 101, 20):
        x = left + plot_w * value / 100
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" '
                   f'stroke="{"#8a8f92" if value == 0 else "#e1e3e4"}" stroke-width="1"/>')
        out.append(_t(x, plot_bottom + 16, f"{value}%", size=12, anchor="middle", fill=_GREY))
    return out


def page_head(title: str, css: str) -> str:
    """The start of a self-contained page of cin-xl's, to its <head>'s end (the key figures, the trends)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="cin-xl {escape(__version__)}">
<title>{escape(title)}</title>
<style>{css}</style>
</head>"""


def pair_chart(title: str, rows: Sequence[tuple[str, float | None, float | None]], *, names: tuple[str, str],
               width: int = 960, label_width: int = 360, ident: str = "pair") -> str:
    """Two horizontal bars from 0 to 100% per (label, first, second) percentage (None: no bar), named
    ``names`` in the legend: last year's grey, this year's blue."""
    colours = (LAST_YEAR_COLOUR, OKABE_ITO["blue"])
    line_h, bar_h, gap, top, bottom, right = 17, 14, 18, 64, 50, 90
    wrapped = [_wrap(label, int(label_width / 7.4)) for label, _, _ in rows]
    heights = [max(2 * bar_h + 4, len(lines) * line_h) for lines in wrapped]
    height = top + sum(h + gap for h in heights) + bottom
    plot_w, plot_bottom = width - label_width - right, height - bottom
    body = [_t(0, 20, title, size=16, weight="bold")]
    for i, (name, colour) in enumerate(zip(names, colours)):
        key_x = label_width + i * 200
        body.append(f'<rect x="{key_x}" y="34" width="18" height="12" fill="{colour}"/>')
        body.append(_t(key_x + 24, 45, name, size=14))
    body += _percent_grid(label_width, plot_w, top, plot_bottom)
    y = top
    for (label, first, second), lines, h in zip(rows, wrapped, heights):
        start = y + h / 2 - (len(lines) - 1) * line_h / 2 + 4.5
        for k, line in enumerate(lines):
            body.append(_t(label_width - 8, start + k * line_h, line, size=13, anchor="end"))
        for i, (pct, colour, name) in enumerate(zip((first, second), colours, names)):
            bar_y = y + h / 2 - bar_h - 2 + i * (bar_h + 4)
            if pct is None:
                body.append(_t(label_width + 6, bar_y + bar_h - 2, f"{name}: none", size=12, fill=_GREY))
                continue
            w = plot_w * pct / 100
            body.append(f'<rect x="{label_width}" y="{bar_y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                        f'<title>{escape(label)}, {escape(name)}: {_pct(pct)}</title></rect>')
            body.append(_t(label_width + w + 6, bar_y + bar_h - 2, _pct(pct), size=12))
        y += h + gap
    body.append(_t(label_width + plot_w / 2, height - 10, "Percent", size=13, anchor="middle"))
    desc = "; ".join(f"{label}: {names[0]} {_pct(a)}, {names[1]} {_pct(b)}" for label, a, b in rows)
    return _svg(width, height, title, desc, body, ident)


def percent_chart(title: str, rows: Sequence[tuple[str, Rate] | tuple[str, Rate, str]], *,
                  x_label: str = "Percent", colour: str = OKABE_ITO["bluish_green"], width: int = 960,
                  label_width: int = 360, ident: str = "pct") -> str:
    """Horizontal bars from 0 to 100%, one per (label, rate[, colour]), each labelled with its percentage."""
    bars = [(r[0], r[1], r[2] if len(r) > 2 else colour) for r in rows]
    line_h, gap, top, bottom, right = 17, 16, 40, 50, 170
    wrapped = [_wrap(label, int(label_width / 7.4)) for label, *_ in bars]
    heights = [max(26, len(lines) * line_h) for lines in wrapped]
    height = top + sum(h + gap for h in heights) + bottom
    plot_w = width - label_width - right
    plot_bottom = height - bottom
    body = [_t(0, 20, title, size=16, weight="bold")]
    body += _percent_grid(label_width, plot_w, top, plot_bottom)
    y = top
    for (label, rate, fill), lines, h in zip(bars, wrapped, heights):
        first = y + h / 2 - (len(lines) - 1) * line_h / 2 + 4.5
        for k, line in enumerate(lines):
            body.append(_t(label_width - 8, first + k * line_h, line, size=13, anchor="end"))
        bar_y = y + h / 2 - 13
        body.append(f'<rect x="{label_width}" y="{bar_y:.1f}" width="{plot_w}" height="26" fill="{_LIGHT}"/>')
        pct = rate.percent
        if pct is None:
            body.append(_t(label_width + 8, bar_y + 18, "no cases in the year", size=13, fill=_GREY))
        else:
            w = plot_w * pct / 100
            body.append(f'<rect x="{label_width}" y="{bar_y:.1f}" width="{w:.1f}" height="26" fill="{fill}">'
                        f'<title>{escape(label)}: {_pct(pct)}</title></rect>')
            body.append(_t(label_width + plot_w + 8, bar_y + 18, _pct(pct), size=14, weight="bold"))
            body.append(_t(label_width + plot_w + 62, bar_y + 18, f"{_n(rate.numerator)} of {_n(rate.denominator)}",
                           size=12, fill=_GREY))
        y += h + gap
    body.append(_t(label_width + plot_w / 2, height - 10, x_label, size=13, anchor="middle"))
    desc = "; ".join(f"{label}: {_pct(rate.percent)} ({rate.numerator} of {rate.denominator})"
                     for label, rate, _ in bars)
    return _svg(width, height, title, desc, body, ident)


# ---------------------------------------------------------------------------------------------
# Page
# ---------------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;color:#0b0c0c;background:#fff;
 font-size:19px;line-height:1.32;-webkit-font-smoothing:antialiased}
.width{max-width:1020px;margin:0 auto;padding:0 30px}
.header{background:#0b0c0c;border-bottom:10px solid #1d70b8;color:#fff}
.header .width{display:flex;align-items:baseline;gap:24px;padding-top:14px;padding-bottom:12px}
.logo{font-weight:700;font-size:30px;letter-spacing:-.5px}
.service{font-weight:700;font-size:19px}
.phase{border-bottom:1px solid #b1b4b6;padding:10px 0;font-size:16px}
.tag{display:inline-block;background:#1d70b8;color:#fff;font-weight:700;font-size:14px;letter-spacing:1px;
 text-transform:uppercase;padding:3px 8px 2px;margin-right:10px}
main{padding:40px 0 30px}
.caption{color:#505a5f;font-size:24px;display:block;margin-bottom:5px}
h1{font-size:48px;line-height:1.04;margin:0 0 30px}
h2{font-size:36px;line-height:1.1;margin:60px 0 20px;padding-top:20px;border-top:2px solid #1d70b8}
h3{font-size:24px;margin:40px 0 10px}
p{margin:0 0 20px}
.lead{font-size:24px;max-width:800px}
.inset{border-left:10px solid #b1b4b6;padding:15px;margin:0 0 30px;max-width:800px}
.small{font-size:16px;color:#505a5f}
.contents{margin:0 0 20px;padding:0;list-style:none;font-size:19px}
.contents li{display:inline-block;margin:0 24px 8px 0}
.contents li:before{content:"— ";color:#505a5f}
a{color:#1d70b8}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:20px;margin:30px 0 40px}
.card{border-top:5px solid #1d70b8;background:#f3f2f1;padding:15px 20px 18px}
.card .big{font-size:48px;font-weight:700;line-height:1.1;font-variant-numeric:tabular-nums}
.card .label{font-size:19px;font-weight:700;margin-top:4px}
.card .sub{font-size:16px;color:#505a5f;margin-top:4px}
table{border-collapse:collapse;width:100%;margin:0 0 30px;font-size:16px}
caption{text-align:left;font-weight:700;font-size:24px;margin-bottom:10px}
th,td{text-align:left;vertical-align:top;padding:10px 20px 10px 0;border-bottom:1px solid #b1b4b6}
th{font-weight:700}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
td.name{font-weight:700;width:30%}
td.def{color:#505a5f;font-size:14px;width:46%}
tr.total td{font-weight:700;border-bottom:2px solid #0b0c0c}
.barcell{width:26%}
.bar{display:inline-block;height:14px;background:#0072B2;vertical-align:middle}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 40px}
.figure{margin:10px 0 30px}
.figure svg{max-width:100%;height:auto;display:block;margin-bottom:24px}
table.monthly{font-size:15px}
table.monthly th{white-space:normal;vertical-align:bottom;padding-right:12px}
table.monthly td{padding-right:12px;white-space:nowrap}
.chart text{font-family:"Helvetica Neue",Helvetica,Arial,sans-serif}
dl.defs{font-size:16px;margin:0 0 30px}
dl.defs dt{font-weight:700;margin-top:10px}
dl.defs dd{margin:2px 0 0;color:#505a5f}
.collect{font-weight:700;color:#1d70b8}
.england{color:#505a5f}
.url{word-break:break-all}
.other-year{color:#d4351c}
.england-value{min-width:11em}
.warning{font-weight:700;border:3px solid #d4351c;padding:12px 15px;margin:0 0 20px}
.ok{font-weight:700;border:3px solid #00703c;padding:12px 15px;margin:0 0 20px}
footer{border-top:1px solid #b1b4b6;background:#f3f2f1;padding:25px 0 30px;font-size:16px;color:#505a5f;
 margin-top:40px}
@media (max-width:800px){.cards,.grid2{grid-template-columns:1fr}h1{font-size:32px}}
@media print{h2{break-before:auto}.figure,table{break-inside:avoid}}
"""


def _month_labels(values: Monthly) -> list[str]:
    return [m.strftime("%b") for m in values.months]


def _value_cell(value: object) -> str:
    if value is None:
        return '<td class="num">–</td>'
    if isinstance(value, Rate):
        return f'<td class="num">{_n(value.numerator)} of {_n(value.denominator)} ({_pct(value.percent)})</td>'
    return f'<td class="num">{_n(value)}</td>'


def _definition(result: Result) -> str:
    fig = result.figure
    text = escape(fig.definition)
    if fig.numerator:
        text += (f"<br><strong>Counted:</strong> {escape(fig.numerator)}"
                 f"<br><strong>Out of:</strong> {escape(fig.denominator)}")
    return text + _collect_tag(fig.key)


def _collect_tag(key: str) -> str:
    """The COLLECT reports showing figure or list ``key``, by name (empty when none)."""
    names = [f"{r.number}. {r.name}" for r in reports_showing(key)]
    return (f'<br><span class="collect">In COLLECT: {escape("; ".join(names))}</span>' if names else "")


def _headlines(figures: Figures) -> str:
    cards = []
    for key in HEADLINES:
        if key not in figures:
            continue
        result = figures.results[key]
        value = result.value
        if isinstance(value, Rate):
            big, sub = _pct(value.percent), f"{_n(value.numerator)} of {_n(value.denominator)}"
            england = england_figure(key, figures.year)
            if england is not None:
                sub += f'<br><span class="england">{escape(england.text)}</span>'
        else:
            big, sub = _n(value), ""
        cards.append(f'<div class="card"><div class="big">{big}</div>'
                     f'<div class="label">{escape(result.figure.name)}</div>'
                     + (f'<div class="sub">{sub}</div>' if sub else "") + "</div>")
    return f'<div class="cards">{"".join(cards)}</div>'


def _counts(figures: Figures) -> str:
    rows = "".join(f'<tr id="{_anchor(r.figure.key)}"><td class="name">{escape(r.figure.name)}</td>'
                   f'{_value_cell(r.value)}<td class="def">{_definition(r)}</td></tr>' for r in figures.section(COUNTS))
    return ('<table><thead><tr><th>Figure</th><th class="num">Number</th><th>Definition</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _timeliness(figures: Figures) -> str:
    results = [r for r in figures.section(TIMELINESS) if isinstance(r.value, Rate)]
    chart = percent_chart("Timeliness: percentage of the cases counted",
                          [(r.figure.name, r.value_as(Rate),
                            LONG_PLAN_COLOUR if r.figure.key in LONG_PLANS else OKABE_ITO["bluish_green"])
                           for r in results],
                          x_label="Percent (green: done in time; orange: plans lasting two years or more)",
                          ident="timeliness")
    rows = "".join(
        f'<tr id="{_anchor(r.figure.key)}"><td class="name">{escape(r.figure.name)}</td>'
        f'<td class="num">{_n(rate.numerator)}</td>'
        f'<td class="num">{_n(rate.denominator)}</td><td class="num"><strong>{_pct(rate.percent)}</strong></td>'
        f'<td class="def">{_definition(r)}</td></tr>' for r, rate in ((r, r.value_as(Rate)) for r in results))
    table = ('<table><thead><tr><th>Figure</th><th class="num">Number</th><th class="num">Out of</th>'
             '<th class="num">Percent</th><th>Definition</th></tr></thead>'
             f"<tbody>{rows}</tbody></table>")
    bands = "".join(_breakdown_table(r) for r in figures.section(TIMELINESS) if isinstance(r.value, Breakdown))
    days = figures.get("assessment_working_days")
    if isinstance(days, Breakdown):
        chart_days = bar_chart(figures.results["assessment_working_days"].figure.name,
                               [(r.label, r.count) for r in days.rows], label_width=260, ident="assessment-days",
                               x_label="Assessments completed in the year (up to 41 to 45: within 45 working days)")
        bands = f'<div class="figure">{chart_days}</div>{bands}'
    return f'<div class="figure">{chart}</div>{table}{bands}{_england(figures)}'


def _england(figures: Figures) -> str:
    """England's published figures beside this return's (:mod:`cin_xl.reports.england`), each with its year, its
    source and the DfE's definition; a figure with no England source says so."""
    rows = []
    for key in COMPARED:
        result = figures.results.get(key)
        if result is None or not isinstance(result.value, Rate):
            continue
        mine = _pct(result.value.percent)
        comparison = england_figure(key, figures.year)
        if comparison is None:
            rows.append(f'<tr id="england-{key}"><td class="name">{escape(result.figure.name)}</td>'
                        f'<td class="num">{mine}</td><td>No England figure</td>'
                        f'<td class="def">{escape(NO_FIGURE)}</td></tr>')
            continue
        e = comparison.england
        year_note = f'<div class="small other-year">{escape(comparison.note)}</div>' if comparison.note else ""
        rows.append(f'<tr id="england-{key}"><td class="name">{escape(result.figure.name)}</td>'
                    f'<td class="num">{mine}</td><td class="england-value"><strong>{escape(e.label)}</strong>'
                    f'{year_note}'
                    f'<div class="small">{_n(e.numerator)} of {_n(e.denominator)}</div></td>'
                    f'<td class="def"><strong>DfE definition:</strong> {escape(e.definition)}'
                    '<br><strong>Source:</strong> '
                    f'{escape(e.publication)}, &ldquo;{escape(e.dataset)}&rdquo;'
                    + ("" if e.published_percent is not None else " (percentage worked out from the published counts)")
                    + f'. <span class="url">{escape(e.url)}</span></td></tr>')
    if not rows:
        return ""
    out = ['<h3 id="england">England beside this return</h3>'
           '<p>England\'s figures from the Department for Education\'s published children in need statistics, '
           "for the percentages that compare without population figures. Each is labelled with its census year: "
           "where there is none for this return's year, the one shown is another year's, named as such. The DfE's "
           "figures are built from every authority's submitted returns (and, for re-referrals, earlier years'), "
           "so small differences of definition remain; cin-xl's own definitions are in the tables above.</p>",
           '<table><thead><tr><th>Figure</th><th class="num">This return</th><th>England</th>'
           f'<th>Definition and source</th></tr></thead><tbody>{"".join(rows)}</tbody></table>']
    out.append(_england_bands(figures))
    return "".join(out)


def _england_bands(figures: Figures) -> str:
    """The assessments' working-day bands: this return's shares beside England's."""
    days = figures.get("assessment_working_days")
    comparison = england_figure("assessments_within_45_days", figures.year)
    if not isinstance(days, Breakdown) or comparison is None or not comparison.england.bands:
        return ""
    e = comparison.england
    total = sum(e.bands.values())
    rows = "".join(f'<tr><td>{escape(row.label)}</td><td class="num">{_pct(days.share(row))}</td>'
                   f'<td class="num">{_n(e.bands.get(row.code, 0))}</td>'
                   f'<td class="num">{_pct(100 * e.bands.get(row.code, 0) / total if total else None)}</td></tr>'
                   for row in days.rows)
    return (f'<table id="england-assessment-bands"><caption>Assessments by working days taken: this return beside '
            f'England {escape(e.year)}<div class="small" style="font-weight:400;margin-top:4px">'
            + (f'<span class="other-year">England {escape(e.year)}: {escape(comparison.note)}.</span> '
               if comparison.note else "")
            + 'England\'s bands '
            f'from &ldquo;{escape(e.dataset)}&rdquo; ({escape(e.publication)}), as shares of the bands added up '
            f'({_n(total)}; the published total is {_n(e.denominator)}: England totals are rounded to the nearest 10). '
            f'<span class="url">{escape(e.url)}</span></div></caption><thead><tr><th>Working days</th>'
            f'<th class="num">This return (%)</th><th class="num">England {escape(e.year)} (number)</th>'
            f'<th class="num">England {escape(e.year)} (%)</th></tr></thead><tbody>{rows}</tbody></table>')


def _monthly(figures: Figures) -> str:
    year = figures.year
    charts = []
    for i, (title, keys) in enumerate(MONTHLY_CHARTS):
        series = [(figures.results[k].figure.name, figures.value_as(k, Monthly).values, colour, dashed)
                  for k, colour, dashed in keys if k in figures]
        if not series:
            continue
        labels = _month_labels(figures.value_as(keys[0][0], Monthly))
        charts.append(line_chart(title, labels, series, x_label=f"Month, April {year.first} to March {year.first + 1}",
                                 y_label="Number in the month", ident=f"monthly{i}"))
    results = figures.section(MONTHLY)
    if not results:
        return ""
    months = results[0].value_as(Monthly).months
    head = "".join(f'<th class="num">{escape(r.figure.name)}</th>' for r in results)
    body = []
    for i, month in enumerate(months):
        cells = "".join(f'<td class="num">{_n(r.value_as(Monthly).values[i])}</td>' for r in results)
        body.append(f"<tr><td>{month.strftime('%b %Y')}</td>{cells}</tr>")
    totals = "".join(f'<td class="num">{_n(r.value_as(Monthly).total)}</td>' for r in results)
    body.append(f'<tr class="total"><td>Year</td>{totals}</tr>')
    table = (f'<table class="monthly"><thead><tr><th>Month</th>{head}</tr></thead>'
             f'<tbody>{"".join(body)}</tbody></table>')
    defs = "".join(f"<dt>{escape(r.figure.name)}</dt><dd>{escape(r.figure.definition)}</dd>" for r in results)
    return (f'<div class="figure">{"".join(charts)}</div>'
            f'{table}<dl class="defs">{defs}</dl>')


def _breakdown_table(result: Result) -> str:
    value = result.value_as(Breakdown)
    total = value.total
    largest = max((r.count for r in value.rows), default=0)
    rows = []
    for row in value.rows:
        share = value.share(row)
        bar = f'<span class="bar" style="width:{100 * row.count / largest:.1f}%"></span>' if row.count else ""
        code = f"{escape(row.code)} " if value.shows_codes and row.code and row.code != row.label else ""
        rows.append(f'<tr><td>{code}<span class="small">{escape(row.label)}</span></td>'
                    f'<td class="num">{_n(row.count)}</td><td class="num">{_pct(share)}</td>'
                    f'<td class="barcell">{bar}</td></tr>')
    rows.append(f'<tr class="total"><td>{escape(value.base_label)}</td><td class="num">{_n(total)}</td>'
                '<td class="num"></td><td></td></tr>')
    return (f'<table id="{_anchor(result.figure.key)}"><caption>{escape(result.figure.name)}'
            f'<div class="small" style="font-weight:400;margin-top:4px">{escape(result.figure.definition)}'
            f'{_collect_tag(result.figure.key)}</div></caption><thead><tr><th>Category</th>'
            '<th class="num">Number</th><th class="num">Percent</th>'
            '<th></th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _breakdowns(figures: Figures) -> str:
    out = []
    factors = figures.get("factors")
    if isinstance(factors, Breakdown):
        top = factors.top(TOP_FACTORS, leave_out=FACTORS_LEAVE_OUT)
        left_out = sum(factors.count(c) for c in FACTORS_LEAVE_OUT)
        chart = bar_chart(f"Factors identified at the end of assessment: the {len(top)} most common",
                          [(f"{r.code} {r.label}", r.count) for r in top],
                          x_label="Assessments completed in the year with the factor", ident="factors")
        note = (f'<p class="small">Not in the chart: {plural(left_out, "assessment")} '
                'with "21 No factors identified".</p>' if left_out else "")
        out.append(f'<div class="figure">{chart}{note}</div>')
    pairs = [("referral_source", None), ("primary_need", None), ("cp_started_by_category", None),
             ("abuse_initial", "abuse_latest"), ("age_band", "sex"), ("factors", None)]
    for first, second in pairs:
        tables = [_breakdown_table(figures.results[k]) for k in (first, second) if k and k in figures]
        if len(tables) == 2:
            out.append(f'<div class="grid2">{tables[0]}{tables[1]}</div>')
        else:
            out.extend(tables)
        if second == "abuse_latest" and "abuse_initial_by_latest" in figures:
            out.append(_table(figures.results["abuse_initial_by_latest"]))
    return "".join(out)


def _cell(value: object, numeric: bool) -> str:
    if value is None:
        return '<td class="num">–</td>' if numeric else "<td></td>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<td class="num">{_n(value)}</td>'
    return f"<td>{escape(value.isoformat() if isinstance(value, date) else str(value))}</td>"


def _table(result: Result, *, text_columns: tuple[int, ...] = (0,)) -> str:
    """A figure whose value is a :class:`Table`, with its name and definition as the caption."""
    table = result.value_as(Table)
    head = "".join(f'<th class="{"" if i in text_columns else "num"}">{escape(c)}</th>'
                   for i, c in enumerate(table.columns))
    body = "".join("<tr>" + "".join(_cell(v, i not in text_columns) for i, v in enumerate(row)) + "</tr>"
                   for row in table.rows)
    return (f'<table id="{_anchor(result.figure.key)}"><caption>{escape(result.figure.name)}<div class="small" '
            f'style="font-weight:400;margin-top:4px">{escape(result.figure.definition)}{_collect_tag(result.figure.key)}'
            f"</div></caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _count(figures: Figures, key: str) -> int:
    """A count figure's value; 0 when the figure is absent or was not worked out."""
    value = figures.get(key, 0)
    return value if isinstance(value, int) else 0


def _status(figures: Figures) -> str:
    """The banner at the top: whether the figures come from a return that still has errors or queries."""
    if not figures.checked:
        return ('<p class="warning" id="status">This return was not checked (<code>--no-checks</code>): it may '
                "still have errors that would change these figures.</p>")
    errors, queries = _count(figures, "errors"), _count(figures, "queries")
    if errors:
        return (f'<p class="warning" id="status">This return still has {escape(totals_text(errors, queries, " and "))}'
                ". COLLECT will reject it until the errors are fixed, and fixing them may change these figures. "
                'See <a href="#quality">Data quality</a>.</p>')
    if queries:
        return (f'<p class="warning" id="status">This return has no errors but still has '
                f'{escape(plural(queries, "query"))}: check each, and amend the data or give COLLECT a reason. '
                'See <a href="#quality">Data quality</a>.</p>')
    return '<p class="ok" id="status">No errors or queries: the return passes every check.</p>'


def _rules_note(figures: Figures) -> str:
    """Beside the banner, for a year whose DfE rules are not included: the one sentence every output gives."""
    note = rules_not_included_note(figures.year)
    return f'<p class="warning" id="rules-note">{escape(note)}</p>' if note else ""


def _quality(figures: Figures) -> str:
    out = []
    unreadable = figures.get("unreadable_dates")
    if isinstance(unreadable, int) and unreadable:
        out.append(f'<p class="warning">{plural(unreadable, "date")} could not be read; every figure above treats '
                   f'{"it" if unreadable == 1 else "them"} as absent.</p>')
    if not figures.checked:
        out.append("<p>The return was not checked, so there are no errors and queries to show. Run "
                   "<code>cin-xl report</code> without <code>--no-checks</code>.</p>")
        return "".join(out)
    errors, queries = _count(figures, "errors"), _count(figures, "queries")
    if not errors and not queries:
        out.append('<p class="ok">No errors or queries: the return passes every check.</p>')
    else:
        out.append(f'<div class="cards"><div class="card"><div class="big">{_n(errors)}</div>'
                   '<div class="label">Errors</div>'
                   f'<div class="sub">{escape(figures.results["errors"].figure.definition)}'
                   f'</div></div><div class="card"><div class="big">{_n(queries)}</div><div class="label">Queries</div>'
                   f'<div class="sub">{escape(figures.results["queries"].figure.definition)}</div></div></div>')
    for key in ("findings_by_sheet", "findings_by_rule"):
        result = figures.results.get(key)
        if result is None or not isinstance(result.value, Table) or not result.value.rows:
            continue
        table: Table = result.value
        numeric = {i for i, c in enumerate(table.columns) if c in ("Number", "Errors", "Queries")}
        head = "".join(f'<th class="{"num" if i in numeric else ""}">{escape(c)}</th>'
                       for i, c in enumerate(table.columns))
        body = "".join("<tr>" + "".join(
            f'<td class="num">{_n(v)}</td>' if i in numeric else f"<td>{escape(str(v))}</td>"
            for i, v in enumerate(row)) + "</tr>" for row in table.rows)
        out.append(f'<table id="{_anchor(key)}"><caption>{escape(result.figure.name)}<div class="small" '
                   f'style="font-weight:400;margin-top:4px">{escape(result.figure.definition)}</div></caption>'
                   f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    if unreadable is not None:
        r = figures.results["unreadable_dates"]
        out.append(f'<dl class="defs"><dt>{escape(r.figure.name)}: {_n(unreadable)}</dt>'
                   f"<dd>{escape(r.figure.definition)}</dd></dl>")
    return "".join(out)


def _continuity(figures: Figures) -> str:
    if not figures.compared:
        what = "".join(f"<dt>{escape(r.figure.name)}</dt><dd>{escape(r.figure.definition)}</dd>"
                       for r in figures.section(CONTINUITY))
        return ("<p>Not compared with last year's return. Run <code>cin-xl report FILE --previous LAST.xml</code> "
                "to see whether every child whose case was open at last year's reference date carries on here:"
                f'</p><dl class="defs">{what}</dl>')
    out = []
    rows = []
    for key in ("open_last_year", "open_last_year_present"):
        result = figures.results.get(key)
        if result is not None and result.value is not None:
            rows.append(f'<tr id="{_anchor(key)}"><td>{escape(result.figure.name)}</td>{_value_cell(result.value)}'
                        f'<td class="def">{_definition(result)}</td></tr>')
    out.append(f"<table><tbody>{''.join(rows)}</tbody></table>")
    result = figures.results.get("continuity_by_check")
    if result is None or result.value is None:
        out.append("<p>The return was not checked, so there are no continuity queries to show.</p>")
    elif not result.value_as(Table).rows:
        out.append('<p class="ok">No continuity queries: the return carries on from last year\'s.</p>')
    else:
        body = "".join(f'<tr><td>{escape(code)}</td><td class="num">{_n(n)}</td><td>{escape(message)}</td></tr>'
                       for code, n, message in result.value_as(Table).rows)
        out.append(f'<table id="{_anchor(result.figure.key)}"><caption>{escape(result.figure.name)}<div class="small" '
                   f'style="font-weight:400;margin-top:4px">{escape(result.figure.definition)}</div></caption>'
                   '<thead><tr><th>Check</th>'
                   f'<th class="num">Number</th><th>Message</th></tr></thead><tbody>{body}</tbody></table>')
    yoy = figures.results.get("year_on_year")
    if yoy is not None and yoy.value is not None:
        out.append(_table(yoy, text_columns=(0, 5)))
        last = f"{figures.year.first - 1}-{figures.year.first % 100:02d}"
        percents = [(str(row[0]).removesuffix(PERCENT), row[1], row[2]) for row in yoy.value_as(Table).rows
                    if is_percent(row)]
        if percents:
            out.append('<div class="figure">' + pair_chart("Percentages year on year", percents,
                                                           names=(last, figures.year.label), ident="yoy") + "</div>")
    return "".join(out)


def _anchor(key: str) -> str:
    return f"fig-{key}"


#: rows of a child-level list shown in the page (the CSV holds them all)
LIST_ROWS_SHOWN = 2000


def _collect_index(figures: Figures, targets: dict[str, str]) -> str:
    """COLLECT's reports by name, each linked to the figures and lists showing the same thing (``targets``: figure
    key -> the id of the element showing it)."""
    rows = []
    for report in COLLECT_REPORTS:
        links = [f'<a href="#{targets[k]}">{escape(figures.results[k].figure.name)}</a>' for k in report.figures
                 if k in figures and k in targets]
        links += [f'<a href="#list-{k}">{escape(figures.lists[k].name)} (list)</a>' for k in report.lists
                  if k in figures.lists]
        if report.lists and not figures.lists:
            links.append("list: run <code>cin-xl report</code> with <code>--lists DIR</code>")
        if any(k in COMPARED and k in figures and england_figure(k, figures.year) is not None for k in report.figures):
            links.append('<a href="#england">England beside this return</a>')
        note = f'<div class="small">{escape(report.note)}</div>' if report.note else ""
        rows.append(f'<tr><td class="num">{report.number}</td><td class="name">{escape(report.name)}</td>'
                    f'<td>{"<br>".join(links) or "–"}{note}</td></tr>')
    return ("<p>COLLECT's reports on a children in need return, by the names in the DfE's COLLECT report "
            "specifications, each linked to the figures and lists of this page that show the same thing.</p>"
            '<table><thead><tr><th class="num">No.</th><th>COLLECT report</th><th>In this report</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _lists(figures: Figures, files: dict[str, str] | None) -> str:
    if not figures.lists:
        return ("<p>Not made. Run <code>cin-xl report FILE --lists DIR</code> (or <code>-o lists.csv</code>) for "
                "each assessment, conference and plan behind the timeliness figures, child by child.</p>")
    out = []
    for key, child_list in figures.lists.items():
        link = (f'<p><a href="{escape(files[key])}">{escape(files[key])}</a>: all '
                f'{plural(len(child_list.rows), "row")} as CSV.</p>' if files and key in files else "")
        shown = child_list.rows[:LIST_ROWS_SHOWN]
        more = (f'<p class="small">The first {_n(len(shown))} of {_n(len(child_list.rows))} rows; the CSV holds '
                "them all.</p>" if len(shown) < len(child_list.rows) else "")
        # numbers (working days, a row or an XML line) right-aligned under a right-aligned heading, without a
        # thousands separator: line 1070 is not "1,070"
        numeric = {i for row in shown for i, v in enumerate(row) if isinstance(v, int) and not isinstance(v, bool)}
        head = "".join(f'<th class="num">{escape(c)}</th>' if i in numeric else f"<th>{escape(c)}</th>"
                       for i, c in enumerate(child_list.columns))
        body = "".join("<tr>" + "".join(f'<td class="num">{v}</td>' if i in numeric and isinstance(v, int)
                                        else _cell(v, False) for i, v in enumerate(row)) + "</tr>" for row in shown)
        out.append(f'<details id="list-{escape(key)}"><summary><strong>{escape(child_list.name)}</strong>: '
                   f'{plural(len(child_list.rows), "row")}</summary><p class="small">{escape(child_list.definition)}'
                   f"{_collect_tag(key)}</p>{link}{more}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>")
    return "".join(out)


def render_html(figures: Figures, *, generated: datetime | None = None,
                list_files: dict[str, str] | None = None) -> str:
    """The whole report page for ``figures``."""
    year = figures.year
    generated = generated or datetime.now()
    source = Path(figures.source).name if figures.source else "the return"
    title = f"Children in need census {year.label}: key figures"
    sections = [
        ("counts", COUNTS, _counts(figures)),
        ("timeliness", TIMELINESS, _timeliness(figures)),
        ("monthly", MONTHLY, _monthly(figures)),
        ("breakdowns", BREAKDOWNS, _breakdowns(figures)),
        ("quality", QUALITY, _quality(figures)),
        ("continuity", CONTINUITY, _continuity(figures)),
        ("lists", "Child-level lists", _lists(figures, list_files)),
    ]
    # each figure's own element where it has one, else its section
    shown = set(re.findall(r'id="(fig-[^"]+)"', "".join(html for _, _, html in sections)))
    section_ids = {name: ident for ident, name, _ in sections}
    targets = {r.figure.key: _anchor(r.figure.key) if _anchor(r.figure.key) in shown else section_ids[r.figure.section]
               for r in figures}
    sections.append(("collect", "COLLECT's reports", _collect_index(figures, targets)))
    contents = "".join(f'<li><a href="#{ident}">{escape(name)}</a></li>' for ident, name, _ in sections)
    body = "".join(f'<section id="{ident}"><h2>{escape(name)}</h2>{html}</section>' for ident, name, html in sections)
    return f"""{page_head(title, _CSS)}
<body>
<header class="header"><div class="width"><span class="logo">cin-xl</span>
<span class="service">Children in need census</span></div></header>
<div class="width">
<div class="phase"><span class="tag">Before submission</span>Figures from your own return, to check before
you send it to the Department for Education.</div>
<main>
<span class="caption">Children in need census {escape(year.label)}</span>
<h1>Key figures before submission</h1>
<p class="lead">From <strong>{escape(source)}</strong>, for the census year 1 April {year.first} to
31 March {year.first + 1}. Worked out on {generated.day} {generated:%B %Y at %H:%M}.</p>
<div class="inset">These are cin-xl's own calculations from this one return, made before submission. The
Department's published statistics are built from the submitted returns and may differ; every figure
below says exactly what it counts.</div>
{_status(figures)}
{_rules_note(figures)}
<ul class="contents">{contents}</ul>
{_headlines(figures)}
{body}
</main>
</div>
<footer><div class="width">Made with cin-xl {escape(__version__)}. Each figure says what it counts beside it,
and each is tested on a small hand-made return. Working days leave out weekends and England and Wales bank
holidays.</div></footer>
</body>
</html>
"""


def write_html(figures: Figures, path: str | Path, *, generated: datetime | None = None,
               list_files: dict[str, str] | None = None) -> None:
    """Write the report to ``path`` whole or not at all (``list_files``: list key -> the CSV's link)."""
    with phase(f"Writing {Path(path).name}"):
        data = render_html(figures, generated=generated, list_files=list_files).encode("utf-8", "backslashreplace")
    write_atomic(path, data)
