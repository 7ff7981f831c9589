"""Reads for the outreach, Talkzone and reach pages and the API. Each selector does its
joins once, so the number of queries does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.configuration.models import District
from earlyhelp.core.errors import DomainError
from earlyhelp.domain.opening_hours import (
    HourCoverage,
    Interval,
    OpeningHours,
    rota_coverage,
    week_starting,
)
from earlyhelp.domain.opening_hours import OpeningWindow as WindowRule
from earlyhelp.outreach.models import (
    AgeBand,
    ContactCount,
    OpeningWindow,
    OutreachIssue,
    OutreachSession,
    TalkzoneContact,
    TalkzoneShift,
    TalkzoneTopic,
)
from earlyhelp.outreach.rules import people_visible_to
from earlyhelp.people.models import Person
from earlyhelp.people.rules import families_visible_to
from earlyhelp.workforce.models import StaffMember


class OutreachListsNotLoaded(DomainError):
    """The outreach lists (and Talkzone's opening hours) are not loaded yet."""

    # 409 rather than 503: the service is up; its configuration is missing a part that a
    # system administrator loads (manage.py load_outreach_lists).
    status = 409
    title = "Not configured yet"
    rule = "outreach_lists_not_loaded"


# Dates a period or a rota week may be asked for: beyond them, a date is a typing error
# (and date arithmetic near year 1 or 9999 would overflow).
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def date_in_range(day: dt.date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


# ---------------------------------------------------------------- configuration


def talkzone_opening_hours() -> OpeningHours:
    """Talkzone's configured opening hours (2-10 pm every day in the default set-up)."""
    windows = [
        WindowRule(opens=w.opens_at, closes=w.closes_at, weekday=w.weekday)
        for w in OpeningWindow.objects.all()
    ]
    if not windows:
        raise OutreachListsNotLoaded(
            "Talkzone's opening hours are not configured: run manage.py load_outreach_lists"
        )
    return OpeningHours(windows)


def opening_description() -> list[str]:
    """The opening windows in words, for pages."""
    return [str(w) for w in OpeningWindow.objects.all()]


def active_issues() -> QuerySet[OutreachIssue]:
    return OutreachIssue.objects.filter(active=True)


def active_topics() -> QuerySet[TalkzoneTopic]:
    return TalkzoneTopic.objects.filter(active=True)


def active_age_bands() -> QuerySet[AgeBand]:
    return AgeBand.objects.filter(active=True)


def districts() -> QuerySet[District]:
    return District.objects.select_related("locality").order_by("name")


def outreach_workers() -> QuerySet[StaffMember]:
    """Staff who may be on an outreach or detached session: active accounts."""
    return StaffMember.objects.filter(user__is_active=True).select_related("user", "team")


def talkzone_workers() -> QuerySet[StaffMember]:
    """Staff holding the Talkzone worker role, for the rota."""
    from earlyhelp.accounts.roles import Role

    return StaffMember.objects.filter(
        user__is_active=True, user__groups__name=Role.TALKZONE_WORKER.value
    ).select_related("user")


# Outreach, detached work and Talkzone are for young people: the pickers offer the young
# people of 11 to 25 (the upper age with SEND) in families the user may see.
YOUNGEST_OFFERED = 11


def nameable_people(*, user) -> QuerySet:
    """The young people a user may name on a session or contact (a picker's choices)."""
    from earlyhelp.domain.people import OLDEST_YOUNG_PERSON_WITH_SEND
    from earlyhelp.people.models import Family, Relationship

    today = timezone.localdate()
    # The visible families first, in one query of their own: the access rule's joins up
    # the line-management chain are then not repeated for every person.
    family_ids = list(Family.objects.filter(families_visible_to(user)).values_list("pk", flat=True))
    return (
        Person.objects.filter(
            merged_into__isnull=True,
            memberships__family_id__in=family_ids,
            memberships__relationship=Relationship.CHILD,
            date_of_birth__lte=_years_before(today, YOUNGEST_OFFERED),
            date_of_birth__gt=_years_before(today, OLDEST_YOUNG_PERSON_WITH_SEND + 1),
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------- outreach sessions


def session_list(
    *,
    district_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[OutreachSession]:
    """Outreach and detached sessions, newest first, with what a list shows."""
    sessions = (
        OutreachSession.objects.select_related("district", "recorded_by")
        .prefetch_related(
            Prefetch("workers", queryset=StaffMember.objects.select_related("user")),
            "issues",
        )
        .annotate(contacts=Coalesce(Sum("contact_counts__count"), 0))
        .order_by("-starts_at", "-pk")
    )
    if district_id is not None:
        sessions = sessions.filter(district_id=district_id)
    if since is not None:
        sessions = sessions.filter(starts_at__gte=_start_of(since))
    if until is not None:
        sessions = sessions.filter(starts_at__lt=_start_of(until + dt.timedelta(days=1)))
    return sessions


def session_detail(*, session_id: int) -> OutreachSession:
    """One session with everything its page shows, or 404."""
    session = (
        OutreachSession.objects.select_related("district", "recorded_by")
        .prefetch_related(
            Prefetch("workers", queryset=StaffMember.objects.select_related("user")),
            "issues",
            "people_met",
            "requests_for_support__family",
            Prefetch("contact_counts", queryset=ContactCount.objects.select_related("age_band")),
        )
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("No outreach session with that reference.")
    return session


@dataclass
class AreaRow:
    district: str
    area: str
    priority: bool
    months: list[dict]
    sessions: int = 0
    contacts: int = 0


@dataclass
class AreasServed:
    months: list[dt.date]
    rows: list[AreaRow] = field(default_factory=list)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _month_starts(since: dt.date, until: dt.date) -> list[dt.date]:
    months, month = [], since.replace(day=1)
    while month <= until:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def areas_served(*, since: dt.date, until: dt.date, district_id: int | None = None) -> AreasServed:
    """Sessions and contacts by area and month: which areas were served, and when."""
    sessions = session_list(district_id=district_id, since=since, until=until)
    rows = (
        sessions.order_by()
        .values_list("pk", "district__name", "area", "priority_neighbourhood", "starts_at")
        .distinct()
    )
    counts = dict(
        ContactCount.objects.filter(session__in=sessions.values("pk"))
        .order_by()
        .values("session_id")
        .annotate(total=Sum("count"))
        .values_list("session_id", "total")
    )
    months = _month_starts(since, until)
    index = {m: i for i, m in enumerate(months)}
    table: dict[tuple[str, str], AreaRow] = {}
    for pk, district, area, priority, starts_at in rows:
        key = (district, area.strip().lower())
        row = table.get(key)
        if row is None:
            row = table[key] = AreaRow(
                district=district,
                area=area.strip(),
                priority=priority,
                months=[{"sessions": 0, "contacts": 0} for _ in months],
            )
        row.priority = row.priority or priority
        month = timezone.localtime(starts_at).date().replace(day=1)
        cell = row.months[index[month]]
        cell["sessions"] += 1
        cell["contacts"] += counts.get(pk, 0)
        row.sessions += 1
        row.contacts += counts.get(pk, 0)
    ordered = sorted(table.values(), key=lambda r: (r.district, r.area.lower()))
    return AreasServed(months=months, rows=ordered)


# ---------------------------------------------------------------- Talkzone


def contact_log(
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    channel: str = "",
    in_hours: bool | None = None,
) -> QuerySet[TalkzoneContact]:
    """The Talkzone contact log, newest first."""
    contacts = TalkzoneContact.objects.select_related(
        "topic", "person", "recorded_by", "district", "age_band", "request_for_support"
    )
    if since is not None:
        contacts = contacts.filter(occurred_at__gte=_start_of(since))
    if until is not None:
        contacts = contacts.filter(occurred_at__lt=_start_of(until + dt.timedelta(days=1)))
    if channel:
        contacts = contacts.filter(channel=channel)
    if in_hours is not None:
        contacts = contacts.filter(in_hours=in_hours)
    return contacts


def access_contact(*, user, contact_id: int, source: str) -> TalkzoneContact:
    """A Talkzone contact for a user who may read the log; a contact linked to a person
    goes on the audit log as a view of that person's record."""
    contact = contact_log().filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No Talkzone contact with that reference.")
    if not user.has_perm("outreach.view_talkzonecontact"):
        record_denied(
            actor=user,
            object_type="outreach.talkzonecontact",
            object_id=contact_id,
            source=source,
        )
        raise PermissionDenied("You cannot see the Talkzone log.")
    # The person is shown only to those who may see their family's record.
    contact.person_visible = (
        contact.person_id is not None
        and people_visible_to(user).filter(pk=contact.person_id).exists()
    )
    if contact.person_visible:
        record_view(actor=user, instance=contact.person, source=source, code="person.viewed")
    return contact


def request_draft_for_contact(*, user, contact_id: int, source: str) -> dict:
    """What a Request for Support made from a Talkzone contact starts with: a self-referral
    received when the contact was made, the person (if linked) and what they said."""
    contact = access_contact(user=user, contact_id=contact_id, source=source)
    if contact.request_for_support_id is not None:
        raise RequestAlreadyMade(contact)
    if not user.has_perm("referrals.submit_request"):
        raise PermissionDenied("Your role cannot take Requests for Support.")
    local = timezone.localtime(contact.occurred_at)
    needs = (
        f"Talkzone contact by {contact.get_channel_display().lower()} on "
        f"{local:%d %B %Y at %H:%M} about {contact.topic.name.lower()}.\n\n{contact.summary}"
    )
    draft: dict = {
        "talkzone_contact": contact.pk,
        "route": "self",
        "received_on": local.date(),
        "received_time": f"{local:%H:%M}",
        "referrer_name": "",
        "referrer_organisation": "Talkzone",
        "presenting_needs": needs,
        "member": None,
    }
    person = contact.person if contact.person_visible else None
    if person is not None:
        draft["referrer_name"] = person.full_name
        draft["postcode"] = person.postcode
        draft["member"] = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "gender": person.gender,
        }
    return draft


class RequestAlreadyMade(Exception):
    """The contact has already been turned into a Request for Support."""

    def __init__(self, contact: TalkzoneContact) -> None:
        super().__init__(
            f"This contact was already turned into Request for Support "
            f"{contact.request_for_support_id}."
        )
        self.contact = contact


@dataclass
class RotaWeek:
    week_start: dt.date
    days: list[dict]
    shifts: list[TalkzoneShift]
    coverage: list[HourCoverage]

    @property
    def uncovered(self) -> list[HourCoverage]:
        return [hour for hour in self.coverage if not hour.covered]


def rota_week(*, week_of: dt.date) -> RotaWeek:
    """The Talkzone rota of the week containing ``week_of`` (Monday to Sunday) and every
    opening hour with the workers on throughout it; uncovered hours are flagged."""
    monday = week_starting(week_of)
    sunday = monday + dt.timedelta(days=6)
    opening = talkzone_opening_hours()
    # Shifts that touch the week's opening hours, including one that runs into Monday.
    window_start = _start_of(monday - dt.timedelta(days=1))
    window_end = _start_of(sunday + dt.timedelta(days=2))
    shifts = list(
        TalkzoneShift.objects.select_related("worker__user")
        .filter(starts_at__lt=window_end, ends_at__gt=window_start)
        .order_by("starts_at", "pk")
    )
    intervals = [
        Interval(
            timezone.localtime(s.starts_at).replace(tzinfo=None),
            timezone.localtime(s.ends_at).replace(tzinfo=None),
        )
        for s in shifts
    ]
    coverage = rota_coverage(opening, intervals, monday, sunday)
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        days.append(
            {
                "date": day,
                "shifts": [s for s in shifts if timezone.localtime(s.starts_at).date() == day],
                "hours": [h for h in coverage if h.start.date() == day],
            }
        )
    week_shifts = [s for s in shifts if monday <= timezone.localtime(s.starts_at).date() <= sunday]
    return RotaWeek(week_start=monday, days=days, shifts=week_shifts, coverage=coverage)
