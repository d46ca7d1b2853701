"""Errors that stop a job. Each carries a one-line message for the user; the CLI exits 2."""


class UnusableInput(Exception):
    """The input cannot be read at all (not XML, wrong root, DTD, unknown year, ...)."""
