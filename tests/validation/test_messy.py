"""Messy generated returns: realistic mistakes spread over every rule with an injector."""

from __future__ import annotations

from collections import Counter

from cin_xl.census.years import CensusYear
from cin_xl.synthetic.generate import generate
from cin_xl.synthetic.messy import BENCHMARK_RATE, RETURN_LEVEL, mistake_codes
from cin_xl.validation import validate
from cin_xl.xml.writer import to_xml_bytes

YEAR = CensusYear.parse("2026-27")


def test_about_one_finding_per_child_over_most_rules():
    census = generate(1500, YEAR, seed=3, mistakes=BENCHMARK_RATE)
    findings = validate(census, YEAR)
    per_child = len(findings) / 1500
    assert 0.8 <= per_child <= 1.3, per_child
    codes = Counter(f.code for f in findings)
    per_child_rules = [c for c in mistake_codes(YEAR) if c not in RETURN_LEVEL]
    broken = [c for c in per_child_rules if codes[c]]
    assert len(broken) >= 0.8 * len(per_child_rules), sorted(set(per_child_rules) - set(broken))
    # spread out: no rule makes more than a twentieth of the findings
    assert codes.most_common(1)[0][1] < len(findings) / 20


def test_same_seed_same_mess_and_clean_by_default():
    first = to_xml_bytes(generate(300, YEAR, seed=5, mistakes=0.5), YEAR, check=False)
    assert first == to_xml_bytes(generate(300, YEAR, seed=5, mistakes=0.5), YEAR, check=False)
    assert first != to_xml_bytes(generate(300, YEAR, seed=6, mistakes=0.5), YEAR, check=False)
    clean = generate(300, YEAR, seed=5)
    assert validate(clean, YEAR) == []
    assert to_xml_bytes(clean, YEAR) == to_xml_bytes(generate(300, YEAR, seed=5, mistakes=0), YEAR)


def test_rate_scales_the_number_of_findings():
    few = len(validate(generate(800, YEAR, seed=2, mistakes=0.2), YEAR))
    many = len(validate(generate(800, YEAR, seed=2, mistakes=0.8), YEAR))
    assert few * 3 < many
