"""cin-xl buttons for xlwings Lite: paste into the xlwings Lite editor (main.py).

Each @script function appears as a button in the xlwings Lite task pane. Validate and Clear work
entirely inside Excel; exporting and importing census XML need files, so they are done with the
cin-xl command line or the desktop workbook (see docs/excel.md).
"""

import xlwings as xw
from xlwings import script

import cin_xl.excel


@script
def validate(book: xw.Book):
    """Check the census and mark every problem in the workbook."""
    result = cin_xl.excel.validate(book)
    book.app.alert(result.message, title="Validate")


@script
def clear_marks(book: xw.Book):
    """Remove the validation marks."""
    result = cin_xl.excel.clear(book)
    book.app.alert(result.message, title="Clear")
