"""The census declared once: its items, code sets, years, values and dates."""
