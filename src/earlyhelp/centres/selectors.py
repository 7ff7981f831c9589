"""Reads for the centre pages, the specification check and other apps (reach, the case
page). Every selector does its joins once, so its query count does not grow with rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone

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
    Offer,
    OfferRequirement,
    Participant,
    ProgrammeSession,
    ProgrammeSettings,
    RotaEntry,
    SessionOccurrence,
)
from earlyhelp.configuration.models import District, Locality

# ---------------------------------------------------------------- for other apps


def group_reach(
    *,
    since: dt.date,
    until: dt.date,
    centre_ids: Iterable[int] | None = None,
    district_ids: Iterable[int] | None = None,
) -> QuerySet:
    """Named attendance at group sessions dated ``since`` to ``until`` (inclusive), as
    distinct ``(person_id, centre_id, district_id)`` rows: a person at two sessions of
    one centre is one row. Merged duplicates are counted as the record they were merged
    into."""
    rows = Attendance.objects.filter(session__date__gte=since, session__date__lte=until)
    if centre_ids is not None:
        rows = rows.filter(session__run__centre_id__in=list(centre_ids))
    if district_ids is not None:
        rows = rows.filter(session__run__centre__district_id__in=list(district_ids))
    return (
        rows.values_list(
            "person_id", "session__run__centre_id", "session__run__centre__district_id"
        )
        .order_by("person_id", "session__run__centre_id")
        .distinct()
    )


@dataclass(frozen=True)
class HeadCountRow:
    centre_id: int
    district_id: int
    age_band: str
    age_band_name: str
    count: int


def group_head_counts(
    *,
    since: dt.date,
    until: dt.date,
    centre_ids: Iterable[int] | None = None,
    district_ids: Iterable[int] | None = None,
) -> list[HeadCountRow]:
    """Everyone counted at group sessions in the period (named attendees included, so
    these are attendances, not unique people), summed per centre and age band."""
    rows = HeadCount.objects.filter(session__date__gte=since, session__date__lte=until)
    if centre_ids is not None:
        rows = rows.filter(session__run__centre_id__in=list(centre_ids))
    if district_ids is not None:
        rows = rows.filter(session__run__centre__district_id__in=list(district_ids))
    totals = (
        rows.values(
            "session__run__centre_id",
            "session__run__centre__district_id",
            "age_band__code",
            "age_band__name",
            "age_band__sort_order",
        )
        .annotate(total=Sum("count"))
        .order_by("session__run__centre_id", "age_band__sort_order")
    )
    return [
        HeadCountRow(
            centre_id=row["session__run__centre_id"],
            district_id=row["session__run__centre__district_id"],
            age_band=row["age_band__code"],
            age_band_name=row["age_band__name"],
            count=row["total"],
        )
        for row in totals
    ]


@dataclass(frozen=True)
class SessionsDelivered:
    """Sessions in a period: group programme sessions planned and with their register
    taken, and the weekly programme's sessions delivered and cancelled."""

    group_planned: int
    group_delivered: int
    weekly_delivered: int
    weekly_cancelled: int


def sessions_delivered(
    *, since: dt.date, until: dt.date, district_ids: Iterable[int] | None = None
) -> SessionsDelivered:
    """The period's sessions at the centres of these districts (all if None): two
    aggregate queries."""
    groups = GroupSession.objects.filter(date__gte=since, date__lte=until)
    weekly = SessionOccurrence.objects.filter(date__gte=since, date__lte=until)
    if district_ids is not None:
        districts = list(district_ids)
        groups = groups.filter(run__centre__district_id__in=districts)
        weekly = weekly.filter(session__centre__district_id__in=districts)
    group_counts = groups.aggregate(
        planned=Count("pk"), delivered=Count("pk", filter=Q(register_taken_at__isnull=False))
    )
    weekly_counts = weekly.aggregate(
        delivered=Count("pk", filter=Q(status=OccurrenceStatus.DELIVERED)),
        cancelled=Count("pk", filter=Q(status=OccurrenceStatus.CANCELLED)),
    )
    return SessionsDelivered(
        group_planned=group_counts["planned"],
        group_delivered=group_counts["delivered"],
        weekly_delivered=weekly_counts["delivered"],
        weekly_cancelled=weekly_counts["cancelled"],
    )


