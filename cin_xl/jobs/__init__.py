"""The jobs behind the CLI and the Excel buttons, each written once.

Each job takes its inputs and options and returns a small result: what it found (findings) and what it
wrote or would write. Jobs print nothing and know no front end: :mod:`cin_xl.cli` and
:mod:`cin_xl.excel` translate arguments and show the results.

- :mod:`~cin_xl.jobs.load`: read census XML or a workbook (and last year's return);
- :mod:`~cin_xl.jobs.validate`: every finding of a return (reading, schema, rules, continuity);
- :mod:`~cin_xl.jobs.export`: the census XML of a workbook, refused while errors remain unless allowed;
- :mod:`~cin_xl.jobs.import_`: census XML for a workbook;
- :mod:`~cin_xl.jobs.annotate`: the findings marked into a workbook file, with its Summary sheet;
- :mod:`~cin_xl.jobs.report`: the key figures as an HTML page;
- :mod:`~cin_xl.jobs.rollover`: next year's workbook from last year's return.
"""
