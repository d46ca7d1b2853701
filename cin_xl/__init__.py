"""cin-xl: prepare, check and submit the DfE children in need census from an Excel workbook."""

__version__ = "0.1.0"