@dataclass(frozen=True)
class AttendedSession:
    person_id: int
    person: str
    programme: str
    venue: str
    date: dt.date
    session_number: int
    sessions_in_run: int
    outcome_ids: frozenset[int] = frozenset()  # the service outcomes the programme serves


def attendance_for_people(person_ids: Iterable[int]) -> list[AttendedSession]:
    """The group sessions these people attended, latest first (for a family's case)."""
    rows = (
        Attendance.objects.filter(person_id__in=list(person_ids))
        .select_related("person", "session__run__programme", "session__run__centre")
        .prefetch_related("session__run__programme__outcomes")
        .order_by("-session__date", "person__last_name", "person__first_name", "pk")
    )
    return [
        AttendedSession(
            person_id=row.person_id,
            person=str(row.person),
            programme=row.session.run.programme.name,
            venue=row.session.run.venue,
            date=row.session.date,
            session_number=row.session.number,
            sessions_in_run=row.session.run.programme.number_of_sessions,
            outcome_ids=frozenset(o.pk for o in row.session.run.programme.outcomes.all()),
        )
        for row in rows
    ]


# ---------------------------------------------------------------- centres


def programme_settings() -> ProgrammeSettings:
    """The programme settings row (defaults if none is loaded yet)."""
    return ProgrammeSettings.objects.order_by("pk").first() or ProgrammeSettings()


def centre_list() -> QuerySet[Centre]:
    """Active centres with their district, locality and offer, by district then name."""
    return (
        Centre.objects.filter(is_active=True)
        .select_related("district__locality", "offer", "shares_offer_of__offer")
        .annotate(session_count=Count("sessions", filter=Q(sessions__is_active=True)))
        .order_by("district__name", "name")
    )


def centre_detail(*, centre_id: int) -> Centre | None:
    """A centre with its rooms, opening, partners, weekly programme and rota."""
    return (
        Centre.objects.select_related("district__locality", "offer", "shares_offer_of__offer")
        .prefetch_related(
            "rooms",
            "opening_times",
            "partners",
            "partner_buildings",
            "offer__requirements",
            "shares_offer_of__offer__requirements",
            Prefetch(
                "sessions",
                queryset=ProgrammeSession.objects.filter(is_active=True)
                .select_related("room", "group_run__programme")
                .prefetch_related(
                    Prefetch("rota", queryset=RotaEntry.objects.select_related("staff__user"))
                ),
            ),
        )
        .filter(pk=centre_id)
        .first()
    )


def programme_session(*, session_id: int) -> ProgrammeSession | None:
    return (
        ProgrammeSession.objects.select_related(
            "centre__district", "centre__offer", "room", "group_run__programme"
        )
        .prefetch_related(
            Prefetch("rota", queryset=RotaEntry.objects.select_related("staff__user")),
            Prefetch(
                "occurrences",
                # The last twelve weeks: a bounded list however long the session runs.
                queryset=SessionOccurrence.objects.filter(
                    date__gte=timezone.localdate() - dt.timedelta(weeks=12)
                ).order_by("-date"),
            ),
        )
        .filter(pk=session_id)
        .first()
    )


# ---------------------------------------------------------------- specification check


@dataclass
class CheckRow:
    """One line of the specification check: a centre, district, locality or the county."""

    label: str
    tally: rules_spec.Tally
    level: str
    weeks_open: int | None = None
    weeks_required: int | None = None
    object_id: int | None = None
    children: list[CheckRow] = field(default_factory=list)


@dataclass
class SpecificationCheck:
    week_starting: dt.date
    year_from: dt.date
    weeks_required: int
    county: CheckRow
    localities: list[CheckRow]
    districts: list[CheckRow]
    centres: list[CheckRow]


