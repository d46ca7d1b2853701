"""What a person reads: the findings report, the key figures, the HTML report, the Summary sheet."""
