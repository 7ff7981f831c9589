"""Recording outreach and detached sessions, Talkzone contacts and the Talkzone rota, and
loading the configured lists. One function per action: permission-checked before its
transaction opens (so a refusal stays on the audit log), validated, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_denied, record_write
from earlyhelp.configuration.models import District
from earlyhelp.core.errors import DomainError
from earlyhelp.outreach import events
from earlyhelp.outreach.models import (
    AgeBand,
    ContactCount,
    ContactOutcome,
    OpeningWindow,
    OutreachIssue,
    OutreachSession,
    SessionKind,
    TalkzoneContact,
    TalkzoneShift,
    TalkzoneTopic,
    VenueType,
)
from earlyhelp.outreach.models import Channel as ContactChannel
from earlyhelp.outreach.rules import people_visible_to
from earlyhelp.outreach.selectors import talkzone_opening_hours
from earlyhelp.workforce.models import StaffMember

LISTS_PATH = Path(__file__).resolve().parent / "lists.yaml"


class WorkerDoubleBooked(DomainError):
    status = 409
    title = "A worker is already booked then"
    rule = "worker_double_booked"


class ContactAlreadyLinked(DomainError):
    status = 409
    title = "Already turned into a Request for Support"
    rule = "talkzone_contact_already_linked"


def _refuse(*, actor, permission: str, object_type: str, source: str, message: str) -> None:
    """Refuse (and audit) an actor without ``permission``."""
    if not actor.has_perm(permission):
        record_denied(actor=actor, object_type=object_type, object_id="", source=source)
        raise PermissionDenied(message)


def _when(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _visible_people(*, actor, person_ids: Iterable[int], field: str, source: str) -> list:
    """The people named, each of whom the actor must be allowed to see."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return []
    found = list(people_visible_to(actor).filter(pk__in=wanted))
    missing = sorted(set(wanted) - {p.pk for p in found})
    if missing:
        for person_id in missing:
            record_denied(
                actor=actor, object_type="people.person", object_id=person_id, source=source
            )
        raise ValidationError(
            {field: ["You can only name people whose family records you can see"]}
        )
    return found


# ---------------------------------------------------------------- outreach sessions


@dataclass(frozen=True)
class SessionInput:
    """What a worker records about an outreach or detached session."""

    kind: str
    district_id: int
    area: str
    venue_type: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    worker_ids: tuple[int, ...]
    priority_neighbourhood: bool = False
    venue_name: str = ""
    contact_counts: Mapping[str, int] | None = None
    issue_codes: tuple[str, ...] = ()
    people_met_ids: tuple[int, ...] = ()
    request_ids: tuple[int, ...] = ()
    follow_ups: int = 0
    notes: str = ""


def _check_session(data: SessionInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in SessionKind.values:
        errors["kind"] = ["Select outreach or detached"]
    if data.venue_type not in VenueType.values:
        errors["venue_type"] = ["Select the type of venue"]
    if not data.area.strip():
        errors["area"] = ["Enter the neighbourhood, village or estate"]
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = ["The end time must be after the start time"]
    if data.starts_at > timezone.now():
        errors["starts_at"] = ["A session can only be recorded once it has started"]
    if not data.worker_ids:
        errors["worker_ids"] = ["Select the workers on the session"]
    if data.follow_ups < 0:
        errors["follow_ups"] = ["Follow-ups cannot be fewer than 0"]
    for code, count in (data.contact_counts or {}).items():
        if count < 0:
            errors.setdefault(f"contact_counts.{code}", []).append(
                "A number of contacts cannot be fewer than 0"
            )
    return errors


def _lock_workers(worker_ids: Iterable[int]) -> list[StaffMember]:
    # Locking the workers' rows (in one order, so two sessions cannot deadlock) makes the
    # double-booking check and the insert one step for each worker.
    return list(
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk__in=sorted(set(worker_ids)), user__is_active=True)
        .order_by("pk")
    )


