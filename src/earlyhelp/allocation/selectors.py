"""Reads for allocation: the domain's inputs (waiting requests, candidate workers with
their headroom and the families they already work with) built from the database with a
fixed number of queries, recommendations for one request, proposals, and the SLA
forecast of a team's or district's queue."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from earlyhelp.allocation.models import AllocationProposal, ProposalLine
from earlyhelp.cases.models import Case
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.cases.selectors import CASEWORKER_ROLES
from earlyhelp.configuration.models import District, Specialism
from earlyhelp.configuration.selectors import service_calendar
from earlyhelp.domain import allocation as rules
from earlyhelp.domain.caseload import CaseloadRules
from earlyhelp.domain.consent import age_on
from earlyhelp.domain.forecast import ForecastLine, Waiting, closure_rate, forecast
from earlyhelp.people.models import FamilyMember
from earlyhelp.referrals.models import RequestForSupport, RequestMember, Status
from earlyhelp.workforce.capacity import WorkerLoad, caseload_rules, worker_loads
from earlyhelp.workforce.models import StaffMember, Team

CLOSURE_RATE_WEEKS = 8  # the recent past the forecast's closure rate is measured over
ENGLISH = "english"


@dataclass(frozen=True)
class Scope:
    """A team's queue, or a whole district's."""

    district: District
    team: Team | None = None

    @property
    def name(self) -> str:
        return self.team.name if self.team else f"{self.district.name} district"

    @property
    def kind(self) -> str:
        return "team" if self.team else "district"

    @property
    def object_id(self) -> int:
        return self.team.pk if self.team else self.district.pk


def scope_for(*, team_id: int | None = None, district_id: int | None = None) -> Scope:
    """The team or district named, or 404."""
    if team_id is not None:
        team = Team.objects.select_related("district__locality", "manager").filter(pk=team_id)
        found = team.first()
        if found is None:
            raise Http404("No team with that reference.")
        return Scope(district=found.district, team=found)
    district = District.objects.select_related("locality").filter(pk=district_id).first()
    if district is None:
        raise Http404("No district with that reference.")
    return Scope(district=district)


def can_allocate_in(user, scope: Scope) -> bool:
    """Whether the user allocates this team's (or this district's) requests."""
    if scope.team is not None:
        return user.has_perm("allocation.allocate_for_team", scope.team)
    return user.has_perm("allocation.allocate_in_district", scope.district)


def scopes_for_user(*, user) -> list[Scope]:
    """The teams and districts whose queues this user may allocate."""
    teams = Team.objects.select_related("district__locality", "manager").order_by("name")
    scopes = [
        Scope(district=t.district, team=t)
        for t in teams
        if can_allocate_in(user, Scope(t.district, t))
    ]
    districts = District.objects.select_related("locality").order_by("name")
    scopes += [Scope(district=d) for d in districts if can_allocate_in(user, Scope(d))]
    return scopes


# ---------------------------------------------------------------- domain inputs


def _location(district: District | None) -> tuple[float, float] | None:
    if district is None or district.latitude is None or district.longitude is None:
        return None
    return (float(district.latitude), float(district.longitude))


def specialism_rules() -> list[rules.SpecialismRule]:
    """The configured specialisms as the domain's rules (two queries)."""
    return [
        rules.SpecialismRule(
            code=s.code,
            name=s.name,
            min_age=s.min_age,
            max_age=s.max_age,
            target_groups=frozenset(g.code for g in s.target_groups.all()),
            matches_send=s.matches_send,
        )
        for s in Specialism.objects.prefetch_related("target_groups").order_by("sort_order", "code")
    ]


def _waiting_queryset():
    return RequestForSupport.objects.select_related("family__district", "team__district")


@dataclass(frozen=True)
class _Member:
    person_id: int
    is_subject: bool
    date_of_birth: dt.date | None
    language: str
    has_send: bool