def _requirements(offers: Iterable[Offer]) -> dict[int, list[rules_spec.Requirement]]:
    return {
        offer.pk: [
            rules_spec.Requirement(
                kind=row.session_type,
                sessions_per_week=row.sessions_per_week,
                staff_by_post=row.staff_by_post,
            )
            for row in offer.requirements.all()
        ]
        for offer in offers
    }


def specification_check(
    *, week_starting: dt.date, district_ids: Iterable[int] | None = None
) -> SpecificationCheck:
    """Each offer's planned week against its table (sessions by type, staff by post),
    the sessions delivered and cancelled in the week starting ``week_starting``, and the
    weeks open in the year to that week against the configured year; summed by district,
    locality and county. A partner building's sessions count toward the offer it shares."""
    settings = programme_settings()
    monday = week_starting - dt.timedelta(days=week_starting.weekday())
    sunday = monday + dt.timedelta(days=6)
    year_from = monday - dt.timedelta(weeks=51)

    holders = Centre.objects.filter(is_active=True, offer__isnull=False).select_related(
        "district__locality", "offer"
    )
    if district_ids is not None:
        holders = holders.filter(district_id__in=list(district_ids))
    holders = list(holders.order_by("district__name", "name"))
    holder_ids = [c.pk for c in holders]
    requirements = _requirements(
        Offer.objects.filter(pk__in={c.offer_id for c in holders}).prefetch_related(
            Prefetch("requirements", queryset=OfferRequirement.objects.all())
        )
    )
    holder_of = Q(centre_id__in=holder_ids) | Q(centre__shares_offer_of_id__in=holder_ids)

    planned: dict[int, list[rules_spec.PlannedSession]] = defaultdict(list)
    sessions = ProgrammeSession.objects.filter(holder_of, is_active=True, centre__is_active=True)
    for row in sessions.values(
        "centre_id", "centre__shares_offer_of_id", "session_type", "grade_6", "outreach_a",
        "outreach_b", "delivery_support",
    ):  # fmt: skip
        holder = row["centre__shares_offer_of_id"] or row["centre_id"]
        planned[holder].append(
            rules_spec.PlannedSession(
                kind=row["session_type"],
                staff_by_post={
                    "grade_6": row["grade_6"],
                    "outreach_a": row["outreach_a"],
                    "outreach_b": row["outreach_b"],
                    "delivery_support": row["delivery_support"],
                },
            )
        )

    occurrence_holder_of = Q(session__centre_id__in=holder_ids) | Q(
        session__centre__shares_offer_of_id__in=holder_ids
    )
    week_counts: dict[tuple[int, str], int] = defaultdict(int)
    for row in (
        SessionOccurrence.objects.filter(occurrence_holder_of, date__gte=monday, date__lte=sunday)
        .values("session__centre_id", "session__centre__shares_offer_of_id", "status")
        .annotate(n=Count("pk"))
    ):
        holder = row["session__centre__shares_offer_of_id"] or row["session__centre_id"]
        week_counts[(holder, row["status"])] += row["n"]
    open_dates: dict[int, set[dt.date]] = defaultdict(set)
    for row in (
        SessionOccurrence.objects.filter(
            occurrence_holder_of,
            status=OccurrenceStatus.DELIVERED,
            date__gte=year_from,
            date__lte=sunday,
        )
        .values("session__centre_id", "session__centre__shares_offer_of_id", "date")
        .distinct()
    ):
        holder = row["session__centre__shares_offer_of_id"] or row["session__centre_id"]
        open_dates[holder].add(row["date"])

    weeks_required = settings.weeks_open_per_year
    centre_rows: list[CheckRow] = []
    districts: dict[int, CheckRow] = {}
    localities: dict[int, CheckRow] = {}
    county = CheckRow(label="County", tally=rules_spec.Tally(), level="county")
    for centre in holders:
        tally = rules_spec.tally_offer(
            requirements=requirements.get(centre.offer_id, []),
            sessions=planned.get(centre.pk, []),
            delivered=week_counts.get((centre.pk, OccurrenceStatus.DELIVERED), 0),
            cancelled=week_counts.get((centre.pk, OccurrenceStatus.CANCELLED), 0),
        )
        row = CheckRow(
            label=centre.name,
            tally=tally,
            level="centre",
            weeks_open=rules_spec.weeks_open(open_dates.get(centre.pk, ())),
            weeks_required=weeks_required,
            object_id=centre.pk,
        )
        centre_rows.append(row)
        district = centre.district
        district_row = districts.setdefault(
            district.pk,
            CheckRow(
                label=district.name,
                tally=rules_spec.Tally(),
                level="district",
                object_id=district.pk,
            ),
        )
        district_row.tally.add(tally)
        district_row.children.append(row)
        locality = district.locality
        locality_row = localities.setdefault(
            locality.pk,
            CheckRow(
                label=locality.name,
                tally=rules_spec.Tally(),
                level="locality",
                object_id=locality.pk,
            ),
        )
        locality_row.tally.add(tally)
        county.tally.add(tally)
    return SpecificationCheck(
        week_starting=monday,
        year_from=year_from,
        weeks_required=weeks_required,
        county=county,
        localities=sorted(localities.values(), key=lambda r: r.label),
        districts=sorted(districts.values(), key=lambda r: r.label),
        centres=centre_rows,
    )


