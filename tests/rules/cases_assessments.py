from datetime import timedelta

from .base import ep
from .harness import Case


def _start_before_referral(census):
    episode = ep(census)
    episode.assessments[0].start_date = episode.referral_date - timedelta(days=1)


def _start_on_referral(census):
    episode = ep(census)
    episode.assessments[0].start_date = episode.referral_date


CASES = [
    Case("1103", _start_before_referral, _start_on_referral, expect=1),
]
