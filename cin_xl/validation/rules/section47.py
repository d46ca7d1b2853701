"""Rules of the section47 module."""

from ..helpers import *  # noqa: F401,F403
from ..registry import Hit, rule
