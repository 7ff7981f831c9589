"""Bulk allocation: propose an optimal assignment of a team's or district's waiting
queue, then accept, reject or change it line by line. Accepting allocates through
``referrals.services.allocate_request``, the same service as single allocation, after
checking each worker's headroom again inside the transaction: a proposal made on
yesterday's figures never over-allocates."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from earlyhelp.allocation import selectors
from earlyhelp.allocation.models import (
    AllocationProposal,
    LineStatus,
    ProposalLine,
)
from earlyhelp.audit.services import record_denied, record_write
from earlyhelp.core.errors import DomainError
from earlyhelp.domain import allocation as rules
from earlyhelp.domain.casework import TransitionNotAllowed
from earlyhelp.referrals.services import allocate_request
from earlyhelp.workforce.capacity import caseload_rules, worker_loads
from earlyhelp.workforce.models import StaffMember

ACTIONS = ("accept", "reject", "change")


def _refuse(actor, *, object_type: str, object_id: int, source: str, message: str) -> None:
    record_denied(actor=actor, object_type=object_type, object_id=object_id, source=source)
    raise PermissionDenied(message)


def propose_bulk_allocation(
    *,
    actor,
    team_id: int | None = None,
    district_id: int | None = None,
    weights: rules.Weights | None = None,
    source: str = "",
) -> AllocationProposal:
    """Propose the optimal assignment of a team's (or a district's) waiting requests to
    its workers: within each worker's headroom, nearest deadline first when headroom is
    short, then the highest total score. Nothing is allocated until a line is accepted."""
    if (team_id is None) == (district_id is None):
        raise ValidationError({"team_id": ["Choose a team or a district, not both"]})
    scope = selectors.scope_for(team_id=team_id, district_id=district_id)
    if not selectors.can_allocate_in(actor, scope):
        _refuse(
            actor,
            object_type="workforce.team" if scope.team else "configuration.district",
            object_id=scope.object_id,
            source=source,
            message=f"You cannot allocate the requests of {scope.name}.",
        )
    return _propose(actor=actor, scope=scope, weights=weights or rules.Weights(), source=source)


@transaction.atomic
def _propose(
    *, actor, scope: selectors.Scope, weights: rules.Weights, source: str
) -> AllocationProposal:
    today = timezone.localdate()
    inputs = selectors.bulk_inputs(scope, today=today)
    proposal_plan = rules.propose(inputs.waiting, inputs.candidates.workers, weights, today)
    proposal = AllocationProposal(
        team=scope.team,
        district=scope.district,
        created_by=actor,
        created_at=timezone.now(),
        weights=weights.as_dict(),
        workers_considered=len(inputs.candidates.workers),
        total_score=Decimal(str(proposal_plan.total_score)),
    )
    proposal.full_clean()
    proposal.save()
    by_id = {r.pk: r for r in inputs.requests}
    placed = {line.request_id: line for line in proposal_plan.lines}
    unplaced = {u.request_id: u.reason for u in proposal_plan.unplaced}
    lines = []
    for position, request in enumerate(inputs.requests, start=1):
        line = placed.get(request.pk)
        lines.append(
            ProposalLine(
                proposal=proposal,
                position=position,
                request=by_id[request.pk],
                due_by=request.allocation_due_by,
                proposed_worker_id=line.worker_id if line else None,
                score=Decimal(str(line.score)) if line else None,
                reasons=[r.as_dict() for r in line.reasons] if line else [],
                unplaced_reason=unplaced.get(request.pk, ""),
                status=LineStatus.PENDING if line else LineStatus.UNPLACED,
            )
        )
    ProposalLine.objects.bulk_create(lines)
    record_write(
        actor=actor,
        code="allocation.proposed",
        instance=proposal,
        details={
            "scope": scope.name,
            "requests": len(lines),
            "placed": len(proposal_plan.lines),
            "unplaced": len(proposal_plan.unplaced),
            "workers": len(inputs.candidates.workers),
            "total_score": proposal_plan.total_score,
        },
        source=source,
    )
    return proposal


@dataclass(frozen=True)
class LineDecision:
    """What the manager decided for one line: accept the proposed worker, reject the
    line (the request stays waiting), or give it to another worker."""

    line_id: int
    action: str
    worker_id: int | None = None
    reason: str = ""


@dataclass
class DecisionOutcome:
    allocated: list[ProposalLine] = field(default_factory=list)
    rejected: list[ProposalLine] = field(default_factory=list)
    refused: list[tuple[ProposalLine, str]] = field(default_factory=list)


def _validate(decisions: list[LineDecision], lines: dict[int, ProposalLine]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    if not decisions:
        errors["decisions"] = ["Decide at least one line"]
    for index, decision in enumerate(decisions):
        prefix = f"decisions[{index}]"
        if decision.line_id not in lines:
            errors[f"{prefix}.line_id"] = ["No such line in this proposal"]
        elif decision.line_id in seen:
            errors[f"{prefix}.line_id"] = ["Decide each line once"]
        seen.add(decision.line_id)
        if decision.action not in ACTIONS:
            errors[f"{prefix}.action"] = ["Choose accept, reject or change"]
        elif decision.action == "change" and decision.worker_id is None:
            errors[f"{prefix}.worker_id"] = ["Choose the worker to give this request to"]
        elif (
            decision.action == "accept"
            and decision.line_id in lines
            and lines[decision.line_id].proposed_worker_id is None
        ):
            errors[f"{prefix}.action"] = [
                "This request was not placed: choose a worker to give it to, or reject it"
            ]
    if errors:
        raise ValidationError(errors)


def _lock_proposal(proposal_id: int) -> AllocationProposal:
    proposal = (
        AllocationProposal.objects.select_for_update(of=("self",))
        .select_related("team__district", "district")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404("No allocation proposal with that reference.")
    return proposal


def _headroom_now(worker_ids: set[int]) -> tuple[dict[int, int], dict[int, str]]:
    """Each worker's headroom in cases now, after locking their rows so that two
    managers deciding at once cannot both use the same last place."""
    users = get_user_model().objects.select_for_update().filter(pk__in=worker_ids).order_by("pk")
    names = {u.pk: u.get_full_name() or u.email for u in users}
    caseload = caseload_rules()
    loads = worker_loads(StaffMember.objects.filter(user_id__in=worker_ids), rules=caseload)
    headroom = {
        load.user_id: 0 if load.absent_on else selectors.capacity_in_cases(load, caseload)
        for load in loads.values()
    }
    return headroom, names


def decide_proposal_lines(
    *, actor, proposal_id: int, decisions: list[LineDecision], source: str = ""
) -> DecisionOutcome:
    """Accept, reject or change lines of a proposal. Each accepted or changed line is
    allocated through ``allocate_request`` after its worker's headroom is checked again;
    a line that no longer fits (or whose request was allocated meanwhile) is reported
    with the reason and left open, while the other lines go ahead."""
    proposal = (
        AllocationProposal.objects.select_related("team__district", "district")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404("No allocation proposal with that reference.")
    if not actor.has_perm("allocation.decide_proposal", proposal):
        _refuse(
            actor,
            object_type="allocation.allocationproposal",
            object_id=proposal.pk,
            source=source,
            message=f"You cannot allocate the requests of {proposal.scope_name}.",
        )
    return _decide(actor=actor, proposal_id=proposal.pk, decisions=decisions, source=source)


@transaction.atomic
def _decide(
    *, actor, proposal_id: int, decisions: list[LineDecision], source: str
) -> DecisionOutcome:
    proposal = _lock_proposal(proposal_id)
    lines = {
        line.pk: line
        for line in proposal.lines.select_related("request__family", "proposed_worker")
    }
    _validate(decisions, lines)
    now = timezone.now()
    outcome = DecisionOutcome()
    placing = [d for d in decisions if d.action != "reject"]
    targets = {
        d.worker_id if d.action == "change" else lines[d.line_id].proposed_worker_id
        for d in placing
    }
    headroom, names = _headroom_now({t for t in targets if t is not None})
    # Nearest deadline first, as the proposal ranked them.
    for decision in sorted(decisions, key=lambda d: lines[d.line_id].position):
        line = lines[decision.line_id]
        if not line.is_open:
            outcome.refused.append(
                (line, f"This line was already decided: {line.get_status_display().lower()}")
            )
            continue
        if decision.action == "reject":
            line.status = LineStatus.REJECTED
            line.decided_by, line.decided_at, line.problem = actor, now, ""
            line.save(update_fields=["status", "decided_by", "decided_at", "problem"])
            outcome.rejected.append(line)
            continue
        worker_id = decision.worker_id if decision.action == "change" else line.proposed_worker_id
        message = _place(
            actor=actor,
            line=line,
            worker_id=worker_id,
            headroom=headroom,
            names=names,
            reason=decision.reason,
            source=source,
        )
        if message:
            line.problem = message[:300]
            line.save(update_fields=["problem"])
            outcome.refused.append((line, message))
            continue
        headroom[worker_id] -= 1
        changed = worker_id != line.proposed_worker_id
        line.status = LineStatus.CHANGED if changed else LineStatus.ACCEPTED
        line.allocated_worker_id = worker_id
        line.decided_by, line.decided_at, line.problem = actor, now, ""
        line.save(
            update_fields=[
                "status",
                "allocated_worker",
                "case",
                "decided_by",
                "decided_at",
                "problem",
            ]
        )
        outcome.allocated.append(line)
    record_write(
        actor=actor,
        code="allocation.decided",
        instance=proposal,
        details={
            "allocated": [
                {"line": line.pk, "request": line.request_id, "worker": line.allocated_worker_id}
                for line in outcome.allocated
            ],
            "rejected": [
                {"line": line.pk, "request": line.request_id} for line in outcome.rejected
            ],
            "refused": [
                {"line": line.pk, "request": line.request_id, "message": message}
                for line, message in outcome.refused
            ],
        },
        source=source,
    )
    return outcome


def _place(
    *,
    actor,
    line: ProposalLine,
    worker_id: int,
    headroom: dict[int, int],
    names: dict[int, str],
    reason: str,
    source: str,
) -> str:
    """Allocate one line's request; the refusal's message, or "" when it was allocated."""
    name = names.get(worker_id, "That worker")
    if worker_id not in headroom:
        return f"{name} is not a key worker of {line.proposal.scope_name}'s district"
    if headroom[worker_id] <= 0:
        return (
            f"{name} no longer has headroom for the {line.request.family.name} family: "
            "choose someone else"
        )
    if worker_id == line.proposed_worker_id:
        why = f"Accepted from allocation proposal {line.proposal_id} (score {line.score})"
    else:
        why = f"Chosen instead of the proposed worker on allocation proposal {line.proposal_id}"
    if reason.strip():
        why = f"{why}: {reason.strip()}"
    try:
        case = allocate_request(
            actor=actor,
            request_id=line.request_id,
            key_worker_id=worker_id,
            reason=why,
            source=source,
        )
    except (DomainError, TransitionNotAllowed, PermissionDenied, Http404) as error:
        return getattr(error, "message", None) or str(error)
    except ValidationError as error:
        return " ".join(error.messages)
    line.case = case
    return ""
