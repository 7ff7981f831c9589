"""Rules about the people the service works with."""

from __future__ import annotations

import datetime as dt

from earlyhelp.domain.consent import age_on

# The service works with children and young people aged 0-19, or up to 25 with SEND.
OLDEST_YOUNG_PERSON = 19
OLDEST_YOUNG_PERSON_WITH_SEND = 25


def young_person_age_problem(
    date_of_birth: dt.date | None, *, has_send: bool, today: dt.date
) -> str | None:
    """Why a child or young person's date of birth is impossible for the service, or None."""
    if date_of_birth is None:
        return None
    if date_of_birth > today:
        return "Date of birth must be today or in the past"
    age = age_on(date_of_birth, today)
    if has_send and age > OLDEST_YOUNG_PERSON_WITH_SEND:
        return "A young person with SEND must be 25 or under"
    if not has_send and age > OLDEST_YOUNG_PERSON:
        return "A child or young person must be 19 or under, or 25 or under with SEND"
    return None


def format_urn(*, template: str, prefix: str, year: int, number: int) -> str:
    """A CAF Unique Reference Number in the configured format, e.g. LAN-2026-000123."""
    return template.format(prefix=prefix, year=year, number=number)
