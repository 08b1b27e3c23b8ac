"""The `[polls]` table of a city profile: how many supports open a citizen's proposed poll
without an official (and which department then answers for it), for how long a proposal
collects them, how long such a poll runs, and the smallest group a result breakdown shows.
Declared on the app's ServiceAppConfig."""

from __future__ import annotations

from pydantic import Field

from hamkke.core.profiles import CityProfile, Strict


class PollsSection(Strict):
    # The department that answers for citizens' polls opened by their supports (an official
    # approving one may hand it to another).
    department: str = ""
    # Seoul's M-Voting opens a citizen's poll once enough people back it; the number is the
    # city's to set (and to change), so it lives in the profile.
    support_threshold: int = Field(default=500, ge=1)
    support_days: int = Field(default=30, ge=1, le=365)
    citizen_poll_days: int = Field(default=14, ge=1, le=365)
    # A district or age band with fewer voters than this is not shown on its own: a small group's
    # answers would tell what its few members chose.
    breakdown_minimum: int = Field(default=10, ge=2)


def check_references(section: PollsSection, profile: CityProfile, district_codes: set[str]):
    """The department answering for citizens' polls is one of the profile's."""
    codes = {department.code for department in profile.departments}
    if section.department and section.department not in codes:
        raise ValueError(f"polls.department: unknown department {section.department!r}")
