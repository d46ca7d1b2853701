"""cin-xl buttons for xlwings Lite: paste into the xlwings Lite editor (main.py).

Each @script function appears as a button in the xlwings Lite task pane. Validate and Clear work
entirely inside Excel; exporting and importing census XML need files on your computer, which
xlwings Lite cannot reach, so they are done with the cin-xl command line or the desktop workbook
(see docs/excel.md). Any failure is shown as a message, never a traceback.
"""

import xlwings as xw
from xlwings import script

import cin_xl.excel


@script
def validate(book: xw.Book):
    """Check the census and mark every problem in the workbook."""
    cin_xl.excel.run_button(book, "validating the census", lambda b: cin_xl.excel.validate(b, show=True))


@script
def clear_marks(book: xw.Book):
    """Remove the validation marks."""
    cin_xl.excel.run_button(book, "clearing the validation marks",
                            lambda b: b.app.alert(cin_xl.excel.clear(b).message, title="Clear"))
