"""The census workbook: layout from the spec, the template, the reader and the writer.

- :func:`build_workbook` / :func:`template_bytes` (:mod:`.template`): the workbook for a year, empty or
  filled;
- :func:`write_workbook` / :func:`workbook_bytes` / :func:`census_rows` (:mod:`.writer`): a return as a
  workbook;
- :func:`read_grids` / :func:`read_workbook` (:mod:`.reader`): a workbook back to the return, each value
  with its cell.
"""

from importlib import import_module

#: name -> module defining it; loaded on first use, so that reading a workbook does not import the
#: template's and writer's openpyxl (a few tenths of a second)
_WHERE = {
    "READ_PROBLEM": "reader", "SheetRead": "reader", "WorkbookRead": "reader", "read_grids": "reader",
    "read_workbook": "reader", "workbook_grids": "reader",
    "build_workbook": "template", "issue_rows": "issues", "template_bytes": "template",
    "LookedAfterPeriod": "writer", "WorkbookRows": "writer", "census_rows": "writer",
    "census_to_workbook": "writer", "workbook_bytes": "writer", "write_workbook": "writer",
}
__all__ = list(_WHERE)


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
