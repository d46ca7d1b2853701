"""The census workbook: layout from the spec, the template, the reader and the writer.

- :func:`build_workbook` / :func:`template_bytes` (:mod:`.template`): the workbook for a year, empty or
  filled;
- :func:`write_workbook` / :func:`workbook_bytes` / :func:`census_rows` (:mod:`.writer`): a return as a
  workbook;
- :func:`read_grids` / :func:`read_workbook` (:mod:`.reader`): a workbook back to the return, each value
  with its cell.
"""

from .reader import READ_PROBLEM, SheetRead, WorkbookRead, read_grids, read_workbook, workbook_grids
from .template import build_workbook, issue_rows, template_bytes
from .writer import LookedAfterPeriod, WorkbookRows, census_rows, census_to_workbook, workbook_bytes, write_workbook

__all__ = ["READ_PROBLEM", "SheetRead", "WorkbookRead", "read_grids", "read_workbook", "workbook_grids",
           "build_workbook", "issue_rows", "template_bytes", "LookedAfterPeriod", "WorkbookRows", "census_rows",
           "census_to_workbook",
           "workbook_bytes", "write_workbook"]
