"""Every rule can be broken on purpose, and validation then reports it on the right child and element.

For each supported year and each rule code catalogued that year, one known violation is put into a
generated valid return (:mod:`cin_xl.synthetic.inject`); the return goes out to census XML and back in, and
validating it must report that code on the injected child, located on the element of the injected
field, and nothing else new (other than the companions the injector declares). The generator itself
is checked against every rule: a large valid return gives no errors.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from functools import cache

import pytest

from cin_xl.census.model import CensusReturn, Node
from cin_xl.census.spec import fields_of
from cin_xl.census.values import is_missing
from cin_xl.census.years import SUPPORTED_YEARS, CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.inject import COMPANIONS, INJECTORS, Injected, NoCandidate, inject
from cin_xl.validation import catalogue, validate
from cin_xl.validation.findings import Finding, Severity
from cin_xl.xml import read_xml, to_xml_bytes

N = 300
SEED = 2027
#: a second seed for the injectors whose choice of child or construction has most ways to go wrong
SECOND_SEED = 31
SECOND_SEED_CODES = ("2883", "2886Q", "2887Q", "2888Q", "4001", "4017", "8535Q", "8606", "8816", "8820", "8839",
                     "8868", "8935", "8940", "8995Q", "9013")
#: Codes validated on the in-memory return instead of its XML, with the reason. Empty: census XML is
#: written with check=False, which writes a bad value as the text it is ("Yes", "TBC", "RC10"), and the
#: reader keeps such text as it was, so every injected violation survives the round trip (the test
#: asserts it: the return read back equals the one written).
IN_MEMORY_ONLY: dict[str, str] = {}
#: queries a generated valid return may raise (few children with a disability: few codes, all single)
QUERIES_ALLOWED_ON_VALID = {"2887Q", "2888Q"}


def _year(label: str) -> CensusYear:
    return CensusYear.parse(label)


def _cases():
    for label in SUPPORTED_YEARS:
        for code in catalogue(_year(label)):
            yield pytest.param(label, code, SEED, id=f"{label}-{code}")
            if code in SECOND_SEED_CODES:
                yield pytest.param(label, code, SECOND_SEED, id=f"{label}-{code}-seed{SECOND_SEED}")


@cache
def _element_tags() -> dict[type, str]:
    """Node class -> the XML element of its records (Child, Section47, ...)."""
    tags: dict[type, str] = {CensusReturn: "Message"}
    todo = [CensusReturn]
    while todo:
        cls = todo.pop()
        for f in fields_of(cls, _year(SUPPORTED_YEARS[-1])):
            if f.is_group and f.node not in tags:
                tags[f.node] = f.spec.xml
                todo.append(f.node)
    return tags


def _expected_path_end(node: Node, fields: tuple[str, ...], year: CensusYear) -> str:
    """A regex for the end of the finding's XML path: the element of the first injected field written to
    the XML (a list item's wrapper, e.g. Disabilities), or the record's own element when none is (a value
    removed), as :func:`cin_xl.validation.findings.locate` does."""
    specs = {f.name: f for f in fields_of(type(node), year)}
    for name in fields:
        f = specs.get(name)
        if f is not None and not f.is_group and not is_missing(getattr(node, name)):
            return re.escape("/" + (f.spec.wrapper or f.spec.xml)) + "$"
    return re.escape("/" + _element_tags()[type(node)]) + r"(\[\d+\])?$"


def _round_trip(census: CensusReturn, year: CensusYear) -> CensusReturn:
    read = read_xml(to_xml_bytes(census, year, check=False))
    assert read.problems == []
    assert read.year == year
    assert read.census == census, "the injected violation did not survive census XML"
    return read.census


@cache
def _baseline(label: str, seed: int) -> Counter:
    year = _year(label)
    return Counter(f.code for f in validate(generate(N, label, seed), year))


def _new_codes(findings: list[Finding], baseline: Counter) -> set[str]:
    got = Counter(f.code for f in findings)
    return {code for code, n in got.items() if n > baseline[code]}


def _assert_located(findings: list[Finding], done: Injected, year: CensusYear) -> None:
    want_child = done.child or None  # a child whose LA child ID was removed is named by none
    pattern = _expected_path_end(done.node, done.fields, year)
    mine = [f for f in findings if f.code == done.code]
    assert any(f.child == want_child and f.path and re.search(pattern, f.path) for f in mine), (
        f"{done.code}: no finding on child {want_child} at .../{pattern}; got "
        f"{[(f.child, f.path) for f in mine][:5]}")


# --- one violation at a time ------------------------------------------------------------------------------


def test_every_catalogued_code_has_an_injector():
    for label in SUPPORTED_YEARS:
        assert set(catalogue(_year(label))) <= set(INJECTORS), label
    codes = {code for label in SUPPORTED_YEARS for code in catalogue(_year(label))}
    for code, companions in COMPANIONS.items():
        assert code in codes and companions <= codes and code not in companions


@pytest.mark.parametrize("label,code,seed", list(_cases()))
def test_injected_violation_is_reported_on_its_child_and_element(label, code, seed):
    year = _year(label)
    census = generate(N, label, seed)
    [done] = inject(census, year, [code], random.Random(seed))
    assert done.code == code
    checked = census if code in IN_MEMORY_ONLY else _round_trip(census, year)
    findings = validate(checked, year)
    baseline = _baseline(label, seed)
    new = _new_codes(findings, baseline)

    assert code in new, f"{code} not reported (or no more often than before the injection)"
    assert new <= {code} | COMPANIONS.get(code, set()), f"{code} also brought {sorted(new - {code})}"
    assert COMPANIONS.get(code, set()) <= new, "a declared companion no longer comes: update COMPANIONS"
    if done.node is None:  # a return-level query: raised once, for the whole return, and not before
        assert baseline[code] == 0
        assert [f.child for f in findings if f.code == code] == [None]
    else:
        _assert_located(findings, done, year)


# --- several at once ------------------------------------------------------------------------------------

MIXED = ("1103", "8525Q", "4220", "8630", "8875", "1530", "8610", "4011", "8905", "8945Q", "8870Q", "8866")


@pytest.mark.parametrize("label", [y for y in SUPPORTED_YEARS if catalogue(_year(y))])
def test_many_violations_in_one_return_are_each_found_on_their_child(label):
    year = _year(label)
    codes = tuple(code for code in MIXED + ("9011", "9008") if code in catalogue(year))
    census = generate(N, label, SEED)
    done = inject(census, year, codes, random.Random(SEED))
    assert len({d.child for d in done}) == len(codes)  # a different child for each
    findings = validate(_round_trip(census, year), year)
    for d in done:
        _assert_located(findings, d, year)
    allowed = set(codes).union(*(COMPANIONS.get(c, set()) for c in codes))
    assert _new_codes(findings, _baseline(label, SEED)) == allowed


@pytest.mark.parametrize("code", sorted(INJECTORS))
def test_injectors_on_a_tiny_return_raise_no_candidate_or_inject(code):
    """A return too small to carry a violation says so (NoCandidate); it never fails another way."""
    year = _year(SUPPORTED_YEARS[-1])
    for seed in (1, 2):
        census = generate(3, year, seed)
        try:
            [done] = inject(census, year, [code], random.Random(seed))
        except NoCandidate:
            continue
        assert done.code == code


@pytest.mark.parametrize("code", ["8995Q", "9000Q", "9005", "9011"])
@pytest.mark.parametrize("label", [y for y in SUPPORTED_YEARS if y < "2026-27"])
def test_pre_proceedings_violations_need_2026_27(label, code):
    with pytest.raises(NoCandidate):
        inject(generate(N, label, SEED), _year(label), [code], random.Random(SEED))


# --- the generator against every rule ---------------------------------------------------------------


@pytest.mark.parametrize("seed", [5, 6])
@pytest.mark.parametrize("label", SUPPORTED_YEARS)
def test_generated_return_is_valid(label, seed):
    year = _year(label)
    findings = validate(generate(2000, label, seed), year)
    errors = [str(f) for f in findings if f.severity is Severity.ERROR]
    queries = {f.code for f in findings if f.severity is Severity.QUERY}
    assert errors == []
    assert queries <= QUERIES_ALLOWED_ON_VALID