@transaction.atomic
def _record_session(*, actor, data: SessionInput, source: str) -> OutreachSession:
    errors = _check_session(data)
    district = District.objects.filter(pk=data.district_id).first()
    if district is None:
        errors["district_id"] = ["Select the district"]
    bands = {b.code: b for b in AgeBand.objects.filter(active=True)}
    for code in data.contact_counts or {}:
        if code not in bands:
            errors.setdefault("contact_counts", []).append(f"No age band {code!r}")
    issues = list(OutreachIssue.objects.filter(active=True, code__in=set(data.issue_codes)))
    if len(issues) != len(set(data.issue_codes)):
        errors["issue_codes"] = ["Select issues from the list"]
    if errors:
        raise ValidationError(errors)
    workers = _lock_workers(data.worker_ids)
    if len(workers) != len(set(data.worker_ids)):
        raise ValidationError({"worker_ids": ["Select workers from the list"]})
    clashes = (
        OutreachSession.objects.filter(
            workers__in=workers, starts_at__lt=data.ends_at, ends_at__gt=data.starts_at
        )
        .select_related("district")
        .prefetch_related("workers__user")
        .order_by("starts_at")
        .distinct()
    )
    chosen = {w.pk for w in workers}
    for clash in clashes:
        busy = next(w for w in clash.workers.all() if w.pk in chosen)
        raise WorkerDoubleBooked(
            f"{busy.user.get_full_name() or busy.user.email} is already on a session in "
            f"{clash.area} from {_when(clash.starts_at)} to {_when(clash.ends_at)}",
            field="worker_ids",
        )
    people = _visible_people(
        actor=actor, person_ids=data.people_met_ids, field="people_met_ids", source=source
    )
    requests = _requests_for(actor=actor, request_ids=data.request_ids)
    session = OutreachSession(
        kind=data.kind,
        district=district,
        area=data.area.strip(),
        priority_neighbourhood=data.priority_neighbourhood,
        venue_type=data.venue_type,
        venue_name=data.venue_name.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        follow_ups=data.follow_ups,
        notes=data.notes.strip(),
        recorded_by=actor,
    )
    session.full_clean()
    session.save()
    session.workers.set(workers)
    session.issues.set(issues)
    session.people_met.set(people)
    session.requests_for_support.set(requests)
    ContactCount.objects.bulk_create(
        ContactCount(session=session, age_band=bands[code], count=count)
        for code, count in sorted((data.contact_counts or {}).items())
        if count > 0
    )
    record_write(
        actor=actor,
        code=events.SESSION_RECORDED,
        instance=session,
        details={
            "kind": session.kind,
            "district": district.code,
            "area": session.area,
            "workers": sorted(w.pk for w in workers),
            "contacts": sum(c for c in (data.contact_counts or {}).values() if c > 0),
            "issues": sorted(i.code for i in issues),
            "people_met": sorted(p.pk for p in people),
            "requests_for_support": sorted(r.pk for r in requests),
            "follow_ups": session.follow_ups,
        },
        source=source,
    )
    return session


def record_outreach_session(*, actor, data: SessionInput, source: str = "") -> OutreachSession:
    """Record an outreach or detached session. Refused: an end before the start, a
    session not yet started, and a worker already on another session at the same time."""
    _refuse(
        actor=actor,
        permission="outreach.add_outreachsession",
        object_type="outreach.outreachsession",
        source=source,
        message="Your role cannot record outreach sessions.",
    )
    # Checked before the transaction opens, so that a refusal stays on the audit log.
    _visible_people(
        actor=actor, person_ids=data.people_met_ids, field="people_met_ids", source=source
    )
    return _record_session(actor=actor, data=data, source=source)


def _requests_for(*, actor, request_ids: Iterable[int]) -> list:
    from earlyhelp.referrals.models import RequestForSupport

    wanted = sorted(set(request_ids))
    if not wanted:
        return []
    found = list(RequestForSupport.objects.select_related("family", "team").filter(pk__in=wanted))
    usable = [
        r
        for r in found
        if r.created_by_id == actor.pk or actor.has_perm("referrals.access_request", r)
    ]
    if len(usable) != len(wanted):
        raise ValidationError(
            {"request_ids": ["Link only Requests for Support you made or can see"]}
        )
    return usable


# ---------------------------------------------------------------- Talkzone contacts


@dataclass(frozen=True)
class ContactInput:
    """A Talkzone contact as recorded."""

    channel: str
    occurred_at: dt.datetime
    topic_code: str
    outcome: str
    summary: str
    person_id: int | None = None
    age_band_code: str = ""
    district_id: int | None = None


def is_in_hours(occurred_at: dt.datetime) -> bool:
    """Whether a moment falls in Talkzone's configured opening hours (local time)."""
    local = timezone.localtime(occurred_at).replace(tzinfo=None)
    return talkzone_opening_hours().is_open(local)