# ---------------------------------------------------------------- group programmes


def programme_catalogue() -> QuerySet[GroupProgramme]:
    return (
        GroupProgramme.objects.filter(is_active=True)
        .prefetch_related("outcomes", "target_groups")
        .annotate(run_count=Count("runs"))
        .order_by("name")
    )


def programme_detail(*, programme_id: int) -> GroupProgramme | None:
    return (
        GroupProgramme.objects.prefetch_related(
            "outcomes",
            "target_groups",
            Prefetch(
                "runs",
                queryset=GroupRun.objects.select_related("centre", "facilitator__user").annotate(
                    participant_count=Count("participants", distinct=True)
                ),
            ),
        )
        .filter(pk=programme_id)
        .first()
    )


def run_detail(*, run_id: int) -> GroupRun | None:
    """A run with its sessions (named attendance and head count totals) and participants."""
    return (
        GroupRun.objects.select_related("programme", "centre__district", "facilitator__user")
        .prefetch_related(
            Prefetch(
                "sessions",
                queryset=GroupSession.objects.annotate(
                    named_count=Count("attendances", distinct=True),
                    # A subquery: summed over the attendance join it would be multiplied.
                    head_count=Subquery(
                        HeadCount.objects.filter(session=OuterRef("pk"))
                        .values("session")
                        .annotate(total=Sum("count"))
                        .values("total")
                    ),
                ).order_by("number"),
            ),
            Prefetch("participants", queryset=Participant.objects.select_related("person")),
        )
        .filter(pk=run_id)
        .first()
    )


@dataclass(frozen=True)
class Completion:
    participant: Participant
    attended: int
    completed: bool


def run_completion(*, run: GroupRun) -> list[Completion]:
    """Each participant's sessions attended, and whether that completes the programme."""
    counts = dict(
        Attendance.objects.filter(session__run=run)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    required = run.programme.completion_sessions
    return [
        Completion(
            participant=p,
            attended=counts.get(p.person_id, 0),
            completed=rules_spec.completed(attended=counts.get(p.person_id, 0), required=required),
        )
        for p in run.participants.all()
    ]


def group_session_for_register(*, session_id: int) -> GroupSession | None:
    """A session with what its register page shows: the run's participants, who is
    marked present, and the head counts by band."""
    return (
        GroupSession.objects.select_related("run__programme", "run__centre", "register_taken_by")
        .prefetch_related(
            Prefetch("run__participants", queryset=Participant.objects.select_related("person")),
            "attendances",
            Prefetch("head_counts", queryset=HeadCount.objects.select_related("age_band")),
        )
        .filter(pk=session_id)
        .first()
    )


def age_bands() -> list[AgeBand]:
    return list(AgeBand.objects.order_by("sort_order", "min_age"))


def districts_and_localities() -> tuple[list[District], list[Locality]]:
    return (
        list(District.objects.select_related("locality").order_by("name")),
        list(Locality.objects.order_by("name")),
    )
