"""The workbook as an Open Packaging (zip) package: parts read and written directly, without re-saving."""
