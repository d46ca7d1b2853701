"""Rules of the cin_details module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule
