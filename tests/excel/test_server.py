from cin_xl.server import run_job

from tests.excel_harness import book_json_from_xlsx

from .test_excel_buttons import make_workbook


def test_server_job_returns_actions_with_the_marks_and_a_message(tmp_path):
    path = tmp_path / "census.xlsx"
    make_workbook(path, n=60, violations=("4220",))
    out = run_job("validate", book_json_from_xlsx(path))
    funcs = [a["func"] for a in out["actions"]]
    assert funcs.count("setValues") >= 8 and funcs[-1] == "alert"
    assert "error" in out["actions"][-1]["args"][0]


def test_unknown_job_is_refused(tmp_path):
    import pytest

    with pytest.raises(KeyError):
        run_job("format-disk", {})
