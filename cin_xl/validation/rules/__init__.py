"""DfE rules, one function per code, grouped by census module (the catalogue's ``module``)."""

from cin_xl.validation.rules import (
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

# importing a module registers its rules
__all__ = ["assessments", "child_characteristics", "child_identifiers", "child_protection_plans", "cin_details",
           "cin_plans", "header", "pre_proceedings", "section47"]
