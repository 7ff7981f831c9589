"""Synthetic outreach and Talkzone work for the demo: six weeks of outreach and detached
sessions in every district, four weeks of Talkzone contacts, and a rota from four weeks
ago to two weeks ahead with a few gaps left for the coverage check to flag.

Made through the same service functions as real work (so every record is checked and
audited), after seed_demo has made the staff and families. The same seed on the same
day makes the same records.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.outreach import services
from earlyhelp.outreach.models import (
    AgeBand,
    ContactOutcome,
    OutreachIssue,
    OutreachSession,
    SessionKind,
    TalkzoneTopic,
    VenueType,
)
from earlyhelp.outreach.models import Channel as ContactChannel
from earlyhelp.workforce.models import StaffMember, Team

SOURCE = "seed_outreach_demo"
SESSION_WEEKS = 6
CONTACT_DAYS = 28
ROTA_DAYS_BACK = 28
ROTA_DAYS_AHEAD = 14
# Made-up neighbourhood names; each district's areas are "<district> <name>".
NEIGHBOURHOODS = ("Town Centre", "North Estate", "Moor Park", "Riverside", "Brookfield")
PRIORITY_SHARE = 0.4
SUMMARIES = (
    "Young person worried about falling out with friends; talked through options.",
    "Parent asking what help there is with a teenager's behaviour at home.",
    "Young person feeling low since exams; gave information about local support.",
    "Asked about sexual health clinics near them; signposted to the nearest.",
    "Worried about a friend's drinking; talked about how to support them safely.",
    "Looking for youth activities in the evenings; shared the centre's programme.",
)
OUTCOMES = (
    ContactOutcome.INFORMATION,
    ContactOutcome.ADVICE,
    ContactOutcome.SIGNPOSTING,
    ContactOutcome.FOLLOW_UP,
)
CHANNEL_WEIGHTS = (
    (ContactChannel.PHONE, 30),
    (ContactChannel.SMS, 20),
    (ContactChannel.WEBTALK, 25),
    (ContactChannel.SOCIAL_MEDIA, 15),
    (ContactChannel.EMAIL, 10),
)


@dataclass(frozen=True)
class OutreachDemoSummary:
    sessions: int
    contacts: int
    shifts: int


def _members_with_role(role: Role):
    return StaffMember.objects.filter(
        is_synthetic=True, user__is_active=True, user__groups__name=role.value
    ).select_related("user", "team")


def seed_outreach_demo(*, seed: int) -> OutreachDemoSummary | None:
    """Make the outreach demo once demo staff exist; None if made before or no staff."""
    if OutreachSession.objects.exists():
        return None
    if not StaffMember.objects.filter(is_synthetic=True).exists():
        return None
    # Seeded for reproducible demo data, not for anything secret.
    rng = random.Random(seed)  # noqa: S311
    now = timezone.now()
    with transaction.atomic():
        sessions = _sessions(rng, now)
        contacts = _contacts(rng, now)
        shifts = _rota(rng, now)
    return OutreachDemoSummary(sessions=sessions, contacts=contacts, shifts=shifts)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _sessions(rng: random.Random, now: dt.datetime) -> int:
    from earlyhelp.outreach.rules import people_visible_to

    outreach_workers = list(_members_with_role(Role.OUTREACH_WORKER).order_by("pk"))
    issues = list(OutreachIssue.objects.filter(active=True).order_by("sort_order"))
    bands = list(AgeBand.objects.filter(active=True).order_by("sort_order"))
    by_team: dict[int, list[StaffMember]] = {}
    for worker in outreach_workers:
        if worker.team_id is not None:
            by_team.setdefault(worker.team_id, []).append(worker)
    today = timezone.localdate(now)
    made = 0
    for team in Team.objects.filter(pk__in=by_team).select_related("district").order_by("pk"):
        workers = by_team[team.pk]
        recorder = workers[0]
        young_people = list(
            people_visible_to(recorder.user)
            .filter(memberships__relationship="child")
            .order_by("pk")[:40]
        )
        priority = {n: rng.random() < PRIORITY_SHARE for n in NEIGHBOURHOODS}
        for week in range(SESSION_WEEKS, 0, -1):
            monday = today - dt.timedelta(days=today.weekday() + 7 * week)
            for weekday in sorted(rng.sample(range(6), rng.choice([1, 2]))):
                day = monday + dt.timedelta(days=weekday)
                kind = rng.choice(SessionKind.values)
                start = _at(day, 18 if kind == SessionKind.DETACHED else 16, 30 * rng.randint(0, 1))
                end = start + dt.timedelta(hours=rng.choice([2, 3]))
                if end > now:
                    continue
                area = rng.choice(NEIGHBOURHOODS)
                venue = (
                    VenueType.STREET
                    if kind == SessionKind.DETACHED
                    else rng.choice(
                        [VenueType.PARTNER_VENUE, VenueType.VILLAGE_HALL, VenueType.MOBILE_VEHICLE]
                    )
                )
                team_workers = rng.sample(workers, min(len(workers), 2))
                if recorder not in team_workers:
                    team_workers[0] = recorder
                met = rng.sample(young_people, min(len(young_people), rng.choice([0, 0, 1, 2])))
                services.record_outreach_session(
                    actor=recorder.user,
                    data=services.SessionInput(
                        kind=kind,
                        district_id=team.district_id,
                        area=f"{team.district.name} {area}",
                        priority_neighbourhood=priority[area],
                        venue_type=venue,
                        venue_name="" if venue == VenueType.STREET else f"{area} {venue.label}",
                        starts_at=start,
                        ends_at=end,
                        worker_ids=tuple(w.pk for w in team_workers),
                        contact_counts={
                            b.code: rng.randint(0, 12) for b in bands if b.min_age >= 11
                        },
                        issue_codes=tuple(
                            i.code for i in rng.sample(issues, min(len(issues), rng.randint(1, 3)))
                        ),
                        people_met_ids=tuple(p.pk for p in met),
                        follow_ups=rng.randint(0, 3),
                        notes="Synthetic demo session.",
                    ),
                    source=SOURCE,
                )
                made += 1
    return made


def _contacts(rng: random.Random, now: dt.datetime) -> int:
    from earlyhelp.outreach.rules import people_visible_to

    talkzone = list(_members_with_role(Role.TALKZONE_WORKER).order_by("pk"))
    if not talkzone:
        return 0
    topics = list(TalkzoneTopic.objects.filter(active=True).order_by("sort_order"))
    bands = list(AgeBand.objects.filter(active=True, max_age__isnull=False).order_by("sort_order"))
    # A few contacts are from young people the service knows, logged by their team's
    # operations and delivery leader covering the line (who may see the family).
    leaders = list(_members_with_role(Role.OPERATIONS_DELIVERY_LEADER).order_by("pk")[:3])
    known = {
        leader.pk: list(
            people_visible_to(leader.user)
            .filter(memberships__relationship="child")
            .order_by("pk")[:10]
        )
        for leader in leaders
    }
    channels = [c for c, _ in CHANNEL_WEIGHTS]
    weights = [w for _, w in CHANNEL_WEIGHTS]
    today = timezone.localdate(now)
    made = 0
    for days_ago in range(CONTACT_DAYS, 0, -1):
        day = today - dt.timedelta(days=days_ago)
        for _ in range(rng.randint(4, 9)):
            # Mostly within 2-10 pm; some messages arrive late at night or in the morning.
            if rng.random() < 0.85:
                minute = rng.randint(14 * 60, 22 * 60 - 1)
            else:
                minute = rng.choice(
                    [rng.randint(22 * 60, 24 * 60 - 1), rng.randint(7 * 60, 14 * 60 - 1)]
                )
            occurred_at = _at(day, minute // 60, minute % 60)
            actor, person = rng.choice(talkzone).user, None
            leader = rng.choice(leaders) if leaders and rng.random() < 0.1 else None
            if leader is not None and known[leader.pk]:
                actor, person = leader.user, rng.choice(known[leader.pk])
            services.record_talkzone_contact(
                actor=actor,
                data=services.ContactInput(
                    channel=rng.choices(channels, weights=weights)[0],
                    occurred_at=occurred_at,
                    topic_code=rng.choice(topics).code,
                    outcome=rng.choice(OUTCOMES),
                    summary=rng.choice(SUMMARIES),
                    person_id=person.pk if person else None,
                    age_band_code=rng.choice(bands).code if bands and rng.random() < 0.7 else "",
                ),
                source=SOURCE,
            )
            made += 1
    return made


def _rota(rng: random.Random, now: dt.datetime) -> int:
    talkzone = list(_members_with_role(Role.TALKZONE_WORKER).order_by("pk"))
    head = _members_with_role(Role.HEAD_OF_SERVICE).first()
    if not talkzone or head is None:
        return 0
    today = timezone.localdate(now)
    made = 0
    for offset in range(-ROTA_DAYS_BACK, ROTA_DAYS_AHEAD):
        day = today + dt.timedelta(days=offset)
        for start_hour, end_hour in ((14, 18), (18, 22)):
            # About one shift in 25 is left unfilled, for the coverage check to flag.
            if rng.random() < 0.04:
                continue
            services.add_talkzone_shift(
                actor=head.user,
                worker_id=rng.choice(talkzone).pk,
                starts_at=_at(day, start_hour),
                ends_at=_at(day, end_hour),
                source=SOURCE,
            )
            made += 1
    return made
