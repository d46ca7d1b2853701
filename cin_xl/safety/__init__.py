"""File safety: where a command may write, atomic writes, stop signals, what a file is, text kept as text."""
