"""Reads of Requests for Support: the allocation queue, one request, and look-alike
people for matching."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.configuration.selectors import service_calendar
from earlyhelp.domain.matching import Candidate, rank_matches
from earlyhelp.people.models import Person
from earlyhelp.referrals.models import RequestForSupport, Status

MAX_MATCH_CANDIDATES = 200


def match_candidates(
    *, first_name: str, last_name: str, date_of_birth: dt.date | None, postcode: str
) -> QuerySet[Person]:
    """The people worth ranking as possible matches: same or similar surname, same date of
    birth or same postcode; with no surname, the same first name instead."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if last_name:
        nearby = Q(last_name__iexact=last_name) | Q(last_name__istartswith=last_name[:3])
    elif first_name:
        # Never "surnames starting with nothing", which is everyone.
        nearby = Q(first_name__iexact=first_name)
    else:
        nearby = Q(pk__in=[])
    if date_of_birth:
        nearby |= Q(date_of_birth=date_of_birth)
    if postcode.strip():
        nearby |= Q(postcode__iexact=postcode.strip())
    return Person.objects.filter(nearby, merged_into__isnull=True)


def find_possible_matches(
    *, first_name: str, last_name: str, date_of_birth: dt.date | None, postcode: str
) -> list[dict]:
    """People already known who may be this person: similar name, same date of birth,
    same postcode. Shows only what is needed to tell them apart."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not (first_name or last_name):
        return []
    rows = match_candidates(
        first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, postcode=postcode
    ).values("pk", "first_name", "last_name", "date_of_birth", "postcode")[:MAX_MATCH_CANDIDATES]
    candidates = [
        Candidate(
            person_id=row["pk"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            date_of_birth=row["date_of_birth"],
            postcode=row["postcode"],
        )
        for row in rows
    ]
    return [
        {
            "person_id": m.candidate.person_id,
            "name": f"{m.candidate.first_name} {m.candidate.last_name}",
            "date_of_birth": m.candidate.date_of_birth.isoformat()
            if m.candidate.date_of_birth
            else None,
            "postcode": m.candidate.postcode,
            "score": m.score,
            "reasons": list(m.reasons),
        }
        for m in rank_matches(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            postcode=postcode,
            candidates=candidates,
        )
    ]


def visible_team_ids(user) -> list[int] | None:
    """The teams whose requests the user sees, or None for every team (head of service,
    DSO): those they manage, their own, and their locality's as locality manager. Worked
    out first, in one query, so the requests are filtered on their indexed team column."""
    if user.has_role(Role.HEAD_OF_SERVICE, Role.DSO):
        return None
    from earlyhelp.workforce.models import Team

    staff = getattr(user, "staff", None)
    teams = Q(manager=user)
    if staff is not None and staff.team_id is not None:
        teams |= Q(pk=staff.team_id)
    if user.has_role(Role.LOCALITY_MANAGER) and staff is not None and staff.locality_id:
        teams |= Q(district__locality_id=staff.locality_id)
    return list(Team.objects.filter(teams).order_by("pk").values_list("pk", flat=True))


def _visible_requests(user) -> Q:
    team_ids = visible_team_ids(user)
    return Q() if team_ids is None else Q(team_id__in=team_ids)


@dataclass(frozen=True)
class QueueRow:
    request: RequestForSupport
    working_days_left: int  # negative: overdue by that many working days


def request_queue_for_user(*, user, statuses: tuple[str, ...] = (Status.AWAITING_ALLOCATION,)):
    """The requests waiting for allocation that this user's teams hold, nearest deadline
    first, each with its working days left (negative when overdue)."""
    requests = (
        RequestForSupport.objects.filter(_visible_requests(user), status__in=statuses)
        .select_related("family__district", "team")
        .order_by("allocation_due_by", "received_at", "pk")
    )
    return requests


def queue_rows(requests, *, today: dt.date | None = None) -> list[QueueRow]:
    """Working days left for each request, from the service calendar."""
    calendar = service_calendar()
    today = today or timezone.localdate()
    return [
        QueueRow(
            request=r,
            working_days_left=calendar.working_days_between(today, r.allocation_due_by)
            if r.allocation_due_by
            else 0,
        )
        for r in requests
    ]


def requests_for_user(*, user) -> QuerySet[RequestForSupport]:
    """Every request this user's teams hold, newest first."""
    return (
        RequestForSupport.objects.filter(_visible_requests(user))
        .select_related("family", "team")
        .order_by("-received_at", "-pk")
    )


def request_detail(*, request_id: int) -> RequestForSupport | None:
    return (
        RequestForSupport.objects.select_related(
            "family__district", "team__manager", "team__district__locality", "created_by"
        )
        .prefetch_related(
            "members__person",
            "consents__person",
            "consents__given_by",
            "target_groups",
            "tfu_criteria",
        )
        .filter(pk=request_id)
        .first()
    )


def access_request(*, user, request: RequestForSupport, source: str) -> RequestForSupport:
    """Authorise a user on a request (audited either way)."""
    from earlyhelp.people.selectors import FamilyAccessDenied

    if not user.has_perm("referrals.access_request", request):
        record_denied(
            actor=user,
            object_type="referrals.requestforsupport",
            object_id=request.pk,
            source=source,
        )
        raise FamilyAccessDenied("You do not have access to this Request for Support.")
    record_view(actor=user, instance=request, source=source, code="request.viewed")
    return request


def get_request_for_user(*, user, request_id: int, source: str) -> RequestForSupport:
    """One request with everything its page shows, or 404 / 403."""
    request = request_detail(request_id=request_id)
    if request is None:
        raise Http404("No Request for Support with that reference.")
    return access_request(user=user, request=request, source=source)


def workers_for_allocation(*, request: RequestForSupport):
    """Who may take this request: the district's key workers with their open cases."""
    from earlyhelp.cases.selectors import eligible_workers

    return eligible_workers(team=request.team)
