"""Rules of the header module."""

from collections.abc import Iterator

from cin_xl.validation.registry import Hit, rule
from cin_xl.validation.view import CensusView


@rule("100", whole_return=True)
def reference_date_incorrect(census: CensusView) -> Iterator[Hit]:
    """<ReferenceDate> (N00603) must be present and must equal 31 March at the end of the census year (for example
    2027-03-31 for the 2026-27 census)."""
    details = census.census.header.collection_details
    if details.reference_date != census.reference_date:
        yield Hit(details, ("reference_date",))
