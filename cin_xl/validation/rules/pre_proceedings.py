"""Rules of the pre_proceedings module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule
