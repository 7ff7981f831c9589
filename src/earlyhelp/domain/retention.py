"""Retention: how long a family's records are kept before they are reviewed for erasure.

The rules (defaults are the Lancashire configuration, set per council):

- A closed case is kept until ``years_after_youngest_child_birth`` years after the date
  of birth of the youngest child in the family (25 by default), and never less than
  ``minimum_years_after_closure`` years after it closed (6 by default). If no child's
  date of birth is known, the youngest child is taken to have been born on the day the
  case closed: the longest the rule could ask for.
- A Request for Support that never became a case (returned for consent, withdrawn) is
  kept ``years_after_request_decision`` years after that decision (6 by default).
- A family is kept while anything of it must be kept: while a case is open or a request
  is waiting, it has no destroy-after date at all; otherwise its date is the latest of
  its records' dates.

A record's *destroy-after* date is the last day it must be kept: it is due for review
(and, once approved, erasure) on any later day.

No Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class RetentionRule(StrEnum):
    """Which rule set a destroy-after date."""

    YOUNGEST_CHILD = "youngest_child"
    MINIMUM_AFTER_CLOSURE = "minimum_after_closure"
    NO_CHILD_DATE_OF_BIRTH = "no_child_date_of_birth"
    REQUEST_DECISION = "request_decision"
    NO_RECORDS = "no_records"


RULE_DESCRIPTIONS: dict[RetentionRule, str] = {
    RetentionRule.YOUNGEST_CHILD: "Closed case: the youngest child's age",
    RetentionRule.MINIMUM_AFTER_CLOSURE: "Closed case: the minimum period after closure",
    RetentionRule.NO_CHILD_DATE_OF_BIRTH: (
        "Closed case with no child's date of birth known: kept as if the youngest child "
        "had been born on the day it closed"
    ),
    RetentionRule.REQUEST_DECISION: (
        "Request for Support that never became a case: kept for years after its decision"
    ),
    RetentionRule.NO_RECORDS: "Family with no requests or cases: kept from when it was recorded",
}


@dataclass(frozen=True)
class RetentionRules:
    """The configured periods, in whole years."""

    years_after_youngest_child_birth: int = 25
    minimum_years_after_closure: int = 6
    years_after_request_decision: int = 6

    def __post_init__(self) -> None:
        for name in (
            "years_after_youngest_child_birth",
            "minimum_years_after_closure",
            "years_after_request_decision",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} cannot be negative")


@dataclass(frozen=True)
class RetentionDate:
    """A destroy-after date and the rule that set it."""

    destroy_after: dt.date
    rule: RetentionRule

    @property
    def description(self) -> str:
        return RULE_DESCRIPTIONS[self.rule]

    def is_due(self, today: dt.date) -> bool:
        """Due for review on any day after the last day it must be kept."""
        return today > self.destroy_after


@dataclass(frozen=True)
class FamilyRetentionFacts:
    """What the family-level rule needs to know about a family's records."""

    recorded_on: dt.date
    youngest_child_born_on: dt.date | None = None
    open_cases: int = 0
    last_case_closed_on: dt.date | None = None
    waiting_requests: int = 0
    last_request_decided_on: dt.date | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year.
    Past the calendar's ends (a mistyped year 9999) it stops at the first or last day."""
    year = day.year + years
    if year > dt.MAXYEAR:
        return dt.date.max
    if year < dt.MINYEAR:
        return dt.date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def case_destroy_after(
    *, closed_on: dt.date, youngest_child_born_on: dt.date | None, rules: RetentionRules
) -> RetentionDate:
    """A closed case: the later of N years after the youngest child's birth and the
    minimum period after closure; never before the case closed."""
    if youngest_child_born_on is None:
        by_child = RetentionDate(
            add_years(closed_on, rules.years_after_youngest_child_birth),
            RetentionRule.NO_CHILD_DATE_OF_BIRTH,
        )
    else:
        by_child = RetentionDate(
            add_years(youngest_child_born_on, rules.years_after_youngest_child_birth),
            RetentionRule.YOUNGEST_CHILD,
        )
    minimum = RetentionDate(
        add_years(closed_on, rules.minimum_years_after_closure),
        RetentionRule.MINIMUM_AFTER_CLOSURE,
    )
    return by_child if by_child.destroy_after >= minimum.destroy_after else minimum


def request_destroy_after(*, decided_on: dt.date, rules: RetentionRules) -> RetentionDate:
    """A Request for Support that never became a case: N years after its decision."""
    return RetentionDate(
        add_years(decided_on, rules.years_after_request_decision), RetentionRule.REQUEST_DECISION
    )


def family_destroy_after(
    facts: FamilyRetentionFacts, rules: RetentionRules
) -> RetentionDate | None:
    """The family's date: None while a case is open or a request waits, otherwise the
    latest of its records' dates (a family with neither: from when it was recorded)."""
    if facts.open_cases or facts.waiting_requests:
        return None
    dates: list[RetentionDate] = []
    if facts.last_case_closed_on is not None:
        dates.append(
            case_destroy_after(
                closed_on=facts.last_case_closed_on,
                youngest_child_born_on=facts.youngest_child_born_on,
                rules=rules,
            )
        )
    if facts.last_request_decided_on is not None:
        dates.append(request_destroy_after(decided_on=facts.last_request_decided_on, rules=rules))
    if not dates:
        return RetentionDate(
            add_years(facts.recorded_on, rules.years_after_request_decision),
            RetentionRule.NO_RECORDS,
        )
    return max(dates, key=lambda d: d.destroy_after)


def earliest_due_cutoffs(*, today: dt.date, rules: RetentionRules) -> tuple[dt.date, dt.date]:
    """Bounds for a database pre-filter: a family can only be due if its last closure or
    decision is on or before the first date, and (when a case rule applies) its youngest
    child was born on or before the second. One day of slack covers 29 February."""
    shortest = min(rules.minimum_years_after_closure, rules.years_after_request_decision)
    last_activity = add_years(today, -shortest)
    born_by = add_years(today, -rules.years_after_youngest_child_birth)
    return last_activity + dt.timedelta(days=1), born_by + dt.timedelta(days=1)
