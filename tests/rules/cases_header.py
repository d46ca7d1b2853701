from datetime import date

from tests.rules.harness import Case


def _wrong_reference_date(census):
    census.header.collection_details.reference_date = date(2000, 3, 31)


def _missing_reference_date(census):
    census.header.collection_details.reference_date = None


CASES = [
    Case("100", _wrong_reference_date),
    Case("100", _missing_reference_date, note="missing"),
]
