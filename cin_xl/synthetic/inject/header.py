"""Known violations of the Header rules."""

from __future__ import annotations

from cin_xl.synthetic.inject.shared import (
    Injected,
    injector,
)


@injector("100")
def _reference_date_of_last_year(pick):
    """The header still carries last year's reference date."""
    details = pick.census.header.collection_details
    details.reference_date = pick.ref.replace(year=pick.ref.year - 1)
    return Injected("100", "", details, ("reference_date",))
