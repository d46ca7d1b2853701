"""The data rows of the module sheets are written without openpyxl's cost per cell (``template._DataRows``):
the sheet and styles parts must be what openpyxl writes for the same cells, byte for byte."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

from cin_xl.workbook.template import _data_cell, _DataRows, _splice_rows

ROWS = [
    ["C001", "  spaces kept  ", "two\nlines", "a\r\nb", "<&> \"quoted\" 'x'", "é ü ñ 中文 🙂"],
    ["=SUM(A1:A2)", "+44 1234", "-5", "@home", "\tTab first", "\nline first", "＝full width"],
    ["x_x0041_y", "_x005F_", "control\x01char", "\x02", "#N/A", "#DIV/0!", "", " ", "="],
    [0, 1, -3, 12345678901234567890, 2.5, 1e20, 1 / 3, float("nan"), float("inf"), Decimal("1.5"), True],
    [date(2026, 4, 1), date(1900, 1, 15), date(1900, 3, 1), datetime(2026, 4, 1), datetime(2026, 4, 1, 13, 45, 10),
     datetime(1899, 12, 31), date(2026, 4, 1)],
    [None, None, "after blanks", None],
    [None],
    [],
    ["=1+1", date(2027, 3, 31), datetime(2027, 3, 31, 23, 59, 59), "plain"],
    ["C001", "=SUM(A1:A2)", date(2026, 4, 1), "#N/A", "", datetime(2027, 3, 31, 23, 59, 59), "plain"],  # repeated
]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml holds the time


def _by_openpyxl(rows: list[list[object]]) -> dict[str, bytes]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet")
    ws.append(["Header"])
    for row in rows:
        # an empty text is written as a blank cell, where openpyxl writes t="inlineStr" with no text (repaired
        # by Excel): the one deliberate difference
        ws.append([_data_cell(ws, None if v == "" else v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return _parts(buf.getvalue())


def _by_data_rows(rows: list[list[object]]) -> dict[str, bytes]:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sheet")
    ws.append(["Header"])
    body = io.BytesIO()
    _DataRows(ws).write(rows, 2, body)
    buf = io.BytesIO()
    wb.save(buf)
    return _parts(_splice_rows(buf.getvalue(), {ws.path.lstrip("/"): body}))


def test_rows_are_written_as_openpyxl_writes_them():
    expected, got = _by_openpyxl(ROWS), _by_data_rows(ROWS)
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name] == expected[name], name


def test_cell_formats_are_registered_in_the_order_openpyxl_meets_them():
    rows = [["=guarded first"], [datetime(2026, 4, 1, 9, 30)], [date(2026, 4, 1)], ["-x", date(2027, 1, 1)]]
    assert _by_data_rows(rows) == _by_openpyxl(rows)