@transaction.atomic
def _record_contact(*, actor, data: ContactInput, source: str) -> TalkzoneContact:
    errors: dict[str, list[str]] = {}
    if data.channel not in ContactChannel.values:
        errors["channel"] = ["Select how the person got in touch"]
    if timezone.is_naive(data.occurred_at):
        errors["occurred_at"] = ["Give the time of the contact with its time zone"]
    elif data.occurred_at > timezone.now():
        errors["occurred_at"] = ["The time of the contact must be in the past"]
    if data.outcome == ContactOutcome.RFS_CREATED:
        errors["outcome"] = ["Turn the contact into a Request for Support to record that outcome"]
    elif data.outcome not in ContactOutcome.values:
        errors["outcome"] = ["Select the outcome"]
    if not data.summary.strip():
        errors["summary"] = ["Summarise the contact"]
    topic = TalkzoneTopic.objects.filter(code=data.topic_code, active=True).first()
    if topic is None:
        errors["topic_code"] = ["Select the topic"]
    age_band = None
    if data.age_band_code:
        age_band = AgeBand.objects.filter(code=data.age_band_code, active=True).first()
        if age_band is None:
            errors["age_band_code"] = ["Select an age band from the list"]
    district = None
    if data.district_id is not None:
        district = District.objects.filter(pk=data.district_id).first()
        if district is None:
            errors["district_id"] = ["Select a district from the list"]
    if errors:
        raise ValidationError(errors)
    person = None
    if data.person_id is not None:
        person = _visible_people(
            actor=actor, person_ids=[data.person_id], field="person_id", source=source
        )[0]
    contact = TalkzoneContact(
        channel=data.channel,
        occurred_at=data.occurred_at,
        in_hours=is_in_hours(data.occurred_at),
        topic=topic,
        outcome=data.outcome,
        person=person,
        age_band=age_band,
        district=district,
        summary=data.summary.strip(),
        recorded_by=actor,
    )
    contact.full_clean()
    contact.save()
    record_write(
        actor=actor,
        code=events.CONTACT_RECORDED,
        instance=contact,
        details={
            "channel": contact.channel,
            "in_hours": contact.in_hours,
            "topic": topic.code,
            "outcome": contact.outcome,
            "anonymous": person is None,
        },
        source=source,
        subject_person_id=person.pk if person else None,
    )
    return contact


def record_talkzone_contact(*, actor, data: ContactInput, source: str = "") -> TalkzoneContact:
    """Log a Talkzone contact; in or out of hours is worked out from the opening hours.
    Refused: a time in the future, and a person the worker may not see."""
    _refuse(
        actor=actor,
        permission="outreach.add_talkzonecontact",
        object_type="outreach.talkzonecontact",
        source=source,
        message="Your role cannot record Talkzone contacts.",
    )
    if data.person_id is not None:
        # Checked before the transaction opens, so that a refusal stays on the audit log.
        _visible_people(actor=actor, person_ids=[data.person_id], field="person_id", source=source)
    return _record_contact(actor=actor, data=data, source=source)


def link_contact_request(
    *, actor, contact_id: int, request_id: int, source: str = ""
) -> TalkzoneContact:
    """Record that a Talkzone contact became a Request for Support: its outcome is then
    "Request for Support created". A contact becomes one request at most."""
    _refuse(
        actor=actor,
        permission="outreach.add_talkzonecontact",
        object_type="outreach.talkzonecontact",
        source=source,
        message="Your role cannot record Talkzone contacts.",
    )
    with transaction.atomic():
        contact = TalkzoneContact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise Http404("No Talkzone contact with that reference.")
        if contact.request_for_support_id is not None:
            raise ContactAlreadyLinked(
                f"This contact was already turned into Request for Support "
                f"{contact.request_for_support_id}.",
                field="request_id",
            )
        request = _requests_for(actor=actor, request_ids=[request_id])[0]
        if TalkzoneContact.objects.filter(request_for_support=request).exists():
            raise ContactAlreadyLinked(
                "That Request for Support already came from another Talkzone contact.",
                field="request_id",
            )
        before = contact.outcome
        contact.request_for_support = request
        contact.outcome = ContactOutcome.RFS_CREATED
        contact.save(update_fields=["request_for_support", "outcome"])
        record_write(
            actor=actor,
            code=events.CONTACT_REQUEST_LINKED,
            instance=contact,
            changes={
                "outcome": [before, contact.outcome],
                "request_for_support_id": [None, request.pk],
            },
            source=source,
            subject_family_id=request.family_id,
        )
        return contact


# ---------------------------------------------------------------- Talkzone rota


