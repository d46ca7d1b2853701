import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
