"""The Excel buttons never show a traceback: failures become a message naming a log file; a
workbook opened from OneDrive or SharePoint exports to a local folder; the status bar says what
is happening. Driven through xlwings' remote engine (tests/excel_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cin_xl import excel
from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.workbook.writer import write_workbook
from tests.excel_harness import run_excel_function

YEAR = CensusYear.parse("2026-27")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "census 2026-27.xlsx"
    write_workbook(path, generate(30, YEAR, 4), YEAR)
    return path


def _alerts(actions) -> list[str]:
    return [a["args"][0] for a in actions if a["func"] == "alert"]


def test_any_failure_is_a_message_naming_a_log_with_the_details(clean, tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "log_folder", lambda: tmp_path / "logs")

    def broken(book):
        {}["no such key"]  # a bug of ours, say

    result = run_excel_function(lambda book: excel.run_button(book, "validating the census", broken), clean)
    (message,) = _alerts(result.actions)
    assert "Traceback" not in message and "\n" not in message  # one paragraph
    assert message.startswith("cin-xl could not finish (validating the census): KeyError")
    (log,) = (tmp_path / "logs").iterdir()
    assert str(log) in message
    details = log.read_text()
    assert "Traceback" in details and "no such key" in details and "validating the census failed" in details


def test_log_falls_back_to_the_temporary_folder(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("")
    monkeypatch.setattr(excel, "log_folder", lambda: blocked / "logs")  # cannot be made
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path))
    path = excel._write_log("exporting", ValueError("x"))
    assert path is not None and path.parent == tmp_path and "ValueError: x" in path.read_text()


class _App:
    def __init__(self):
        self.status, self.alerts = [], []

    @property
    def status_bar(self):
        return self.status[-1] if self.status else False

    @status_bar.setter
    def status_bar(self, value):
        self.status.append(value)

    def alert(self, message, title="", **_):
        self.alerts.append(message)


def test_status_bar_says_what_is_happening_and_is_given_back(tmp_path, monkeypatch):
    book = type("Book", (), {"app": _App()})()
    seen = []
    excel.run_button(book, "exporting the census XML", lambda b: seen.append(b.app.status[-1]))
    assert seen == ["cin-xl: exporting the census XML..."]
    assert book.app.status[-1] is False  # Excel has its status bar back
    monkeypatch.setattr(excel, "log_folder", lambda: tmp_path)
    excel.run_button(book, "validating", lambda b: 1 / 0)
    assert book.app.status[-1] is False and "ZeroDivisionError" in book.app.alerts[-1]


def test_status_bar_is_skipped_on_the_remote_engine(clean):
    """xlwings Lite / remote books have no status bar: the job runs all the same."""
    result = run_excel_function(lambda book: excel.run_button(book, "validating", excel.validate), clean)
    assert result.calls.get("setValues", 0) > 0 and not _alerts(result.actions)


class _OnlineBook:
    """A remote book as if opened from SharePoint: its full name is a web address."""

    def __init__(self, book, url):
        self._book, self.fullname = book, url

    def __getattr__(self, name):
        return getattr(self._book, name)


def test_workbook_on_sharepoint_exports_to_documents(clean, tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    (tmp_path / "Documents").mkdir()
    url = "https://contoso.sharepoint.com/sites/cin/Shared%20Documents/census%202026-27.xlsx"
    result = run_excel_function(lambda book: excel.export_xml(_OnlineBook(book, url)), clean).value
    assert result.ok, result.message
    assert result.path == tmp_path / "Documents" / "census 2026-27-census-2026-27.xml" and result.path.exists()
    assert str(result.path) in result.message and "OneDrive or SharePoint" in result.message


def test_online_workbook_without_documents_folder_exports_to_home(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    book = type("B", (), {"fullname": "https://d.docs.live.net/abc/census.xlsx", "name": "census.xlsx"})()
    assert excel.default_export_path(book, YEAR) == tmp_path / "census-census-2026-27.xml"


def test_export_to_an_unwritable_place_is_a_message(clean, tmp_path):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    target = blocked / "census.xml"  # its folder is a file: nothing can be written there
    result = run_excel_function(excel.export_xml, clean, None, target).value
    assert not result.ok and not target.exists()
    assert result.message.startswith(f"Not exported: {target} could not be written (")


def test_export_button_unwritable_folder_never_a_traceback(clean, tmp_path, monkeypatch):
    """Through the button wrapper: whatever export raises, the user gets a message."""
    monkeypatch.setattr(excel, "log_folder", lambda: tmp_path / "logs")
    monkeypatch.setattr(excel, "default_export_path", lambda book, year: tmp_path / "a file" / "x.xml")
    (tmp_path / "a file").write_text("")
    result = run_excel_function(lambda book: excel.run_button(book, "exporting", lambda b: excel._tell(
        b, excel.export_xml(b).message)), clean)
    (message,) = _alerts(result.actions)
    assert message.startswith("Not exported:") and "could not be written" in message


def test_a_button_leaves_nothing_frozen_for_the_next_one(clean):
    """What validation froze away from the garbage collector (cin_xl.perf.no_gc) is given back when
    the button is done: Excel's Python lives on between buttons."""
    import gc

    gc.unfreeze()
    run_excel_function(lambda book: excel.run_button(book, "validating", excel.validate), clean)
    assert gc.get_freeze_count() == 0
    run_excel_function(excel.validate, clean)  # the job alone, outside a button, does freeze
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