def _members_and_groups(
    request_ids: list[int],
) -> tuple[dict[int, list[_Member]], dict[int, list[str]]]:
    """Each request's members and target group codes, as plain values (two queries)."""
    members: dict[int, list[_Member]] = defaultdict(list)
    rows = (
        RequestMember.objects.filter(request_id__in=request_ids)
        .order_by("pk")
        .values_list(
            "request_id",
            "person_id",
            "is_subject",
            "person__date_of_birth",
            "person__preferred_language",
            "person__has_send",
        )
    )
    for request_id, person_id, is_subject, born, language, has_send in rows:
        members[request_id].append(_Member(person_id, is_subject, born, language, has_send))
    groups: dict[int, list[str]] = defaultdict(list)
    through = RequestForSupport.target_groups.through.objects.filter(
        requestforsupport_id__in=request_ids
    )
    for request_id, code in through.values_list("requestforsupport_id", "targetgroup__code"):
        groups[request_id].append(code)
    return members, groups


def to_waiting_request(
    request: RequestForSupport,
    specialisms: list[rules.SpecialismRule],
    today: dt.date,
    *,
    members: list[_Member],
    target_groups: list[str],
) -> rules.WaitingRequest:
    """A request as the allocation rules see it: its permitted district is its team's."""
    ages = [age_on(m.date_of_birth, today) for m in members if m.is_subject and m.date_of_birth]
    languages = sorted(
        {
            m.language.strip().lower()
            for m in members
            if m.language.strip() and m.language.strip().lower() != ENGLISH
        }
    )
    return rules.WaitingRequest(
        id=request.pk,
        family_id=request.family_id,
        family_name=request.family.name,
        district_id=request.team.district_id,
        district_name=request.team.district.name,
        due_by=request.allocation_due_by,
        needs=rules.needs_for(
            specialisms,
            child_ages=ages,
            has_send=any(m.has_send for m in members),
            target_groups=target_groups,
        ),
        languages=tuple(languages),
        member_ids=frozenset(m.person_id for m in members),
        location=_location(request.family.district),
    )


def waiting_inputs(
    requests: list[RequestForSupport], *, today: dt.date
) -> list[rules.WaitingRequest]:
    """The requests as the allocation rules see them (four queries for any number)."""
    specialisms = specialism_rules()
    members, groups = _members_and_groups([r.pk for r in requests])
    return [
        to_waiting_request(
            r, specialisms, today, members=members.get(r.pk, []), target_groups=groups.get(r.pk, [])
        )
        for r in requests
    ]


def capacity_in_cases(load: WorkerLoad, caseload: CaseloadRules) -> int:
    """Whole new cases a worker can take now: under the 18 x FTE limit and within this
    week's slots (a new case counts as a case in assessment)."""
    per_case = caseload.visits_for(None)
    by_slots = (
        math.floor(load.headroom_slots / float(per_case)) if per_case else load.headroom_cases
    )
    return max(0, min(load.headroom_cases, by_slots))


def candidate_staff(district_ids: Iterable[int]):
    """Active key workers and senior practitioners of teams in these districts."""
    return StaffMember.objects.filter(
        user__is_active=True,
        user__groups__name__in=[r.value for r in CASEWORKER_ROLES],
        team__district_id__in=list(district_ids),
    ).distinct()


