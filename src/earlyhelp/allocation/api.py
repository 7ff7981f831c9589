"""Allocation in the API: recommendations for one request, bulk proposals and their
decisions, and the SLA forecast of a team's queue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema, Status

from earlyhelp.allocation import selectors, services
from earlyhelp.allocation.models import AllocationProposal
from earlyhelp.audit.services import record_denied
from earlyhelp.referrals.selectors import access_request

router = Router(tags=["Allocation"])


class ReasonOut(Schema):
    factor: str = Field(
        description="continuity, headroom, specialism, language, distance or absent"
    )
    text: str
    points: float


class RecommendationOut(Schema):
    rank: int
    worker_id: int
    name: str
    score: float
    available: bool = Field(description="Has headroom and is not absent: may be recommended first")
    headroom_cases: int
    reasons: list[ReasonOut]


class ProposeIn(Schema):
    team_id: int | None = Field(None, description="Propose for this team's queue")
    district_id: int | None = Field(None, description="Or for a whole district's queue")


class LineOut(Schema):
    id: int
    position: int
    request_id: int
    family_name: str
    due_by: dt.date | None
    proposed_worker_id: int | None
    proposed_worker_name: str | None
    score: Decimal | None
    reasons: list[ReasonOut]
    unplaced_reason: str
    status: str = Field(description="pending, unplaced, accepted, changed or rejected")
    allocated_worker_id: int | None
    case_id: int | None
    problem: str = Field(description="Why the last attempt to allocate the line was refused")


class ProposalOut(Schema):
    id: int
    team_id: int | None
    district_id: int
    scope: str
    created_at: dt.datetime
    created_by: str
    total_score: Decimal
    workers_considered: int
    weights: dict
    lines: list[LineOut]


class ProposalDecisionIn(Schema):
    line_id: int
    action: str = Field(description="accept, reject, or change (give it to worker_id)")
    worker_id: int | None = None
    reason: str = ""


class DecisionsIn(Schema):
    decisions: list[ProposalDecisionIn]


class RefusedOut(Schema):
    line_id: int
    request_id: int
    message: str


class DecisionsOut(Schema):
    allocated: list[LineOut]
    rejected: list[LineOut]
    refused: list[RefusedOut]


class ForecastLineOut(Schema):
    request_id: int
    family_name: str
    due_by: dt.date | None
    position: int
    working_day: int | None = Field(
        description="Working days from today until a place; null: none frees up"
    )
    expected_on: dt.date | None
    on_track: bool
    label: str


class ForecastOut(Schema):
    scope: str
    free_places: int
    closures: int
    working_days: int
    at_risk: int
    requests: list[ForecastLineOut]


def _source(request) -> str:
    return f"API {request.method} {request.path}"


@router.get(
    "/requests/{request_id}/recommendations",
    response=list[RecommendationOut],
    summary="Key workers ranked for a request, with reasons",
)
def recommendations(request, request_id: int):
    """The key workers of the request's district, best first, each with the reasons for
    its score. A worker with no headroom (or absent) is never first."""
    rfs = selectors.request_for_recommendations(request_id=request_id)
    if rfs is None:
        raise Http404("No Request for Support with that reference.")
    access_request(user=request.auth, request=rfs, source=_source(request))
    if not request.auth.has_perm("referrals.allocate_request", rfs):
        record_denied(
            actor=request.auth,
            object_type="referrals.requestforsupport",
            object_id=rfs.pk,
            source=_source(request),
        )
        raise PermissionDenied("Only the team's manager can allocate this request.")
    return [
        RecommendationOut(
            rank=r.rank,
            worker_id=r.worker.id,
            name=r.worker.name,
            score=r.score,
            available=r.available,
            headroom_cases=r.worker.headroom_cases,
            reasons=[ReasonOut(**reason.as_dict()) for reason in r.reasons],
        )
        for r in selectors.recommendations_for(rfs)
    ]


def _line_out(line) -> LineOut:
    worker = line.proposed_worker
    return LineOut(
        id=line.pk,
        position=line.position,
        request_id=line.request_id,
        family_name=line.request.family.name,
        due_by=line.due_by,
        proposed_worker_id=line.proposed_worker_id,
        proposed_worker_name=(worker.get_full_name() or worker.email) if worker else None,
        score=line.score,
        reasons=[ReasonOut(**r) for r in line.reasons],
        unplaced_reason=line.unplaced_reason,
        status=line.status,
        allocated_worker_id=line.allocated_worker_id,
        case_id=line.case_id,
        problem=line.problem,
    )


def _proposal_out(request, proposal_id: int) -> ProposalOut:
    proposal = selectors.proposal_detail(proposal_id=proposal_id)
    if proposal is None:
        raise Http404("No allocation proposal with that reference.")
    if not request.auth.has_perm("allocation.decide_proposal", proposal):
        record_denied(
            actor=request.auth,
            object_type="allocation.allocationproposal",
            object_id=proposal.pk,
            source=_source(request),
        )
        raise PermissionDenied(f"You cannot allocate the requests of {proposal.scope_name}.")
    return _proposal_schema(proposal)


def _proposal_schema(proposal: AllocationProposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.pk,
        team_id=proposal.team_id,
        district_id=proposal.district_id,
        scope=proposal.scope_name,
        created_at=proposal.created_at,
        created_by=proposal.created_by.email,
        total_score=proposal.total_score,
        workers_considered=proposal.workers_considered,
        weights=proposal.weights,
        lines=[_line_out(line) for line in proposal.lines.all()],
    )


@router.post(
    "/proposals", response={201: ProposalOut}, summary="Propose a bulk allocation of a queue"
)
def create_proposal(request, payload: ProposeIn):
    """The optimal assignment of a team's (or a district's) waiting requests to its
    workers: within every worker's headroom, nearest deadline first when headroom is
    short, then the highest total score. Each unplaced request says why. Nothing is
    allocated until lines are accepted."""
    proposal = services.propose_bulk_allocation(
        actor=request.auth,
        team_id=payload.team_id,
        district_id=payload.district_id,
        source=_source(request),
    )
    return Status(201, _proposal_out(request, proposal.pk))


@router.get("/proposals/{proposal_id}", response=ProposalOut, summary="One proposal")
def get_proposal(request, proposal_id: int):
    return _proposal_out(request, proposal_id)


@router.post(
    "/proposals/{proposal_id}/decisions",
    response=DecisionsOut,
    summary="Accept, reject or change lines of a proposal",
)
def decide(request, proposal_id: int, payload: DecisionsIn):
    """Accepting (or changing) a line allocates its request through the same service as
    single allocation, after checking the worker's headroom again: lines that no longer
    fit, or whose request was allocated meanwhile, come back under `refused` with the
    reason, and stay open."""
    outcome = services.decide_proposal_lines(
        actor=request.auth,
        proposal_id=proposal_id,
        decisions=[services.LineDecision(**d.dict()) for d in payload.decisions],
        source=_source(request),
    )
    return DecisionsOut(
        allocated=[_line_out(line) for line in outcome.allocated],
        rejected=[_line_out(line) for line in outcome.rejected],
        refused=[
            RefusedOut(line_id=line.pk, request_id=line.request_id, message=message)
            for line, message in outcome.refused
        ],
    )


def _forecast(request, scope: selectors.Scope) -> ForecastOut:
    if not selectors.can_allocate_in(request.auth, scope):
        record_denied(
            actor=request.auth,
            object_type="workforce.team" if scope.team else "configuration.district",
            object_id=scope.object_id,
            source=_source(request),
        )
        raise PermissionDenied(f"You cannot allocate the requests of {scope.name}.")
    result = selectors.queue_forecast(scope)
    return ForecastOut(
        scope=scope.name,
        free_places=result.free_places,
        closures=result.closures,
        working_days=result.working_days,
        at_risk=result.at_risk,
        requests=[
            ForecastLineOut(
                request_id=r.pk,
                family_name=r.family.name,
                due_by=r.allocation_due_by,
                position=result.lines[r.pk].position,
                working_day=result.lines[r.pk].working_day,
                expected_on=result.lines[r.pk].expected_on,
                on_track=result.lines[r.pk].on_track,
                label=result.lines[r.pk].label,
            )
            for r in result.requests
        ],
    )


@router.get("/teams/{team_id}/forecast", response=ForecastOut, summary="A team's SLA forecast")
def team_forecast(request, team_id: int):
    """Whether each waiting request of the team will be allocated within its 5 working
    days, at the team's present headroom and its closures over the last 8 weeks."""
    return _forecast(request, selectors.scope_for(team_id=team_id))


@router.get(
    "/districts/{district_id}/forecast", response=ForecastOut, summary="A district's SLA forecast"
)
def district_forecast(request, district_id: int):
    """The same forecast for a whole district's queue."""
    return _forecast(request, selectors.scope_for(district_id=district_id))
