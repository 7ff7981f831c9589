"""Every change to a centre's programme: one function per action, each authorised
before its transaction (a refusal stays on the audit log), checked against the rules,
saved in one transaction and audited.

Bad input is refused with ``ProgrammeRuleBroken`` naming the field: a session outside
the centre's opening, a worker on two sessions at once, a room over capacity, a register
for a session that has not happened yet, a head count below the named attendees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from earlyhelp.audit.services import record_write, snapshot
from earlyhelp.centres import rules_spec
from earlyhelp.centres.models import (
    POST_FIELDS,
    WEEKDAYS,
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
)
from earlyhelp.centres.selectors import programme_settings
from earlyhelp.core.actions import authorised_action
from earlyhelp.core.concurrency import StaleRecord, is_stale, save_versioned, stale_error
from earlyhelp.core.errors import DomainError
from earlyhelp.people.models import Person
from earlyhelp.workforce.models import StaffMember

DAY_NAMES = dict(WEEKDAYS)
PLAN = "centres.plan_at_centre"
RECORD = "centres.record_at_centre"
NOT_YOURS = "You cannot plan the programme of this centre."
NOT_RECORDER = "You cannot record registers or sessions at centres."


class ProgrammeRuleBroken(DomainError):
    """Input the programme's rules refuse; ``field`` names what to correct."""

    status = 422
    title = "Not allowed by the programme's rules"
    rule = "programme_rule"


def _hm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def _day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def session_type_for(*, weekday: int, starts_at: dt.time) -> str:
    """The session type a day and start time make, by the configured boundaries."""
    settings = programme_settings()
    return rules_spec.session_kind(
        weekday=weekday,
        starts_at=starts_at,
        twilight_from=settings.twilight_starts_at,
        evening_from=settings.evening_starts_at,
    ).value


# ---------------------------------------------------------------- the weekly timetable


def _check_times(starts_at: dt.time, ends_at: dt.time) -> None:
    if ends_at <= starts_at:
        raise ProgrammeRuleBroken("The end time must be after the start time", field="ends_at")


def _check_opening(centre: Centre, weekday: int, starts_at: dt.time, ends_at: dt.time) -> None:
    opening = centre.opening_times.filter(weekday=weekday).first()
    day = DAY_NAMES[weekday]
    if opening is None:
        raise ProgrammeRuleBroken(f"{centre.name} is not open on {day}s", field="weekday")
    if not rules_spec.within(starts_at, ends_at, opening.opens_at, opening.closes_at):
        raise ProgrammeRuleBroken(
            f"The session must be within the centre's opening on {day}s, "
            f"{_hm(opening.opens_at)} to {_hm(opening.closes_at)}",
            field="starts_at",
        )


