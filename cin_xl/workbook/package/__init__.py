"""The workbook as an Open Packaging (zip) package: parts read and written directly, without re-saving.

Below the rest of the workbook layer (it imports none of it):

- :mod:`.ooxml`: namespaces, content types, relationship types, the order of a worksheet's children,
  relationship part names and targets, free part names, sheet names in formulas;
- :mod:`.columns`: column letters and cell references;
- :mod:`.read` (with :mod:`.limits`): a workbook's sheets read as values, within size limits;
- :mod:`.write`: :class:`~.write.Package`, a workbook opened for writing and committed whole or not at all;
  :mod:`.sheet_rows` and :mod:`.sheet` a worksheet part read and edited cell by cell, :mod:`.row_text` its
  rows as bytes, :mod:`.styles` the cell formats, :mod:`.values` a cell's value as XML,
  :mod:`.fingerprint` whether the file changed since it was read.
"""
