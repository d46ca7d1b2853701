"""What people read has no source paths, raw keys or bare numbers (issue 17, item 3): the HTML report's
footer, the age rows of the key figures, the progress counts, the Factors prompt's example."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from io import BytesIO

from openpyxl import load_workbook

from cin_xl.census.spec.codesets import CODE_SETS
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.reports.html import render_html
from cin_xl.reports.summary_sheet import summary_grid
from cin_xl.workbook.template import MANY_CODES_EXAMPLE, build_workbook
from tests.figures.build import child, d, episode, figures

YEAR = CensusYear.parse("2026-27")
WHEN = datetime(2027, 4, 20, 10, 30)


def _figures():
    return figures(child(episode(d("2026-05-01")), born=d("2026-09-01")),
                   child(episode(d("2026-05-01")), born=d("2015-01-01"), sex="M"))


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_html_report_points_at_no_source_file():
    page = render_html(_figures(), generated=WHEN)
    footer = page[page.index("<footer"):]
    assert "cin_xl" not in footer and ".py" not in footer and "figures/" not in footer
    assert "cin_xl/" not in _text(page)


def test_age_rows_read_as_labels_not_keys():
    page = " ".join(_text(render_html(_figures(), generated=WHEN)).split())
    assert "Under 1" in page and "1 to 4" in page
    for key in ("under1", "unborn Unborn", "1-4 1 to 4", "10-15"):
        assert key not in page, key
    labels = [row[0] for row in summary_grid(_figures(), generated=WHEN) if row and isinstance(row[0], str)]
    assert "Under 1" in labels and "10 to 15" in labels
    assert not any(label.startswith(("under1", "unborn ", "1-4 ", "10-15 ")) for label in labels)
    assert any(label == "M Male" for label in labels)  # census codes are still shown beside their labels


def test_many_code_prompts_give_codes_of_their_own_code_set():
    for label in SUPPORTED_YEARS:
        year = CensusYear.parse(label)
        for codeset, codes in MANY_CODES_EXAMPLE.items():
            assert set(codes) <= CODE_SETS[codeset].valid(year), (label, codeset)
    wb = load_workbook(BytesIO(build_workbook(YEAR)))
    ws = wb["Assessments"]
    head = [c.value for c in ws[1]]
    letter = ws.cell(1, next(i for i, h in enumerate(head, 1) if h and h.startswith("Factors"))).column_letter
    prompts = [dv.prompt for dv in ws.data_validations.dataValidation if f"{letter}2" in str(dv.sqref)]
    assert prompts and "3B, 4B" in prompts[0] and "MOB" not in prompts[0]