def _check_room(
    centre: Centre,
    room_id: int | None,
    expected: int,
    weekday: int,
    starts_at: dt.time,
    ends_at: dt.time,
    exclude_id: int | None = None,
):
    if room_id is None:
        return None
    room = centre.rooms.filter(pk=room_id).first()
    if room is None:
        raise ProgrammeRuleBroken(f"Choose a room at {centre.name}", field="room")
    if expected > room.capacity:
        raise ProgrammeRuleBroken(
            f"{room.name} holds {room.capacity} people: {expected} expected is over its capacity",
            field="expected_attendance",
        )
    clash = (
        ProgrammeSession.objects.filter(
            room=room,
            is_active=True,
            weekday=weekday,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .exclude(pk=exclude_id)
        .first()
    )
    if clash is not None:
        raise ProgrammeRuleBroken(
            f"{room.name} is already booked on {DAY_NAMES[weekday]}s "
            f"{_hm(clash.starts_at)} to {_hm(clash.ends_at)} ({clash.label})",
            field="room",
        )
    return room


def _staff_counts(staff: Mapping[str, int] | None) -> dict[str, int]:
    counts = dict.fromkeys(POST_FIELDS.values(), 0)
    for post, value in (staff or {}).items():
        if post not in counts:
            raise ProgrammeRuleBroken(f"There is no post called {post!r}", field="staff")
        if value < 0:
            raise ProgrammeRuleBroken("Staff numbers cannot be negative", field=post)
        counts[post] = int(value)
    return counts


@authorised_action(
    queryset=lambda: Centre.objects.select_related("district"),
    id_argument="centre_id",
    permission=PLAN,
    not_found="No such centre.",
    refused=NOT_YOURS,
)
def add_programme_session(
    *,
    actor,
    centre_id: int,
    weekday: int,
    starts_at: dt.time,
    ends_at: dt.time,
    title: str = "",
    room_id: int | None = None,
    expected_attendance: int = 0,
    group_run_id: int | None = None,
    staff: Mapping[str, int] | None = None,
    source: str = "",
) -> ProgrammeSession:
    """Add a weekly session to a centre's timetable: inside the centre's opening, in one
    of its rooms (within capacity, not double-booked); its type follows from the time."""
    centre = Centre.objects.select_for_update().get(pk=centre_id)
    if weekday not in DAY_NAMES:
        raise ProgrammeRuleBroken("Choose a day of the week", field="weekday")
    _check_times(starts_at, ends_at)
    _check_opening(centre, weekday, starts_at, ends_at)
    room = _check_room(centre, room_id, expected_attendance, weekday, starts_at, ends_at)
    run = None
    if group_run_id is not None:
        run = GroupRun.objects.filter(pk=group_run_id, centre=centre).first()
        if run is None:
            raise ProgrammeRuleBroken(f"Choose a group run at {centre.name}", field="group_run")
    if not title.strip() and run is None:
        raise ProgrammeRuleBroken(
            "Enter a title for the session, or link it to a group run", field="title"
        )
    session = ProgrammeSession(
        centre=centre,
        weekday=weekday,
        starts_at=starts_at,
        ends_at=ends_at,
        session_type=session_type_for(weekday=weekday, starts_at=starts_at),
        room=room,
        expected_attendance=expected_attendance,
        title=title.strip(),
        group_run=run,
        **_staff_counts(staff),
    )
    session.full_clean()
    session.save()
    record_write(
        actor=actor,
        code="programme_session.added",
        instance=session,
        changes={k: [None, v] for k, v in snapshot(session).items()},
        source=source,
    )
    return session


@authorised_action(
    queryset=lambda: ProgrammeSession.objects.select_related("centre__district"),
    id_argument="session_id",
    permission=PLAN,
    not_found="No such session.",
    refused=NOT_YOURS,
)
def withdraw_programme_session(*, actor, session_id: int, source: str = "") -> ProgrammeSession:
    """Take a session out of the weekly timetable (its delivery record stays)."""
    session = ProgrammeSession.objects.select_for_update().get(pk=session_id)
    if not session.is_active:
        raise ProgrammeRuleBroken("This session is already withdrawn")
    session.is_active = False
    session.save(update_fields=["is_active"])
    session.rota.all().delete()
    record_write(
        actor=actor,
        code="programme_session.withdrawn",
        instance=session,
        changes={"is_active": [True, False]},
        source=source,
    )
    return session


def _clashing_session(staff: StaffMember, session: ProgrammeSession) -> ProgrammeSession | None:
    """Another active session the worker is on that overlaps this one's day and times."""
    return (
        ProgrammeSession.objects.filter(
            rota__staff=staff,
            is_active=True,
            weekday=session.weekday,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        )
        .exclude(pk=session.pk)
        .select_related("centre")
        .first()
    )


@authorised_action(
    queryset=lambda: ProgrammeSession.objects.select_related("centre__district"),
    id_argument="session_id",
    permission=PLAN,
    not_found="No such session.",
    refused=NOT_YOURS,
)
def add_to_rota(*, actor, session_id: int, staff_id: int, post: str, source: str = "") -> RotaEntry:
    """Put a named member of staff on a weekly session in a post; nobody can be on two
    sessions at once."""
    session = (
        ProgrammeSession.objects.select_for_update().select_related("centre").get(pk=session_id)
    )
    if not session.is_active:
        raise ProgrammeRuleBroken("This session has been withdrawn from the timetable")
    if post not in Post.values:
        raise ProgrammeRuleBroken("Choose the post they work in", field="post")
    staff = StaffMember.objects.select_related("user").filter(pk=staff_id).first()
    if staff is None or not staff.user.is_active:
        raise ProgrammeRuleBroken("Choose a member of staff", field="staff")
    # Lock the worker's row so that two planners cannot book them twice at once.
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    if session.rota.filter(staff=staff).exists():
        raise ProgrammeRuleBroken(f"{staff.user} is already on this session", field="staff")
    clash = _clashing_session(staff, session)
    if clash is not None:
        raise ProgrammeRuleBroken(
            f"{staff.user} is already on {clash.label} at {clash.centre.name}, "
            f"{DAY_NAMES[clash.weekday]}s {_hm(clash.starts_at)} to {_hm(clash.ends_at)}",
            field="staff",
        )
    entry = RotaEntry(session=session, staff=staff, post=post)
    entry.full_clean()
    entry.save()
    record_write(
        actor=actor,
        code="rota_entry.added",
        instance=entry,
        details={"session": session.pk, "staff": staff.pk, "post": post},
        source=source,
    )
    return entry


@authorised_action(
    queryset=lambda: ProgrammeSession.objects.select_related("centre__district"),
    id_argument="session_id",
    permission=PLAN,
    not_found="No such session.",
    refused=NOT_YOURS,
)
def remove_from_rota(*, actor, session_id: int, staff_id: int, source: str = "") -> None:
    """Take a member of staff off a weekly session."""
    entry = RotaEntry.objects.filter(session_id=session_id, staff_id=staff_id).first()
    if entry is None:
        raise ProgrammeRuleBroken("They are not on this session", field="staff")
    record_write(
        actor=actor,
        code="rota_entry.removed",
        instance=entry,
        details={"session": session_id, "staff": staff_id, "post": entry.post},
        source=source,
    )
    entry.delete()


@authorised_action(
    queryset=lambda: ProgrammeSession.objects.select_related("centre__district"),
    id_argument="session_id",
    permission=RECORD,
    not_found="No such session.",
    refused=NOT_RECORDER,
)
def record_session_occurrence(
    *,
    actor,
    session_id: int,
    date: dt.date,
    status: str,
    cancellation_reason: str = "",
    staff_present: int = 0,
    attendance: int = 0,
    source: str = "",
) -> SessionOccurrence:
    """Record a weekly session on a date as delivered or cancelled (with the reason)."""
    session = ProgrammeSession.objects.select_related("centre", "room").get(pk=session_id)
    if status not in OccurrenceStatus.values:
        raise ProgrammeRuleBroken("Choose delivered or cancelled", field="status")
    if date.weekday() != session.weekday:
        raise ProgrammeRuleBroken(
            f"This session runs on {DAY_NAMES[session.weekday]}s: {_day(date)} is a "
            f"{DAY_NAMES[date.weekday()]}",
            field="date",
        )
    if status == OccurrenceStatus.DELIVERED and date > timezone.localdate():
        raise ProgrammeRuleBroken(
            "A session can be recorded as delivered once it has happened", field="date"
        )
    reason = cancellation_reason.strip()
    if status == OccurrenceStatus.CANCELLED and not reason:
        raise ProgrammeRuleBroken(
            "Enter why the session was cancelled", field="cancellation_reason"
        )
    if session.room is not None and attendance > session.room.capacity:
        raise ProgrammeRuleBroken(
            f"{session.room.name} holds {session.room.capacity} people: {attendance} is over "
            "its capacity",
            field="attendance",
        )
    if SessionOccurrence.objects.filter(session=session, date=date).exists():
        raise ProgrammeRuleBroken(f"This session on {_day(date)} is already recorded", field="date")
    occurrence = SessionOccurrence(
        session=session,
        date=date,
        status=status,
        cancellation_reason=reason if status == OccurrenceStatus.CANCELLED else "",
        staff_present=staff_present if status == OccurrenceStatus.DELIVERED else 0,
        attendance=attendance if status == OccurrenceStatus.DELIVERED else 0,
        recorded_by=actor,
    )
    occurrence.full_clean()
    try:
        with transaction.atomic():
            occurrence.save()
    except IntegrityError:
        raise ProgrammeRuleBroken(
            f"This session on {_day(date)} is already recorded", field="date"
        ) from None
    record_write(
        actor=actor,
        code=f"programme_session.{status}",
        instance=occurrence,
        details={"session": session.pk, "date": date.isoformat(), "reason": reason},
        source=source,
    )
    return occurrence


# ---------------------------------------------------------------- group programmes


@authorised_action(
    queryset=lambda: Centre.objects.select_related("district"),
    id_argument="centre_id",
    permission=PLAN,
    not_found="No such centre.",
    refused=NOT_YOURS,
)
def create_group_run(
    *,
    actor,
    centre_id: int,
    programme_id: int,
    starts_on: dt.date,
    starts_at: dt.time,
    ends_at: dt.time,
    partner_venue: str = "",
    facilitator_id: int | None = None,
    weeks_between: int = 1,
    source: str = "",
) -> GroupRun:
    """Run a catalogue programme at a centre (or a partner venue it serves): one dated
    session a week (or every ``weeks_between`` weeks) for the programme's length."""
    centre = Centre.objects.get(pk=centre_id)
    programme = GroupProgramme.objects.filter(pk=programme_id, is_active=True).first()
    if programme is None:
        raise ProgrammeRuleBroken("Choose a programme from the catalogue", field="programme")
    _check_times(starts_at, ends_at)
    if weeks_between < 1:
        raise ProgrammeRuleBroken("Sessions must be at least a week apart", field="weeks_between")
    venue = partner_venue.strip()
    if not venue:
        _check_opening(centre, starts_on.weekday(), starts_at, ends_at)
    facilitator = None
    if facilitator_id is not None:
        facilitator = StaffMember.objects.filter(pk=facilitator_id).first()
        if facilitator is None:
            raise ProgrammeRuleBroken("Choose a member of staff", field="facilitator")
    run = GroupRun(
        programme=programme,
        centre=centre,
        partner_venue=venue,
        starts_on=starts_on,
        starts_at=starts_at,
        ends_at=ends_at,
        facilitator=facilitator,
        created_by=actor,
    )
    run.full_clean()
    run.save()
    GroupSession.objects.bulk_create(
        GroupSession(
            run=run,
            number=number,
            date=starts_on + dt.timedelta(weeks=weeks_between * (number - 1)),
            starts_at=starts_at,
            ends_at=ends_at,
        )
        for number in range(1, programme.number_of_sessions + 1)
    )
    record_write(
        actor=actor,
        code="group_run.created",
        instance=run,
        details={
            "programme": programme.code,
            "centre": centre.code,
            "venue": run.venue,
            "sessions": programme.number_of_sessions,
        },
        source=source,
    )
    return run


def _one_person(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).first()
    if person is None:
        raise ProgrammeRuleBroken("There is no record of that person", field="person")
    return person


def find_person(*, first_name: str, last_name: str, date_of_birth: dt.date) -> Person:
    """The one person with this name and date of birth (a register finds a participant
    this way rather than by browsing people)."""
    matches = list(
        Person.objects.filter(
            first_name__iexact=first_name.strip(),
            last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
            merged_into__isnull=True,
        )[:2]
    )
    if not matches:
        raise ProgrammeRuleBroken(
            "No record matches that name and date of birth. Count them in the head count "
            "instead, or ask their key worker",
            field="first_name",
        )
    if len(matches) > 1:
        raise ProgrammeRuleBroken(
            "More than one record matches: ask a key worker to merge them first",
            field="first_name",
        )
    return matches[0]


@authorised_action(
    queryset=lambda: GroupRun.objects.select_related("centre__district"),
    id_argument="run_id",
    permission=RECORD,
    not_found="No such group run.",
    refused=NOT_RECORDER,
)
def enrol_participant(
    *, actor, run_id: int, person_id: int, consent_given: bool, source: str = ""
) -> Participant:
    """Add a named participant to a run, only with consent to record their attendance."""
    run = GroupRun.objects.select_for_update().get(pk=run_id)
    if not consent_given:
        raise ProgrammeRuleBroken(
            "Attendance is only recorded by name with consent. Without it, count them in "
            "the head count",
            field="consent_given",
        )
    person = _one_person(person_id)
    if run.participants.filter(person=person).exists():
        raise ProgrammeRuleBroken(f"{person} is already on this run", field="person")
    participant = Participant(
        run=run, person=person, consent_recorded_at=timezone.now(), enrolled_by=actor
    )
    participant.full_clean()
    participant.save()
    record_write(
        actor=actor,
        code="group_participant.enrolled",
        instance=participant,
        details={"run": run.pk, "consent": True},
        source=source,
        subject_person_id=person.pk,
    )
    return participant


REGISTER_NOUN = "this register"


def _stale_register(
    session: GroupSession, present_ids: list[int], head_counts: Mapping[str, int]
) -> StaleRecord:
    """The refusal of a register saved over a newer one: who is marked present and each
    age band's head count, as saved now and as submitted."""
    saved_ids = set(session.attendances.values_list("person_id", flat=True))
    names = {p.pk: str(p) for p in Person.objects.filter(pk__in=saved_ids | set(present_ids))}
    saved_counts = dict(session.head_counts.values_list("age_band__code", "count"))
    labels = {"present": "Who came"}
    saved: dict[str, object] = {"present": sorted(names.get(pk, "") for pk in saved_ids)}
    submitted: dict[str, object] = {
        "present": sorted(names.get(pk, str(pk)) for pk in set(present_ids))
    }
    for band in AgeBand.objects.all():
        key = f"band_{band.code}"
        labels[key] = f"Head count: {band.name}"
        saved[key] = saved_counts.get(band.code, 0)
        submitted[key] = head_counts.get(band.code) or 0
    return stale_error(session, saved=saved, submitted=submitted, labels=labels, noun=REGISTER_NOUN)


@authorised_action(
    queryset=lambda: GroupSession.objects.select_related("run__centre__district"),
    id_argument="session_id",
    permission=RECORD,
    not_found="No such group session.",
    refused=NOT_RECORDER,
)
def record_register(
    *,
    actor,
    session_id: int,
    present_person_ids: Iterable[int],
    head_counts: Mapping[str, int],
    expected_version: int | None = None,
    source: str = "",
) -> GroupSession:
    """Take (or correct) a session's register once it has happened: the named
    participants present, and everyone present counted by age band, which cannot be
    fewer than those named. A save made to an older version of the register than the one
    saved (``expected_version``) is refused with the changes."""
    session = GroupSession.objects.select_for_update().select_related("run").get(pk=session_id)
    present_person_ids = list(present_person_ids)
    if is_stale(session, expected_version):
        raise _stale_register(session, present_person_ids, head_counts)
    today = timezone.localdate()
    if session.date > today:
        raise ProgrammeRuleBroken(
            f"This session is on {_day(session.date)}: its register can be taken once it "
            "has happened",
            field="present",
        )
    present = sorted(set(present_person_ids))
    enrolled = set(session.run.participants.values_list("person_id", flat=True))
    strangers = [pk for pk in present if pk not in enrolled]
    if strangers:
        raise ProgrammeRuleBroken(
            "Only participants who consented can be marked present by name: count anyone "
            "else in the head count",
            field="present",
        )
    bands = {band.code: band for band in AgeBand.objects.all()}
    counts: dict[str, int] = {}
    for code, value in head_counts.items():
        if code not in bands:
            raise ProgrammeRuleBroken(f"There is no age band {code!r}", field="head_counts")
        if value is None or int(value) < 0:
            raise ProgrammeRuleBroken(
                f"Enter a head count of 0 or more for {bands[code].name}",
                field=f"head_counts.{code}",
            )
        counts[code] = int(value)
    total = sum(counts.values())
    if total < len(present):
        raise ProgrammeRuleBroken(
            f"The head count ({total}) is below the number of named attendees "
            f"({len(present)}): everyone present is counted in an age band",
            field="head_counts",
        )
    before = {
        "present": sorted(session.attendances.values_list("person_id", flat=True)),
        "head_counts": dict(session.head_counts.values_list("age_band__code", "count")),
    }
    session.attendances.all().delete()
    Attendance.objects.bulk_create(Attendance(session=session, person_id=pk) for pk in present)
    session.head_counts.all().delete()
    HeadCount.objects.bulk_create(
        HeadCount(session=session, age_band=bands[code], count=value)
        for code, value in counts.items()
        if value
    )
    retaken = session.register_taken_at is not None
    session.register_taken_at = timezone.now()
    session.register_taken_by = actor
    save_versioned(session, ["register_taken_at", "register_taken_by"], noun=REGISTER_NOUN)
    record_write(
        actor=actor,
        code="group_register.corrected" if retaken else "group_register.taken",
        instance=session,
        changes={
            "present": [before["present"], present],
            "head_counts": [before["head_counts"], {k: v for k, v in counts.items() if v}],
        },
        details={"run": session.run_id, "named": len(present), "head_count": total},
        source=source,
    )
    return session
