"""Every rule broken on purpose is reported on the right cell of the workbook.

The XML side is in test_injected.py. Here the violations go into generated returns in batches, each
on its own child; the return is written as the census workbook, read back as a user's file would
be, and each violation must be reported with its code, on its child's row, in the column of the
injected item. A violation that another one in its batch masks (two return-level counts, say) is
checked again on its own.
"""

from __future__ import annotations

import random

import pytest

from cin_xl.census.model import ChildCharacteristics, ChildIdentifiers
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.inject import INJECTORS, Injected, NoCandidate, Picker
from cin_xl.validation import catalogue, validate
from cin_xl.workbook.layout import MODULES
from cin_xl.workbook.reader import read_workbook
from cin_xl.workbook.writer import write_workbook

#: injected values that are a correct entry in the workbook, where the reader takes "Yes" for true:
#: there the mistake is made with text the workbook cannot read either
WORKBOOK_SPELLING = {"8568": ("referral_nfa", "TBC")}
BATCH = 15
N = 400
#: record class -> (sheet, prefix of its column keys); anything else is on the Return sheet
SHEETS = {m.record: (m.sheet, "") for m in MODULES}
SHEETS[ChildIdentifiers] = ("Children", "identifiers.")
SHEETS[ChildCharacteristics] = ("Children", "characteristics.")


def _round(year: CensusYear, codes: list[str], seed: int, folder) -> tuple[list[Injected], list, object]:
    census = generate(N, year, seed)
    picker = Picker(census, year, random.Random(seed))
    done = []
    for code in codes:
        try:
            done.append(INJECTORS[code](picker))
        except NoCandidate:
            continue
        if code in WORKBOOK_SPELLING:
            field, text = WORKBOOK_SPELLING[code]
            setattr(done[-1].node, field, text)
    path = folder / f"{year.label}-{seed}-{len(codes)}.xlsx"
    write_workbook(path, census, year, force=True)
    read = read_workbook(path)
    return done, read.problems + validate(read.census, year), read


def _problem(injected: Injected, findings: list, read) -> str | None:
    """Why the injected violation is not reported where it should be (None: it is)."""
    hits = [f for f in findings if f.code == injected.code]
    if not hits:
        return "not reported"
    if injected.node is None:
        return None if any(f.child is None for f in hits) else "not reported for the whole return"
    sheet, prefix = SHEETS.get(type(injected.node), ("Return", ""))
    if sheet == "Return":
        return None if any(f.sheet == "Return" and f.cells for f in hits) else "not on the Return sheet"
    mine = [f for f in hits if (f.child or "") == injected.child and f.sheet == sheet]
    if not mine:
        return f"not on child {injected.child}'s row of {sheet}"
    columns = read.sheets[sheet].columns
    wanted = {columns[prefix + n] for n in injected.fields if prefix + n in columns}
    wanted |= {letter for key, letter in columns.items() for n in injected.fields if key.startswith(f"{n}#")}
    cells = {"".join(ch for ch in c if ch.isalpha()) for f in mine for c in f.cells}
    if wanted and not cells & wanted:
        return f"on columns {sorted(cells)} of {sheet}, not {sorted(wanted)}"
    return None


@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_each_injected_violation_is_on_its_cell(label, tmp_path):
    year = CensusYear.parse(label)
    codes = sorted(catalogue(year))
    found, retry = set(), []
    for b in range(0, len(codes), BATCH):
        done, findings, read = _round(year, codes[b:b + BATCH], 100 + b, tmp_path)
        for injected in done:
            (retry.append(injected.code) if _problem(injected, findings, read) else found.add(injected.code))
    for code in [c for c in codes if c not in found]:
        for seed in (1, 2, 3):
            done, findings, read = _round(year, [code], seed, tmp_path)
            if done:
                assert _problem(done[0], findings, read) is None, (code, _problem(done[0], findings, read))
                found.add(code)
                break
    assert found == set(codes), sorted(set(codes) - found)
