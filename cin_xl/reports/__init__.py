"""What a person reads: the findings report (:mod:`.findings`, validation results as text, JSON and CSV) and
the key figures (:mod:`.figures`), shown as an HTML page (:mod:`.html`) and as the workbook's Summary sheet
(:mod:`.summary_sheet`)."""
