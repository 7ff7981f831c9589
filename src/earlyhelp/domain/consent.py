"""Who may give consent, and whether a Request for Support has the consent it needs.

A young person of 13 or over gives or refuses their own consent; a parent or carer
gives it for a younger child; an adult gives their own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

AGE_OF_OWN_CONSENT = 13


class Purpose(StrEnum):
    SHARE_INFORMATION = "share_information"
    ASSESSMENT = "assessment"
    REFERRAL_ON = "referral_on"


# What a Request for Support needs before it can go on to allocation.
PURPOSES_NEEDED_FOR_REQUEST = (Purpose.SHARE_INFORMATION,)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def gives_own_consent(date_of_birth: dt.date | None, on: dt.date) -> bool:
    """Whether a person decides their own consent (13 or over; unknown age: yes)."""
    return date_of_birth is None or age_on(date_of_birth, on) >= AGE_OF_OWN_CONSENT


@dataclass(frozen=True)
class Member:
    key: str  # any stable identifier of the member on the request
    name: str
    date_of_birth: dt.date | None
    is_parent_or_carer: bool


@dataclass(frozen=True)
class ConsentGiven:
    member_key: str
    purpose: Purpose
    given: bool
    given_by_key: str  # the member who decided: themselves or a parent or carer


@dataclass(frozen=True)
class ConsentProblem:
    member_key: str
    message: str


def consent_problems(
    members: list[Member],
    records: list[ConsentGiven],
    on: dt.date,
    purposes: tuple[Purpose, ...] = PURPOSES_NEEDED_FOR_REQUEST,
) -> list[ConsentProblem]:
    """Each member lacking a valid consent for each purpose, with the reason.

    A consent counts when it was given by the member themselves if they decide their
    own, otherwise by a parent or carer on the request. The latest record per member
    and purpose wins.
    """
    by_key = {m.key: m for m in members}
    latest: dict[tuple[str, Purpose], ConsentGiven] = {}
    for record in records:
        latest[(record.member_key, record.purpose)] = record
    problems: list[ConsentProblem] = []
    for member in members:
        own = gives_own_consent(member.date_of_birth, on)
        for purpose in purposes:
            record = latest.get((member.key, purpose))
            label = purpose.value.replace("_", " ")
            if record is None:
                problems.append(ConsentProblem(member.key, f"No consent to {label} recorded"))
                continue
            decider = by_key.get(record.given_by_key)
            if own and record.given_by_key != member.key:
                problems.append(
                    ConsentProblem(
                        member.key,
                        f"{member.name} is 13 or over and must decide their own consent",
                    )
                )
            elif not own and (decider is None or not decider.is_parent_or_carer):
                problems.append(
                    ConsentProblem(
                        member.key,
                        f"Consent for {member.name} must be given by a parent or carer",
                    )
                )
            elif not record.given:
                problems.append(ConsentProblem(member.key, f"Consent to {label} refused"))
    return problems
