from tests.rules.harness import Case

EIGHT = ["MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS"]


def _disabilities(a1=None, b2=None):
    def change(census):
        if a1 is not None:
            census.children[0].characteristics.disabilities = list(a1)
        if b2 is not None:
            census.children[1].characteristics.disabilities = list(b2)
    return change


def _ethnicity(value):
    def change(census):
        census.children[0].characteristics.ethnicity = value
    return change


def _a1_all_nfa_no_disability(census):
    census.children[0].characteristics.disabilities = []
    for episode in census.children[0].cin_details:
        episode.referral_nfa = True


CASES = [
    Case("4220", _ethnicity("XXXX"), _ethnicity("WROM"), expect=1),
    Case("4220", _ethnicity(None), note="missing", expect=1),
    Case("8540", _disabilities(a1=[]), _disabilities(b2=[]), expect=1),
    Case("8540", _disabilities(a1=["MOB", "XYZ"]), _a1_all_nfa_no_disability, note="invalid", expect=1),
    Case("8790", _disabilities(a1=["NONE", "MOB"]), _disabilities(a1=["MOB", "HEAR"]), expect=1),
    Case("8794", _disabilities(a1=["MOB", "MOB"]), _disabilities(a1=["MOB", "HEAR"]), expect=1),
    Case("8794", _disabilities(a1=["NONE", "NONE"]), _disabilities(a1=["NONE"]), note="none", expect=1),
    Case("2887Q", lambda census: None, _disabilities(a1=EIGHT), expect=1),
    Case("2887Q", _disabilities(a1=EIGHT[:4], b2=EIGHT[3:7] + ["NONE"]), _disabilities(a1=EIGHT[:4], b2=EIGHT[4:]),
         note="seven", expect=1),
    Case("2888Q", _disabilities(a1=["MOB"], b2=["HEAR"]), _disabilities(a1=["MOB", "HEAR"]), expect=1),
    Case("2888Q", _disabilities(a1=["MOB", "MOB"]), _disabilities(a1=["MOB", "MOB", "HEAR"]), note="repeated",
         expect=1),
]
