"""Spreadsheet column letters and numbers: defined with the package plumbing
(:mod:`cin_xl.workbook.package.columns`), named here too for the modules that import them from here."""

from cin_xl.workbook.package.columns import column_index, column_letters

__all__ = ["column_index", "column_letters"]
