"""Our own codes that no check function raises: declared here once, taken from here by the code that reads or
writes a file and meets the problem (each finding's message then names the item, cell or line).

The message here is what the code means, as ``cin-xl rules`` lists it and the findings report heads
a group of findings whose own messages differ.
"""

from __future__ import annotations

from cin_xl.validation.findings import Severity
from cin_xl.validation.registry import Family, declare

_ERROR, _QUERY, _X = Severity.ERROR, Severity.QUERY, Family.STRUCTURAL

# The structural checks (cin_xl.validation.structural), from the census specification, on every item.
X_MISSING = declare("X-MISSING", _X, _ERROR, "A required data item is missing",
                    "An item the specification requires for the record is blank or absent.")
X_CODE = declare("X-CODE", _X, _ERROR, "A value is not in the item's code set for the census year",
                 "A coded item holds a value outside its code set in force that year.")
X_DATE = declare("X-DATE", _X, _ERROR, "A date could not be read (type it as dd/mm/yyyy; in census XML, YYYY-MM-DD)",
                 "A date (or date and time) item holds something that is not a date.")
X_BOOL = declare("X-BOOL", _X, _ERROR, "A yes/no item is not true or false",
                 "A yes/no item holds something other than true or false.")
X_NUMBER = declare("X-NUMBER", _X, _ERROR, "A number could not be read, or is negative",
                   "A whole-number item holds something that is not a whole number, 0 or more.")
X_FORMAT = declare("X-FORMAT", _X, _ERROR, "A value does not have the item's format",
                   "A text item is longer than its limit, does not match its pattern, or differs from its fixed value.")

# Reading and writing files.
X_READ = declare("X-READ", _X, _ERROR, "Part of the workbook could not be read",
                 "A row, value, column or sheet of the workbook could not be placed in the return (a query where "
                 "the rest can still be read: a missing sheet or column, a stray value, an unreadable last year's "
                 "return).")
XML = declare("XML", _X, _ERROR, "Part of the census XML could not be read",
              "An element of the census XML could not be read into the return.")
XSD = declare("XSD", _X, _ERROR, "The file breaks the census schema",
              "The census XML file does not validate against the census schema (COLLECT's first gate).")
X_SCHEMA = declare("X-SCHEMA", _X, _ERROR, "The return does not fit the census schema",
                   "The XML exported from the workbook would not validate against the census schema.")
X_TOO_LONG = declare("X-TOO-LONG", _X, _ERROR, "A value is longer than an Excel cell holds",
                     "A value has more characters than an Excel cell holds (32,767): it cannot go into a workbook.")

# Rollover.
FILL_IN = declare("FILL-IN", Family.FILL_IN, _QUERY, "A cell of the new year's workbook to fill in",
                  "A cell rollover could not fill from last year's return: an item new this year, or work open "
                  "at last year's reference date (an assessment or section 47 enquiry still under way). Marked "
                  "until it is filled; an error where a DfE rule fails only because it is blank (the rule's code "
                  "is named: cin_xl.validation.fill_in).")
