"""The jobs, each written once: the CLI and the Excel buttons only translate arguments and show results."""
