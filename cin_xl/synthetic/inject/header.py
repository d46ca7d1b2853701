"""Known violations of the Header rules."""

from __future__ import annotations

from cin_xl.synthetic.inject.shared import Injected, Picker, injector


@injector("100")
def _reference_date_of_last_year(pick: Picker) -> Injected:
    """The header still carries last year's reference date."""
    details = pick.census.header.collection_details
    details.reference_date = pick.ref.replace(year=pick.ref.year - 1)
    return Injected("100", "", details, ("reference_date",))
