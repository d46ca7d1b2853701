"""Shared helpers of the workbook tests: grids as openpyxl reads them, and small grid edits."""

from __future__ import annotations

import copy
import io
from functools import cache

from openpyxl import load_workbook

from cin_xl.census.years import CensusYear
from cin_xl.workbook.writer import workbook_bytes


def _load_base():
    """tests/rules/base.py (the hand-made valid return), loaded by path: "rules" is also a top-level package."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "rules" / "base.py"
    spec = importlib.util.spec_from_file_location("_cin_xl_test_base", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


base_return = _load_base().base_return


def grids_of(data: bytes) -> dict[str, list[list[object]]]:
    """Every sheet's values, as ``iter_rows(values_only=True)`` gives them."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            ws.reset_dimensions()
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            width = max((len(r) for r in rows), default=0)
            out[ws.title] = [r + [None] * (width - len(r)) for r in rows]
        return out
    finally:
        wb.close()


@cache
def _base_grids(label: str) -> dict[str, list[list[object]]]:
    year = CensusYear.parse(label)
    return grids_of(workbook_bytes(base_return(label), year))


def base_grids(label: str = "2026-27") -> dict[str, list[list[object]]]:
    """The grids of the base return's workbook (a fresh copy to edit)."""
    return copy.deepcopy(_base_grids(label))


def col(grid: list[list[object]], header: str) -> int:
    """Index of the column headed ``header`` in row 1."""
    return grid[0].index(header)


def cell(grid: list[list[object]], row: int, header: str) -> object:
    """Value at sheet row ``row`` (1-based, headers in row 1) under ``header``."""
    return grid[row - 1][col(grid, header)]


def put(grid: list[list[object]], row: int, header: str, value: object) -> None:
    grid[row - 1][col(grid, header)] = value


def move_column(grid: list[list[object]], header: str, to: int) -> None:
    i = col(grid, header)
    for r in grid:
        r.insert(to, r.pop(i) if i < len(r) else None)
