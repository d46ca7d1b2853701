"""File safety: where a command may write, atomic writes, stop signals, what a file is, text a spreadsheet would evaluate."""
