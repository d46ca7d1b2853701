"""DfE rules, one function per code, grouped by census module (the catalogue's ``module``)."""

from . import (  # noqa: F401
    assessments,
    child_characteristics,
    child_identifiers,
    child_protection_plans,
    cin_details,
    cin_plans,
    header,
    pre_proceedings,
    section47,
)