def _continuity(
    user_ids: list[int], requests: list[rules.WaitingRequest]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """For each worker (user id), the waiting families they hold an open case for, and
    the waiting requests' members who belong to a family they hold an open case for
    (two queries)."""
    families: dict[int, set[int]] = defaultdict(set)
    people: dict[int, set[int]] = defaultdict(set)
    if not user_ids or not requests:
        return families, people
    waiting_families = {r.family_id for r in requests}
    member_ids = set().union(*(r.member_ids for r in requests))
    families_of: dict[int, set[int]] = defaultdict(set)  # family id: waiting members in it
    if member_ids:
        rows = FamilyMember.objects.filter(person_id__in=member_ids).order_by()
        for person_id, family_id in rows.values_list("person_id", "family_id"):
            families_of[family_id].add(person_id)
    candidates = set(user_ids)
    held = (
        Case.objects.filter(family_id__in=waiting_families | set(families_of))
        .exclude(status=CaseStatus.CLOSED)
        .order_by()
        .values_list("key_worker_id", "family_id")
    )
    for worker_id, family_id in held:
        if worker_id not in candidates:
            continue
        if family_id in waiting_families:
            families[worker_id].add(family_id)
        people[worker_id].update(families_of.get(family_id, ()))
    return families, people


@dataclass(frozen=True)
class Candidates:
    workers: list[rules.CandidateWorker]
    loads: dict[int, WorkerLoad]  # by user id


def candidate_workers(
    district_ids: Iterable[int], requests: list[rules.WaitingRequest], *, on: dt.date | None = None
) -> Candidates:
    """The candidate workers of these districts with their headroom, skills, languages,
    base and the waiting families they already work with (a fixed number of queries)."""
    district_ids = sorted(set(district_ids))
    caseload = caseload_rules()
    loads = worker_loads(candidate_staff(district_ids), on=on, rules=caseload)
    by_user = {load.user_id: load for load in loads.values()}
    centres = {d.pk: _location(d) for d in District.objects.filter(pk__in=district_ids)}
    families, people = _continuity(sorted(by_user), requests)
    workers = [
        rules.CandidateWorker(
            id=load.user_id,
            name=load.name,
            district_id=load.district_id,
            headroom_cases=capacity_in_cases(load, caseload),
            absent=load.absent_on,
            specialisms=load.specialisms,
            languages=load.languages,
            family_ids=frozenset(families.get(load.user_id, ())),
            person_ids=frozenset(people.get(load.user_id, ())),
            location=centres.get(load.district_id),
        )
        for load in by_user.values()
    ]
    return Candidates(workers=workers, loads=by_user)


def waiting_requests(scope: Scope) -> list[RequestForSupport]:
    """The scope's requests awaiting allocation, nearest deadline first."""
    queryset = _waiting_queryset().filter(status=Status.AWAITING_ALLOCATION)
    if scope.team is not None:
        queryset = queryset.filter(team=scope.team)
    else:
        queryset = queryset.filter(team__district=scope.district)
    # Only what the allocation rules read: a queue can be a thousand requests long.
    queryset = queryset.only(
        "family__name",
        "family__district__name",
        "family__district__latitude",
        "family__district__longitude",
        "team__name",
        "team__district__name",
        "allocation_due_by",
        "received_at",
    )
    return list(queryset.order_by("allocation_due_by", "received_at", "pk"))


@dataclass(frozen=True)
class BulkInputs:
    requests: list[RequestForSupport]
    waiting: list[rules.WaitingRequest]
    candidates: Candidates


def bulk_inputs(scope: Scope, *, today: dt.date | None = None) -> BulkInputs:
    """Everything the solver needs for a scope's queue, in a fixed number of queries."""
    today = today or timezone.localdate()
    requests = waiting_requests(scope)
    waiting = waiting_inputs(requests, today=today)
    candidates = candidate_workers({scope.district.pk, *(w.district_id for w in waiting)}, waiting)
    return BulkInputs(requests=requests, waiting=waiting, candidates=candidates)


def recommendations_for(
    request: RequestForSupport, *, weights: rules.Weights | None = None
) -> list[rules.Recommendation]:
    """The key workers of the request's district ranked for it, each with its reasons."""
    [waiting] = waiting_inputs([request], today=timezone.localdate())
    candidates = candidate_workers([waiting.district_id], [waiting])
    return rules.recommend(waiting, candidates.workers, weights)


def request_for_recommendations(*, request_id: int) -> RequestForSupport | None:
    """A request with what the recommendations read."""
    return _waiting_queryset().filter(pk=request_id).first()


# ---------------------------------------------------------------- proposals


def proposal_detail(*, proposal_id: int, with_lines: bool = True) -> AllocationProposal | None:
    """A proposal (with its lines, requests, families and workers, unless not wanted)."""
    proposals = AllocationProposal.objects.select_related(
        "team__district__locality", "district__locality", "created_by"
    )
    if with_lines:
        lines = proposal_lines(proposal_id=proposal_id)
        proposals = proposals.prefetch_related(Prefetch("lines", queryset=lines))
    return proposals.filter(pk=proposal_id).first()


def proposal_lines(*, proposal_id: int):
    """A proposal's lines in order, with what the proposal page shows of each."""
    return (
        ProposalLine.objects.filter(proposal_id=proposal_id)
        .select_related("request__family", "proposed_worker", "allocated_worker", "case")
        .order_by("position")
    )


def proposal_counts(*, proposal_id: int) -> dict[str, int]:
    """How many lines a proposal has, placed and not placed (one query)."""
    from django.db.models import Count

    return ProposalLine.objects.filter(proposal_id=proposal_id).aggregate(
        total=Count("pk"),
        placed=Count("pk", filter=Q(proposed_worker__isnull=False)),
        unplaced=Count("pk", filter=Q(proposed_worker__isnull=True)),
    )


def proposals_for_user(*, user, limit: int = 20) -> list[AllocationProposal]:
    """The latest proposals of the scopes this user allocates in."""
    recent = AllocationProposal.objects.select_related(
        "team__district", "district", "created_by"
    ).order_by("-created_at", "-pk")[: limit * 5]
    return [p for p in recent if user.has_perm("allocation.decide_proposal", p)][:limit]


def scope_of(proposal: AllocationProposal) -> Scope:
    return Scope(district=proposal.district, team=proposal.team)


def permitted_workers(scope: Scope) -> list[tuple[int, str, int]]:
    """(user id, name, headroom in cases) of each worker a line of this scope may go to."""
    caseload = caseload_rules()
    loads = worker_loads(candidate_staff([scope.district.pk]), rules=caseload)
    return [(load.user_id, load.name, capacity_in_cases(load, caseload)) for load in loads.values()]


# ---------------------------------------------------------------- the SLA forecast


@dataclass(frozen=True)
class QueueForecast:
    scope: Scope
    requests: list[RequestForSupport]
    lines: dict[int, ForecastLine]  # by request id
    free_places: int
    closures: int
    working_days: int
    weeks: int

    @property
    def at_risk(self) -> int:
        return sum(1 for line in self.lines.values() if not line.on_track)


def queue_forecast(scope: Scope, *, today: dt.date | None = None) -> QueueForecast:
    """Whether each waiting request of the scope will be allocated in time, at the scope's
    present headroom and its rate of case closures over the last eight weeks."""
    today = today or timezone.localdate()
    calendar = service_calendar()
    requests = list(
        RequestForSupport.objects.filter(status=Status.AWAITING_ALLOCATION)
        .filter(Q(team=scope.team) if scope.team else Q(team__district=scope.district))
        .select_related("family", "team")
        .order_by("allocation_due_by", "received_at", "pk")
    )
    staff = candidate_staff([scope.district.pk])
    if scope.team is not None:
        staff = staff.filter(team=scope.team)
    caseload = caseload_rules()
    loads = worker_loads(staff, on=today, rules=caseload)
    free = sum(capacity_in_cases(load, caseload) for load in loads.values() if not load.absent_on)
    since = today - dt.timedelta(weeks=CLOSURE_RATE_WEEKS)
    closed = Case.objects.filter(closed_on__gt=since, closed_on__lte=today)
    closed = (
        closed.filter(team=scope.team)
        if scope.team
        else closed.filter(team__district=scope.district)
    )
    closures = closed.count()
    days = calendar.working_days_between(since, today)
    lines = forecast(
        [Waiting(r.pk, r.allocation_due_by) for r in requests],
        free_places=free,
        closures_per_working_day=closure_rate(closures, days),
        today=today,
        calendar=calendar,
    )
    return QueueForecast(
        scope=scope,
        requests=requests,
        lines={line.request_id: line for line in lines},
        free_places=free,
        closures=closures,
        working_days=days,
        weeks=CLOSURE_RATE_WEEKS,
    )