@transaction.atomic
def _add_shift(
    *, actor, worker_id: int, starts_at: dt.datetime, ends_at: dt.datetime, source: str
) -> TalkzoneShift:
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["The end time must be after the start time"]
    worker = (
        StaffMember.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=worker_id, user__is_active=True, user__groups__name=Role.TALKZONE_WORKER.value)
        .first()
    )
    if worker is None:
        errors["worker_id"] = ["Select a Talkzone worker"]
    if errors:
        raise ValidationError(errors)
    clash = (
        TalkzoneShift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise WorkerDoubleBooked(
            f"{worker.user.get_full_name() or worker.user.email} is already on the rota from "
            f"{_when(clash.starts_at)} to {_when(clash.ends_at)}",
            field="worker_id",
        )
    shift = TalkzoneShift(worker=worker, starts_at=starts_at, ends_at=ends_at, created_by=actor)
    shift.full_clean()
    shift.save()
    record_write(
        actor=actor,
        code=events.SHIFT_ADDED,
        instance=shift,
        details={
            "worker": worker.user.email,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        source=source,
    )
    return shift


def add_talkzone_shift(
    *, actor, worker_id: int, starts_at: dt.datetime, ends_at: dt.datetime, source: str = ""
) -> TalkzoneShift:
    """Put a Talkzone worker on the rota. Refused: an end before the start, and a worker
    already on the rota at the same time."""
    _refuse(
        actor=actor,
        permission="outreach.add_talkzoneshift",
        object_type="outreach.talkzoneshift",
        source=source,
        message="Your role cannot change the Talkzone rota.",
    )
    return _add_shift(
        actor=actor, worker_id=worker_id, starts_at=starts_at, ends_at=ends_at, source=source
    )


def remove_talkzone_shift(*, actor, shift_id: int, source: str = "") -> None:
    """Take a shift off the Talkzone rota."""
    _refuse(
        actor=actor,
        permission="outreach.delete_talkzoneshift",
        object_type="outreach.talkzoneshift",
        source=source,
        message="Your role cannot change the Talkzone rota.",
    )
    with transaction.atomic():
        shift = (
            TalkzoneShift.objects.select_for_update(of=("self",))
            .select_related("worker__user")
            .filter(pk=shift_id)
            .first()
        )
        if shift is None:
            raise Http404("No shift with that reference.")
        record_write(
            actor=actor,
            code=events.SHIFT_REMOVED,
            instance=shift,
            details={
                "worker": shift.worker.user.email,
                "starts_at": shift.starts_at.isoformat(),
                "ends_at": shift.ends_at.isoformat(),
            },
            source=source,
        )
        shift.delete()


# ---------------------------------------------------------------- configured lists


class ListsError(ValueError):
    """The outreach lists file is not as expected."""


def _items(data: Mapping[str, Any], key: str) -> list[dict]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise ListsError(f"{key}: a list of entries is needed")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
            raise ListsError(f"{key} entry {number}: needs a code and a name")
    return items


def _time(text: Any, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(text))
    except ValueError:
        raise ListsError(f"{where}: {text!r} is not a time like 14:00") from None


@transaction.atomic
def load_outreach_lists(*, data: Mapping[str, Any] | None = None, source: str = "") -> dict:
    """Load the configured lists (issues, Talkzone topics, age bands, opening hours) from
    ``data`` or lists.yaml: codes kept, names and order updated, the rest stop being
    offered. Talkzone's opening windows are replaced."""
    if data is None:
        data = yaml.safe_load(LISTS_PATH.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping):
        raise ListsError("The lists file must be a mapping")
    summary = {}
    for key, model, extra in (
        ("issues", OutreachIssue, ()),
        ("talkzone_topics", TalkzoneTopic, ()),
        ("age_bands", AgeBand, ("min_age", "max_age")),
    ):
        items = _items(data, key)
        codes = [str(item["code"]) for item in items]
        if len(set(codes)) != len(codes):
            raise ListsError(f"{key}: each code must be different")
        for order, item in enumerate(items):
            defaults = {
                "name": str(item["name"]),
                "sort_order": order,
                "active": True,
                **{name: item.get(name) for name in extra},
            }
            row, _ = model.objects.update_or_create(code=str(item["code"]), defaults=defaults)
            row.full_clean()
        model.objects.exclude(code__in=codes).update(active=False)
        summary[key] = len(items)
    windows = data.get("talkzone_opening")
    if not isinstance(windows, list) or not windows:
        raise ListsError("talkzone_opening: at least one opening window is needed")
    OpeningWindow.objects.all().delete()
    for number, item in enumerate(windows, start=1):
        where = f"talkzone_opening entry {number}"
        opens, closes = _time(item.get("opens"), where), _time(item.get("closes"), where)
        if opens == closes:
            raise ListsError(f"{where}: opens and closes at the same time")
        window = OpeningWindow(opens_at=opens, closes_at=closes, weekday=item.get("weekday"))
        window.full_clean()
        window.save()
    summary["talkzone_opening"] = len(windows)
    record_write(actor=None, code=events.LISTS_LOADED, details=summary, source=source)
    return summary
