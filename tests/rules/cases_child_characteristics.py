from .harness import Case  # noqa: F401

CASES = []
