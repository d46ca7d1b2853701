"""Sample returns others publish are read for their own year, never refused for it (issue 21, item 4).

Other projects' files are not committed here (the project keeps third-party repositories' content out of its
history): to run these tests, put liia-tools' ``liiatools/spec/cin_census/samples/cin-2022.xml``
(https://github.com/SocialFinanceDigitalLabs/liia-tools) in a folder named by ``CIN_XL_LIIA_SAMPLES``, and the
files of Data to Insight's ``fake_data/`` (data-to-insight/csc-validator-be-cin) in a folder named by
``CIN_XL_DTI_SAMPLES``; without them the tests are skipped."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cin_xl.cli import main
from cin_xl.xml import read_xml

NOTE = "The DfE validation rules of 2021-22 are not included in cin-xl"


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_liia_tools_2021_22_sample_is_read_imported_and_exported(tmp_path, capsys):
    folder = os.environ.get("CIN_XL_LIIA_SAMPLES")
    sample = Path(folder or ".") / "cin-2022.xml"
    if not folder or not sample.is_file():
        pytest.skip("CIN_XL_LIIA_SAMPLES does not name a folder holding liia-tools' cin-2022.xml")
    read = read_xml(sample.read_bytes())
    assert read.year.label == "2021-22" and read.problems == []
    child = read.census.children[0]
    assert child.identifiers.gender_current == "1" and child.cin_details[0].cin_plans  # its year's items
    code, out, err = _run(capsys, "validate", sample, "--report", tmp_path / "f.json")
    # a made-up child of the 1960s: only the schema and structural checks run for 2021-22, and they pass
    assert code == 0 and NOTE in out and err == ""
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["findings"] == []
    assert _run(capsys, "import", sample, "-o", tmp_path / "s.xlsx")[0] == 0
    assert _run(capsys, "export", tmp_path / "s.xlsx", "-o", tmp_path / "s.xml")[0] == 0
    assert read_xml((tmp_path / "s.xml").read_bytes()).census == read.census


def _dti(name: str) -> Path:
    folder = os.environ.get("CIN_XL_DTI_SAMPLES")
    if not folder or not (Path(folder) / name).is_file():
        pytest.skip("CIN_XL_DTI_SAMPLES does not name a folder holding Data to Insight's fake_data files")
    return Path(folder) / name


def test_dti_332_child_2021_22_sample_reads_clean(tmp_path, capsys):
    sample = _dti("fake_CIN_data.xml")
    code, out, err = _run(capsys, "validate", sample)
    assert code == 0 and "census 2021-22, 332 children" in out and NOTE in out and err == ""
    assert _run(capsys, "import", sample, "-o", tmp_path / "s.xlsx")[0] == 0


@pytest.mark.parametrize("name", ["CIN_Census_2024.xml", "CIN_Census_2026.xml"])
def test_dti_samples_with_sex_in_a_2022_23_file_are_told_so(name, tmp_path, capsys):
    """These say <Year>2023</Year> (2022-23) but hold <Sex>, an item of 2024-25 on: read as 2022-23, and the
    findings say what a person would: <Sex> is not part of that census, and its <GenderCurrent> is missing."""
    code, out, err = _run(capsys, "validate", _dti(name))
    assert code == 2 and "census 2022-23" in out and "Traceback" not in err  # the schema: COLLECT rejects it
    assert "unknown element <Sex> in <ChildIdentifiers>: not part of the 2022-23 census" in out
    assert "4180 error x2: Gender is missing" in out


# Every file of Data to Insight's fake_data/, its findings by code and count, each read as a data officer would
# (issue 21, item 4): all but fake_CIN_data.xml say <Year>2023</Year> (2022-23), and hold one made-up child (two in
# the "2024" and "2026" files) with dates before, after or out of order with the referral, an invalid UPN and former
# UPN, and the text "PersonBirthDate" left between two of the child's identifiers (the XSD finding).
_CHILD_OF_1970 = {"1103": 1, "1104": 1, "1105": 1, "1510": 1, "1530": 1, "1560Q": 1, "2884": 1, "2887Q": 1,
                  "2889": 1, "4013": 1, "4016": 1, "8525Q": 1, "8530Q": 1, "8545Q": 1, "8565": 2, "8620": 1,
                  "8696": 1, "8715": 2, "8875": 1, "8930": 1, "XSD": 1}
_CHILD_OF_2015 = {"100": 1, "1104": 1, "1105": 1, "1510": 1, "1530": 1, "1560Q": 1, "2884": 1, "2887Q": 1, "2889": 1,
                  "4016": 1, "8565": 1, "8670Q": 1, "8867": 1, "XSD": 1}
_WITH_SEX = {"100": 1, "1103": 1, "1104": 1, "1105": 1, "1510": 1, "1530": 1, "1560Q": 1, "2884": 1, "2886Q": 1,
             "2887Q": 1, "2889": 1, "4016": 1, "4180": 2, "8520": 1, "8565": 2, "8600": 1, "8608": 1, "8620": 1,
             "8696": 2, "8897Q": 1, "X-CODE": 1, "X-FORMAT": 1, "XML": 2, "XSD": 1}
DTI_FINDINGS = {
    # a child born in 1965 with an episode in 1970-71: every date out of the census year
    "CIN_Census_2021.xml": _CHILD_OF_1970,
    # the same, with the reference date 28 March: 100
    "CIN_header_issues_100.xml": {**_CHILD_OF_1970, "100": 1},
    # the same child as CIN_Census_2021.xml: 2887Q (fewer than 8 disability codes in the return)
    "CIN_la_issues_2887Q.xml": _CHILD_OF_1970,
    # born 2015, referred October 2022, the reference date 2024-03-31 (100), a plan that started before the referral
    "CIN_Census_2021_copy.xml": _CHILD_OF_2015,
    "CIN_Census_2021_no_assessment_factors.xml": _CHILD_OF_2015,
    # the same child with two identical plans: both before the referral and after the closure, overlapping (8940)
    "CIN2rows.xml": {**_CHILD_OF_2015, "1105": 2, "8565": 2, "8940": 1},
    # <Sex> in a 2022-23 file (XML, not read: 4180, 2886Q), a second child born and referred after the year
    "CIN_Census_2024.xml": _WITH_SEX,
    # the same, and pre-proceedings (from 2026-27) not read either
    "CIN_Census_2026.xml": {**_WITH_SEX, "XML": 3},
    "fake_CIN_data.xml": {},
}


@pytest.mark.parametrize("name", sorted(DTI_FINDINGS))
def test_dti_sample_findings_by_code(name, tmp_path, capsys):
    sample = _dti(name)
    code, out, err = _run(capsys, "validate", sample, "--verbose", "--report", tmp_path / "f.json")
    found = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))["findings"]
    counts: dict[str, int] = {}
    for f in found:
        counts[f["code"]] = counts.get(f["code"], 0) + 1
    assert dict(sorted(counts.items())) == dict(sorted(DTI_FINDINGS[name].items()))
    assert "Traceback" not in err and err == ""
    # the schema break is COLLECT's first gate: exit code 2 says the file would be turned away
    assert code == (2 if "XSD" in counts else 0)
    for f in found:
        assert f["line"] or f["code"] in ("2886Q", "2887Q"), f  # every finding has its line but the whole return's
        assert "XPath" not in f["message"] and "{" not in f["message"], f["message"]
    if "XSD" in counts:
        assert "line 23, child DfEX0000001\n" in out and \
            "Identifiers (ChildIdentifiers) holds the text 'PersonBirthDate' between its items" in out
    if "XML" in counts:
        assert "(<Sex> is part of the census from 2024-25: if the file is of such a year, the <Year> in its header " \
               "is wrong)" in out


@pytest.mark.parametrize("name", sorted(DTI_FINDINGS))
def test_dti_sample_import_says_what_it_did_not_bring_in(name, tmp_path, capsys):
    """The text "PersonBirthDate" between two identifiers, <Sex> and pre-proceedings in a 2022-23 file: import
    names each (line, child) in its note, with the next step; a file read whole has no note."""
    sample = _dti(name)
    code, out, err = _run(capsys, "import", sample, "-o", tmp_path / "s.xlsx")
    if not DTI_FINDINGS[name]:
        assert code == 0 and "not brought" not in out
        return
    assert code == 1 and "not brought into the workbook" in out and err == ""
    assert "line 23, child DfEX0000001: <ChildIdentifiers> holds the text 'PersonBirthDate' between its items" in out
    if DTI_FINDINGS[name].get("XML"):
        assert f"  elements of another census year, not read: {DTI_FINDINGS[name]['XML']}" in out
        assert "line 25, child DfEX0000001, Sex: unknown element <Sex>" in out
    assert out.rstrip().endswith(f"Run cin-xl validate {sample} to see every break of the census schema.")


@pytest.mark.parametrize("name", sorted(DTI_FINDINGS))
def test_dti_sample_import_then_export_keeps_what_was_read(name, tmp_path, capsys):
    """Nothing read is lost from XML to workbook and back; what a 2022-23 file cannot hold (<Sex>, pre-proceedings)
    is said on import, and export then refuses the file for its missing <GenderCurrent>, saying so."""
    from cin_xl.xml import read_xml

    sample = _dti(name)
    read = read_xml(sample.read_bytes())
    code, out, err = _run(capsys, "import", sample, "-o", tmp_path / "s.xlsx")
    assert (tmp_path / "s.xlsx").is_file() and "Traceback" not in err
    code, out, err = _run(capsys, "export", tmp_path / "s.xlsx", "-o", tmp_path / "s.xml", "--allow-errors")
    if DTI_FINDINGS[name].get("XML"):
        assert code != 0 and not (tmp_path / "s.xml").exists()
        assert "Gender (GenderCurrent) is missing from Identifiers (ChildIdentifiers): it is required" in err
        return
    assert code == 0, (out, err)
    assert read_xml((tmp_path / "s.xml").read_bytes()).census == read.census
