"""Known violations of the ChildCharacteristics rules (ethnicity, disabilities)."""

from __future__ import annotations

from cin_xl.census.model import Child
from cin_xl.census.spec import CODE_SETS
from cin_xl.synthetic.inject.shared import (
    Injected,
    NoCandidate,
    Picker,
    birth_date,
    choose,
    has_further_action,
    injector,
    la_id,
)


@injector("4220")
def _bad_ethnicity(pick: Picker) -> Injected:
    """Ethnicity truncated to three letters."""
    child = pick.child()
    child.characteristics.ethnicity = "WBR"
    return Injected("4220", la_id(child), child.characteristics, ("ethnicity",))


@injector("8540")
def _disability_not_recorded(pick: Picker) -> Injected:
    child = pick.child(lambda c: birth_date(c) is not None and has_further_action(c)
                       and c.characteristics.disabilities == ["NONE"])
    child.characteristics.disabilities = []
    return Injected("8540", la_id(child), child.characteristics, ("disabilities",))


@injector("8790")
def _none_and_a_disability(pick: Picker) -> Injected:
    """NONE left ticked when a learning disability was added."""
    child = pick.child(lambda c: c.characteristics.disabilities == ["NONE"])
    child.characteristics.disabilities = ["NONE", "LD"]
    return Injected("8790", la_id(child), child.characteristics, ("disabilities",))


@injector("8794")
def _disability_twice(pick: Picker) -> Injected:
    def real(c: Child):
        codes = c.characteristics.disabilities
        return codes if codes and codes[0] != "NONE" and len(set(codes)) == len(codes) else None

    def none(c: Child):
        return c.characteristics.disabilities if c.characteristics.disabilities == ["NONE"] else None

    child, codes = choose(pick, real, none)
    child.characteristics.disabilities = codes + [codes[0]]
    return Injected("8794", la_id(child), child.characteristics, ("disabilities",))


def _disability_codes(pick: Picker) -> frozenset[str]:
    return CODE_SETS["Disability"].valid(pick.year) - {"NONE"}


@injector("2887Q")
def _few_disability_codes(pick: Picker) -> Injected:
    """An extract that maps every disability onto four broad codes: 7 or fewer codes used in the return."""
    valid = _disability_codes(pick)
    kept = {d for c in pick.census.children if pick.used(c) for d in c.characteristics.disabilities if d in valid}
    palette = sorted(kept) + [d for d in ("LD", "COMM", "BEH", "AUT") if d not in kept]
    palette = palette[:max(len(kept), 4)]
    if len(palette) > 7:
        raise NoCandidate
    index = {code: i for i, code in enumerate(sorted(valid))}
    changed = 0
    for child in pick.unused():
        codes = child.characteristics.disabilities
        if not any(d in valid for d in codes):
            continue
        new: list[str] = []
        for d in codes:
            if d in valid:
                mapped = palette[index[d] % len(palette)]
                if mapped in new:  # two codes mapped together: keep the child's count of codes
                    mapped = next((p for p in palette if p not in new), mapped)
                    if mapped in new:
                        continue
                d = mapped
            new.append(d)
        child.characteristics.disabilities = new
        pick.claim(child)
        changed += 1
    if not changed:
        raise NoCandidate
    return Injected("2887Q", "", None, ())


@injector("2888Q")
def _only_first_disability(pick: Picker) -> Injected:
    """An extract that exports only each child's first disability: no child has more than one."""
    valid = _disability_codes(pick)
    for child in pick.census.children:
        if pick.used(child) and len({d for d in child.characteristics.disabilities if d in valid}) > 1:
            raise NoCandidate
    singles = {d for c in pick.census.children for d in c.characteristics.disabilities
               if d in valid and len([x for x in c.characteristics.disabilities if x in valid]) == 1}
    covered = set(singles)
    changed = 0
    for child in pick.unused():
        codes = child.characteristics.disabilities
        distinct = [d for d in dict.fromkeys(codes) if d in valid]
        if len(distinct) < 2:
            continue
        # keep a code no other child carries, so the return still uses more than 7 codes (2887Q)
        keep = next((d for d in distinct if d not in covered), distinct[0])
        covered.add(keep)
        child.characteristics.disabilities = [d for d in codes if d not in valid or d == keep]
        pick.claim(child)
        changed += 1
    if len(covered) <= 7:  # still few codes: give the missing ones to children recorded with none
        missing = sorted(valid - covered)[:8 - len(covered)]
        for child in pick.unused():
            if not missing:
                break
            if child.characteristics.disabilities == ["NONE"]:
                child.characteristics.disabilities = [missing.pop()]
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("2888Q", "", None, ())
