"""A synthetic week for every centre: each offer runs its full table (12 sessions at an
enhanced centre, 7 at a core one, 452 a week across the county with the default
configuration), named staff on the rota where the demo teams have someone free, the last
four weeks delivered (a few cancelled), and a few group runs with registers taken.

Deterministic: the same seed and reference date always make the same programme. Needs
``load_centres`` first, and ``seed_demo`` for named staff and people (without them the
timetable is still made, with no rota or participants)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_write
from earlyhelp.centres import rules_spec
from earlyhelp.centres.models import (
    AgeBand,
    Attendance,
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    HeadCount,
    OccurrenceStatus,
    Participant,
    Post,
    ProgrammeSession,
    RotaEntry,
    SessionOccurrence,
    SessionType,
)
from earlyhelp.centres.services import session_type_for
from earlyhelp.people.models import Person
from earlyhelp.workforce.models import StaffMember

T = dt.time
# (weekday, start, end, title) for each session type, in the order an offer takes them.
SLOTS: dict[str, list[tuple[int, dt.time, dt.time, str]]] = {
    SessionType.WEEKDAY_DAYTIME: [
        (0, T(9, 30), T(11, 30), "Stay and play"),
        (1, T(9, 30), T(11, 30), "Baby and toddler drop-in"),
        (2, T(9, 30), T(11, 30), "Family advice drop-in"),
        (3, T(9, 30), T(11, 30), "Parenting support group"),
        (4, T(9, 30), T(11, 30), "Little movers"),
        (0, T(13, 0), T(15, 0), "Healthy families"),
        (2, T(13, 0), T(15, 0), "Young parents group"),
        (4, T(13, 0), T(15, 0), "Adult learning and work"),
    ],
    SessionType.TWILIGHT: [
        (1, T(16, 0), T(17, 30), "After-school club"),
        (3, T(16, 0), T(17, 30), "Homework and wellbeing"),
    ],
    SessionType.EVENING_WEEKEND: [
        (3, T(18, 30), T(20, 30), "Youth club"),
        (5, T(11, 0), T(13, 0), "Saturday family session"),
    ],
}
# An enhanced offer's evening and weekend sessions (its partner building's, if split).
ENHANCED_EVENING = [
    (2, T(18, 0), T(19, 15), "Young people's evening (11 to 14)"),
    (5, T(10, 0), T(12, 0), "Saturday family session"),
    (2, T(19, 30), T(20, 45), "Young people's evening (15 to 19)"),
    (5, T(13, 0), T(15, 0), "Saturday youth sport"),
]
DELIVERED_WEEKS = 4
CANCELLED_SHARE = 0.03
CANCELLATION_REASONS = ("Staff sickness", "Building closed for repairs", "Severe weather")
DEMO_RUNS = (("positive-parenting", 6), ("stay-and-play", 5), ("youth-evening-club", 3))
SOURCE = "load_centres --demo"

POST_ROLE = {
    Post.GRADE_6: Role.KEY_WORKER,
    Post.OUTREACH_A: Role.OUTREACH_WORKER,
    Post.OUTREACH_B: Role.OUTREACH_WORKER,
    Post.DELIVERY_SUPPORT: Role.BUSINESS_SUPPORT,
}


@dataclass(frozen=True)
class CentresDemoSummary:
    sessions: int
    rota: int
    occurrences: int
    runs: int
    attendances: int


def _slots(centre: Centre, session_type: str, count: int, partner: Centre | None):
    """Where and when an offer's sessions of a type run; an enhanced offer's evening and
    weekend sessions go to its partner building if it has one."""
    if session_type == SessionType.EVENING_WEEKEND and centre.offer.code == "enhanced":
        return [(partner or centre, slot) for slot in ENHANCED_EVENING[:count]]
    return [(centre, slot) for slot in SLOTS[session_type][:count]]


def _room_for(building: Centre, weekday: int, start: dt.time, end: dt.time, booked):
    for room in sorted(building.rooms.all(), key=lambda r: -r.capacity):
        if all(not rules_spec.overlaps(start, end, s, e) for s, e in booked[(room.pk, weekday)]):
            return room
    return None


def _staff_pools(rng: random.Random) -> dict[tuple[int, Role], list[StaffMember]]:
    pools: dict[tuple[int, Role], list[StaffMember]] = defaultdict(list)
    staff = (
        StaffMember.objects.filter(is_synthetic=True, team__isnull=False, user__is_active=True)
        .select_related("team")
        .prefetch_related("user__groups")
        .order_by("pk")
    )
    for member in staff:
        for group in member.user.groups.all():
            if group.name in Role.values:
                pools[(member.team.district_id, Role(group.name))].append(member)
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def seed_centres_demo(
    *, seed: int = 2026, as_of: dt.date | None = None
) -> CentresDemoSummary | None:
    """Make the demo programme once; None if a weekly programme already exists."""
    today = as_of or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    with transaction.atomic():
        if ProgrammeSession.objects.exists():
            return None
        holders = list(
            Centre.objects.filter(is_active=True, offer__isnull=False)
            .select_related("offer", "district")
            .prefetch_related("offer__requirements", "rooms", "partner_buildings__rooms")
            .order_by("district__name", "name")
        )
        pools = _staff_pools(rng)
        booked_rooms: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = defaultdict(list)
        busy: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = defaultdict(list)
        sessions: list[ProgrammeSession] = []
        rota: list[RotaEntry] = []
        for centre in holders:
            partner = next(iter(centre.partner_buildings.all()), None)
            for requirement in centre.offer.requirements.all():
                chosen = _slots(
                    centre, requirement.session_type, requirement.sessions_per_week, partner
                )
                for building, (weekday, start, end, title) in chosen:
                    room = _room_for(building, weekday, start, end, booked_rooms)
                    if room is not None:
                        booked_rooms[(room.pk, weekday)].append((start, end))
                    session = ProgrammeSession(
                        centre=building,
                        weekday=weekday,
                        starts_at=start,
                        ends_at=end,
                        session_type=session_type_for(weekday=weekday, starts_at=start),
                        room=room,
                        expected_attendance=min(room.capacity, 8 + rng.randrange(10))
                        if room
                        else 0,
                        title=title,
                        grade_6=requirement.grade_6,
                        outreach_a=requirement.outreach_a,
                        outreach_b=requirement.outreach_b,
                        delivery_support=requirement.delivery_support,
                    )
                    sessions.append(session)
        ProgrammeSession.objects.bulk_create(sessions)
        for session in sessions:
            for post, count in session.staff_by_post.items():
                pool = pools.get((session.centre.district_id, POST_ROLE[Post(post)]), [])
                placed = 0
                for member in pool:
                    if placed >= min(count, 1):
                        break
                    slots = busy[(member.pk, session.weekday)]
                    if any(
                        rules_spec.overlaps(session.starts_at, session.ends_at, s, e)
                        for s, e in slots
                    ):
                        continue
                    slots.append((session.starts_at, session.ends_at))
                    rota.append(RotaEntry(session=session, staff=member, post=post))
                    placed += 1
        RotaEntry.objects.bulk_create(rota)
        occurrences = _delivered_weeks(sessions, today, rng)
        runs, attendances = _group_runs(holders, today, rng)
        summary = CentresDemoSummary(
            sessions=len(sessions),
            rota=len(rota),
            occurrences=occurrences,
            runs=runs,
            attendances=attendances,
        )
        record_write(
            actor=None,
            code="centres.demo_loaded",
            details={"seed": seed, "as_of": today.isoformat(), **summary.__dict__},
            source=SOURCE,
        )
        return summary


def _delivered_weeks(sessions: list[ProgrammeSession], today: dt.date, rng: random.Random) -> int:
    """The last few weeks recorded, a few sessions cancelled, by the first demo business
    support officer (none without demo staff)."""
    recorder = (
        StaffMember.objects.filter(is_synthetic=True, user__groups__name=Role.BUSINESS_SUPPORT)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if recorder is None:
        return 0
    this_monday = today - dt.timedelta(days=today.weekday())
    rows = []
    for week in range(1, DELIVERED_WEEKS + 1):
        monday = this_monday - dt.timedelta(weeks=week)
        for session in sessions:
            cancelled = rng.random() < CANCELLED_SHARE
            attendance = max(0, session.expected_attendance - rng.randrange(4))
            rows.append(
                SessionOccurrence(
                    session=session,
                    date=monday + dt.timedelta(days=session.weekday),
                    status=OccurrenceStatus.CANCELLED if cancelled else OccurrenceStatus.DELIVERED,
                    cancellation_reason=rng.choice(CANCELLATION_REASONS) if cancelled else "",
                    staff_present=0 if cancelled else session.staff_count,
                    attendance=0 if cancelled else attendance,
                    recorded_by=recorder.user,
                )
            )
    SessionOccurrence.objects.bulk_create(rows)
    return len(rows)


def _group_runs(holders: list[Centre], today: dt.date, rng: random.Random) -> tuple[int, int]:
    creator = (
        StaffMember.objects.filter(
            is_synthetic=True, user__groups__name=Role.OPERATIONS_DELIVERY_LEADER
        )
        .select_related("user", "team")
        .order_by("pk")
        .first()
    )
    if creator is None:
        return 0, 0
    bands = {band.code: band for band in AgeBand.objects.all()}
    runs = attendances = 0
    enhanced = [c for c in holders if c.offer.code == "enhanced"]
    for index, (code, weeks_ago) in enumerate(DEMO_RUNS):
        programme = GroupProgramme.objects.filter(code=code).first()
        if programme is None or not enhanced:
            continue
        centre = enhanced[(index * 5) % len(enhanced)]
        starts_on = today - dt.timedelta(weeks=weeks_ago)
        starts_on -= dt.timedelta(days=starts_on.weekday())  # a Monday
        start, end = (
            (T(18, 30), T(20, 30))
            if programme.min_age >= 12 and programme.max_age
            else (T(9, 30), T(11, 30))
        )
        run = GroupRun.objects.create(
            programme=programme,
            centre=centre,
            starts_on=starts_on,
            starts_at=start,
            ends_at=end,
            created_by=creator.user,
        )
        sessions = GroupSession.objects.bulk_create(
            GroupSession(
                run=run,
                number=n,
                date=starts_on + dt.timedelta(weeks=n - 1),
                starts_at=start,
                ends_at=end,
            )
            for n in range(1, programme.number_of_sessions + 1)
        )
        people = list(
            Person.objects.filter(
                is_synthetic=True,
                merged_into__isnull=True,
                memberships__family__district=centre.district,
            )
            .distinct()
            .order_by("pk")[:6]
        )
        Participant.objects.bulk_create(
            Participant(
                run=run, person=p, consent_recorded_at=timezone.now(), enrolled_by=creator.user
            )
            for p in people
        )
        for session in sessions:
            if session.date >= today:
                continue
            present = [p for p in people if rng.random() < 0.75]
            Attendance.objects.bulk_create(Attendance(session=session, person=p) for p in present)
            attendances += len(present)
            extra = rng.randrange(2, 9)
            band = (
                bands.get("adult") if programme.min_age >= 18 else next(iter(bands.values()), None)
            )
            if band is not None:
                HeadCount.objects.create(session=session, age_band=band, count=len(present) + extra)
            session.register_taken_at = timezone.now()
            session.register_taken_by = creator.user
            session.save(update_fields=["register_taken_at", "register_taken_by"])
        runs += 1
    return runs, attendances
