"""xlwings Server: the Excel buttons as a web endpoint, for any web framework.

The Office.js add-in posts the workbook as JSON; :func:`run_job` builds the remote ``xw.Book``,
runs the job and returns the actions for the add-in to apply. See
``workbook_templates/xlwings-server/app.py`` for a FastAPI app around it.
"""

from __future__ import annotations

from . import excel

#: the jobs the add-in's buttons can ask for
JOBS = {"validate": excel.validate, "clear": excel.clear}


def run_job(name: str, book_json: dict) -> dict:
    """Run the job ``name`` on the workbook sent by the add-in; the actions to apply in Excel."""
    import xlwings as xw

    job = JOBS.get(name)
    if job is None:
        raise KeyError(f"unknown job {name!r} (jobs: {', '.join(JOBS)})")
    book = xw.Book(json=book_json)
    try:
        result = job(book)
        book.app.alert(result.message, title="cin-xl")
        return book.json()
    finally:
        book.close()
