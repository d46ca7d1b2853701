"""CLI manners: suggestions for misspellings, the command's own usage, one wording for a missing
file, one default per option in --help."""

from __future__ import annotations

import pytest

from cin_xl.cli import main


def run(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return exit_.value.code, out, err


def test_misspelt_command_gets_a_suggestion(capsys):
    code, _, err = run(capsys, "valdate", "x.xlsx")
    assert code == 2
    assert "unknown command 'valdate' (did you mean validate?)" in err


def test_bad_option_prints_the_commands_own_usage_and_a_suggestion(capsys, tmp_path):
    code, _, err = run(capsys, "validate", "--anotate", tmp_path / "t.xlsx")
    assert code == 2
    assert err.startswith("usage: cin-xl validate ")
    assert "unknown option --anotate (did you mean --annotate?)" in err


def test_misspelt_required_option_is_named(capsys, tmp_path):
    code, _, err = run(capsys, "export", tmp_path / "t.xlsx", "--ouput", tmp_path / "x.xml")
    assert code == 2 and err.startswith("usage: cin-xl export ")
    assert "unknown option --ouput (did you mean --output?)" in err


@pytest.mark.parametrize("argv", [
    ("validate", "{missing}"), ("export", "{missing}", "-o", "{out}"), ("import", "{missing}", "-o", "{out}"),
    ("report", "{missing}"),
])
def test_missing_file_same_wording_everywhere(capsys, tmp_path, argv):
    missing = tmp_path / "nothere.xml"
    args = [a.format(missing=missing, out=tmp_path / "out.xlsx") for a in argv]
    assert main(args) == 2
    _, err = capsys.readouterr()
    assert err == f"cin-xl: {missing}: no such file\n"
    assert not (tmp_path / "out.xlsx").exists()


def test_year_help_gives_one_default(capsys):
    for command in ("export", "validate", "import", "report", "template"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        year_help = " ".join(out.split("--year YYYY-YY")[-1].split("\n  -")[0].split())
        assert year_help.count("default") == 1, (command, year_help)
