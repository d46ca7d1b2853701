"""Known violations of the PreProceedingsandFGDM rules (2026-27 on)."""

from __future__ import annotations

from collections.abc import Callable

from cin_xl.census.model import Child, PreProceedings
from cin_xl.census.years import in_force
from cin_xl.synthetic.dates import made
from cin_xl.synthetic.inject.shared import D, Injected, NoCandidate, Picker, choose, injector, is_date, la_id


def _pre_proceedings(pick: Picker) -> None:
    if not in_force(pick.year, "2026-27", None):
        raise NoCandidate  # the pre-proceedings module and its rules start in 2026-27


def _pp(child: Child, test: Callable[[PreProceedings], object]) -> PreProceedings | None:
    for e in child.cin_details:
        if e.pre_proceedings is not None and test(e.pre_proceedings):
            return e.pre_proceedings
    return None


@injector("8995Q")
def _no_pre_proceedings(pick: Picker) -> Injected:
    """An authority that does not yet collect pre-proceedings: no group in the whole return."""
    _pre_proceedings(pick)
    if any(pick.used(c) and any(e.pre_proceedings is not None for e in c.cin_details) for c in pick.census.children):
        raise NoCandidate
    changed = False
    for child in pick.unused():
        for e in child.cin_details:
            if e.pre_proceedings is not None:
                e.pre_proceedings, changed = None, True
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("8995Q", "", None, ())


@injector("9000Q")
def _no_pre_proceedings_start_dates(pick: Picker) -> Injected:
    """Pre-proceedings recorded, but the start date (not yet collected) left out of every group."""
    _pre_proceedings(pick)
    if any(pick.used(c) and any(e.pre_proceedings is not None for e in c.cin_details) for c in pick.census.children):
        raise NoCandidate
    changed = False
    for child in pick.unused():
        for e in child.cin_details:
            if e.pre_proceedings is not None:
                e.pre_proceedings.pp_start_date, changed = None, True
                pick.claim(child)
    if not changed:
        raise NoCandidate
    return Injected("9000Q", "", None, ())


def _pp_injector(code: str, test: Callable[[PreProceedings, Picker], bool],
                 change: Callable[[PreProceedings, Picker], None], fields: tuple[str, ...]):
    def inject_pp(pick: Picker) -> Injected:
        _pre_proceedings(pick)
        child, pp = choose(pick, lambda c: _pp(c, lambda p: test(p, pick)))
        change(pp, pick)
        return Injected(code, la_id(child), pp, fields)

    return inject_pp


def _set(name: str, value: Callable[[PreProceedings, Picker], object]):
    return lambda pp, pick: setattr(pp, name, value(pp, pick))


# The decision to start pre-proceedings dated last year (a case that began before the census year).
injector("9005")(_pp_injector(
    "9005", lambda pp, pick: is_date(pp.pp_start_date),
    _set("pp_start_date", lambda pp, pick: pick.start - 20 * D), ("pp_start_date",)))


# The letter before proceedings dated three days before the decision to start pre-proceedings.
injector("9006")(_pp_injector(
    "9006", lambda pp, pick: is_date(pp.lbp_sent_date) and is_date(pp.pp_start_date)
    and pp.pp_start_date - 3 * D >= pick.start,
    _set("lbp_sent_date", lambda pp, pick: made(pp.pp_start_date) - 3 * D), ("lbp_sent_date",)))


# A letter before proceedings sent, whether an FGDM meeting was offered not recorded.
injector("9007")(_pp_injector(
    "9007", lambda pp, pick: is_date(pp.lbp_sent_date) and pp.fgdm_meeting_offer is not None,
    _set("fgdm_meeting_offer", lambda pp, pick: None), ("fgdm_meeting_offer",)))


# The planned date of the first pre-proceedings meeting, after 31 March, entered.
injector("9008")(_pp_injector(
    "9008", lambda pp, pick: is_date(pp.initial_pp_meeting_date),
    _set("initial_pp_meeting_date", lambda pp, pick: pick.ref + 14 * D), ("initial_pp_meeting_date",)))


# The step up/down decision dated two days before pre-proceedings started.
injector("9009")(_pp_injector(
    "9009", lambda pp, pick: is_date(pp.step_decision_date) and is_date(pp.pp_start_date)
    and pp.pp_start_date - 2 * D >= pick.start,
    _set("step_decision_date", lambda pp, pick: made(pp.pp_start_date) - 2 * D), ("step_decision_date",)))


# An FGDM meeting offered, whether it was facilitated not recorded.
injector("9010Q")(_pp_injector(
    "9010Q", lambda pp, pick: pp.fgdm_meeting_offer is True,
    _set("fgdm_meeting_fac", lambda pp, pick: None), ("fgdm_meeting_fac",)))


# The outcome given as "D", a code that does not exist.
injector("9011")(_pp_injector(
    "9011", lambda pp, pick: pp.pp_outcome is not None,
    _set("pp_outcome", lambda pp, pick: "D"), ("pp_outcome",)))


# The court application dated three days before the decision to step up.
injector("9012")(_pp_injector(
    "9012", lambda pp, pick: is_date(pp.step_decision_date) and pp.step_decision_date - 3 * D >= pick.start,
    _set("court_app_date", lambda pp, pick: made(pp.step_decision_date) - 3 * D), ("court_app_date",)))


# An initial meeting recorded, the number of review meetings since left out.
injector("9015Q")(_pp_injector(
    "9015Q", lambda pp, pick: is_date(pp.initial_pp_meeting_date) and pp.review_meetings_count is not None,
    _set("review_meetings_count", lambda pp, pick: None), ("review_meetings_count",)))


@injector("9013")
def _letter_before_court_application(pick: Picker) -> Injected:
    """The letter initiating care proceedings dated before the court application."""
    _pre_proceedings(pick)

    def with_court(pp: PreProceedings) -> bool:
        return is_date(pp.court_app_date) and pp.court_app_date - 2 * D >= pick.start

    def with_step(pp: PreProceedings) -> bool:
        return (is_date(pp.step_decision_date) and pp.court_app_date is None
                and pp.step_decision_date + D <= pick.ref)

    try:
        child, pp = choose(pick, lambda c: _pp(c, with_court))
        pp.letter_init_cp_date = made(pp.court_app_date) - 2 * D
    except NoCandidate:
        child, pp = choose(pick, lambda c: _pp(c, with_step))
        pp.court_app_date, pp.letter_init_cp_date = made(pp.step_decision_date) + D, pp.step_decision_date
    return Injected("9013", la_id(child), pp, ("letter_init_cp_date",))
