"""Rules of the header module."""

from cin_xl.validation.registry import Hit, rule


@rule("100")
def reference_date_incorrect(census):
    """<ReferenceDate> (N00603) must be present and must equal 31 March at the end of the census year."""
    details = census.census.header.collection_details
    if details.reference_date != census.reference_date:
        yield Hit(details, ("reference_date",))
