"""The xlwings Lite glue: its scripts run on a remote book, its requirements name the wheel this
repository builds, and serve_wheel.py sends the header xlwings Lite needs to fetch it."""

from __future__ import annotations

import importlib.util
import threading
import urllib.request
from pathlib import Path

from cin_xl import __version__
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook
from tests.excel_harness import run_excel_function

LITE = Path(__file__).resolve().parents[2] / "workbook_templates" / "xlwings-lite"
YEAR = CensusYear.parse("2026-27")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"_lite_{name}", LITE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_lite_scripts_validate_and_clear(tmp_path):
    main = _module("main")
    path = tmp_path / "census.xlsx"
    write_workbook(path, generate(20, YEAR, 2), YEAR)
    for script, words in ((main.validate, "found"), (main.clear_marks, "cleared")):
        actions = run_excel_function(script, path).actions
        alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
        assert len(alerts) == 1 and words in alerts[0] and "Traceback" not in alerts[0]


def test_requirements_name_the_wheel_of_this_version():
    lines = [line for line in (LITE / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == [f"http://localhost:8765/cin_xl-{__version__}-py3-none-any.whl"]


def test_serve_wheel_sends_the_cors_header(tmp_path):
    serve = _module("serve_wheel")
    wheel = tmp_path / "cin_xl-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK")
    server = serve.serve(str(tmp_path), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{wheel.name}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert answer.headers["Access-Control-Allow-Origin"] == "https://addin.xlwings.org"
            assert answer.read() == b"PK"
    finally:
        server.shutdown()
        server.server_close()
