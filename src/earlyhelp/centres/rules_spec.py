"""The neighbourhood-centre programme's rules as plain Python (no Django): which session
type a time and day make, whether two sessions overlap, whether a participant completed
a programme, and the specification check's sums. The figures (sessions per offer, staff
per session, the 46-week year) are inputs from configuration, never constants here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SATURDAY = 5


class SessionKind(StrEnum):
    WEEKDAY_DAYTIME = "weekday_daytime"
    TWILIGHT = "twilight"
    EVENING_WEEKEND = "evening_weekend"


def session_kind(
    *, weekday: int, starts_at: dt.time, twilight_from: dt.time, evening_from: dt.time
) -> SessionKind:
    """Saturday and Sunday are weekend; on a weekday a session starting at or after
    ``evening_from`` is evening, at or after ``twilight_from`` twilight, else daytime."""
    if weekday >= SATURDAY or starts_at >= evening_from:
        return SessionKind.EVENING_WEEKEND
    if starts_at >= twilight_from:
        return SessionKind.TWILIGHT
    return SessionKind.WEEKDAY_DAYTIME


def overlaps(a_start: dt.time, a_end: dt.time, b_start: dt.time, b_end: dt.time) -> bool:
    """Two intervals on the same day overlap when each starts before the other ends
    (back-to-back sessions do not overlap)."""
    return a_start < b_end and b_start < a_end


def within(start: dt.time, end: dt.time, opens: dt.time, closes: dt.time) -> bool:
    """A session lies inside an opening when it starts no earlier and ends no later."""
    return opens <= start < end <= closes


def completed(*, attended: int, required: int) -> bool:
    """A participant completes a programme by attending at least ``required`` sessions."""
    return required > 0 and attended >= required


@dataclass
class Tally:
    """Planned against the offer, for one centre or a sum of centres."""

    offers: int = 0
    sessions_required: int = 0
    sessions_planned: int = 0
    sessions_delivered: int = 0
    sessions_cancelled: int = 0
    staff_sessions_required: int = 0
    staff_sessions_planned: int = 0
    sessions_short_staffed: int = 0
    by_kind_required: dict[str, int] = field(default_factory=dict)
    by_kind_planned: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for name in (
            "offers",
            "sessions_required",
            "sessions_planned",
            "sessions_delivered",
            "sessions_cancelled",
            "staff_sessions_required",
            "staff_sessions_planned",
            "sessions_short_staffed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for mine, theirs in (
            (self.by_kind_required, other.by_kind_required),
            (self.by_kind_planned, other.by_kind_planned),
        ):
            for kind, value in theirs.items():
                mine[kind] = mine.get(kind, 0) + value

    @property
    def sessions_met(self) -> bool:
        return self.sessions_planned >= self.sessions_required

    @property
    def staffing_met(self) -> bool:
        return self.sessions_short_staffed == 0 and (
            self.staff_sessions_planned >= self.staff_sessions_required
        )


@dataclass(frozen=True)
class Requirement:
    """One row of an offer's table: sessions a week of a kind and staff per session by post."""

    kind: str
    sessions_per_week: int
    staff_by_post: Mapping[str, int]

    @property
    def staff_per_session(self) -> int:
        return sum(self.staff_by_post.values())


@dataclass(frozen=True)
class PlannedSession:
    kind: str
    staff_by_post: Mapping[str, int]


def short_of(planned: Mapping[str, int], required: Mapping[str, int]) -> dict[str, int]:
    """The posts a session is short of, and by how many."""
    return {
        post: need - planned.get(post, 0)
        for post, need in required.items()
        if planned.get(post, 0) < need
    }


def tally_offer(
    *,
    requirements: Iterable[Requirement],
    sessions: Iterable[PlannedSession],
    delivered: int = 0,
    cancelled: int = 0,
) -> Tally:
    """One offer (a centre and any partner building sharing it): the sessions and staff
    its week plans against what the offer's table requires."""
    by_kind = {r.kind: r for r in requirements}
    tally = Tally(offers=1, sessions_delivered=delivered, sessions_cancelled=cancelled)
    for requirement in by_kind.values():
        tally.sessions_required += requirement.sessions_per_week
        tally.staff_sessions_required += requirement.sessions_per_week * (
            requirement.staff_per_session
        )
        tally.by_kind_required[requirement.kind] = requirement.sessions_per_week
    for session in sessions:
        tally.sessions_planned += 1
        tally.staff_sessions_planned += sum(session.staff_by_post.values())
        tally.by_kind_planned[session.kind] = tally.by_kind_planned.get(session.kind, 0) + 1
        requirement = by_kind.get(session.kind)
        if requirement is not None and short_of(session.staff_by_post, requirement.staff_by_post):
            tally.sessions_short_staffed += 1
    return tally


def weeks_open(dates: Iterable[dt.date]) -> int:
    """The number of distinct ISO weeks in which anything was delivered."""
    return len({d.isocalendar()[:2] for d in dates})
