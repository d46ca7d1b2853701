"""Rules of the child_characteristics module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule
