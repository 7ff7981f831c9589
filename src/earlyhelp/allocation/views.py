"""Allocation pages: the queues a manager allocates with their SLA forecast, proposing a
bulk allocation, and deciding a proposal line by line. Views parse and authorise; the
services decide and the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from earlyhelp.allocation import selectors, services
from earlyhelp.allocation.forms import ProposalDecisionForm
from earlyhelp.audit.services import record_denied
from earlyhelp.core.forms import form_error_items

LINES_PER_PAGE = 50


def _authorise(request, scope: selectors.Scope) -> None:
    if not selectors.can_allocate_in(request.user, scope):
        record_denied(
            actor=request.user,
            object_type="workforce.team" if scope.team else "configuration.district",
            object_id=scope.object_id,
            source=request.path,
        )
        raise PermissionDenied(f"You cannot allocate the requests of {scope.name}.")


@login_required
def index(request):
    """The queues this user allocates, and their latest proposals."""
    scopes = selectors.scopes_for_user(user=request.user)
    if not scopes:
        raise PermissionDenied("Only managers who allocate requests can use this page.")
    return render(
        request,
        "allocation/index.html",
        {
            "teams": [s for s in scopes if s.team],
            "districts": [s for s in scopes if not s.team],
            "proposals": selectors.proposals_for_user(user=request.user),
        },
    )


def _forecast_tag(line) -> dict:
    if line.on_track:
        return {"text": "On track", "colour": "green"}
    if line.working_day is None:
        return {"text": "At risk: no place frees up", "colour": "red"}
    return {
        "text": f"At risk: expected day {line.working_day}",
        "colour": "red",
        "date": line.expected_on,
    }


@require_http_methods(["GET", "POST"])
def _queue(request, scope: selectors.Scope):
    _authorise(request, scope)
    if request.method == "POST":
        try:
            proposal = services.propose_bulk_allocation(
                actor=request.user,
                team_id=scope.team.pk if scope.team else None,
                district_id=None if scope.team else scope.district.pk,
                source=request.path,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("allocation:proposal", proposal_id=proposal.pk)
    result = selectors.queue_forecast(scope)
    rows = [
        {"request": r, "line": result.lines[r.pk], "tag": _forecast_tag(result.lines[r.pk])}
        for r in result.requests
    ]
    return render(
        request,
        "allocation/queue.html",
        {"scope": scope, "forecast": result, "rows": rows},
    )


@login_required
def team_queue(request, team_id: int):
    """A team's waiting requests with the SLA forecast; propose a bulk allocation."""
    return _queue(request, selectors.scope_for(team_id=team_id))


@login_required
def district_queue(request, district_id: int):
    """A district's waiting requests with the SLA forecast; propose a bulk allocation."""
    return _queue(request, selectors.scope_for(district_id=district_id))


def _outcome_messages(request, outcome: services.DecisionOutcome) -> None:
    if outcome.allocated:
        count = len(outcome.allocated)
        messages.success(
            request,
            f"Allocated {count} request{'' if count == 1 else 's'}. Each case is open and "
            "its key worker has the initial visit to arrange.",
        )
    if outcome.rejected:
        count = len(outcome.rejected)
        messages.info(request, f"Rejected {count} line{'' if count == 1 else 's'}: still waiting.")


@login_required
@require_http_methods(["GET", "POST"])
def proposal(request, proposal_id: int):
    """A bulk allocation proposal: accept, reject or change each line."""
    found = selectors.proposal_detail(proposal_id=proposal_id, with_lines=False)
    if found is None:
        raise Http404("No allocation proposal with that reference.")
    scope = selectors.scope_of(found)
    if not request.user.has_perm("allocation.decide_proposal", found):
        record_denied(
            actor=request.user,
            object_type="allocation.allocationproposal",
            object_id=found.pk,
            source=request.path,
        )
        raise PermissionDenied(f"You cannot allocate the requests of {scope.name}.")
    page = Paginator(selectors.proposal_lines(proposal_id=found.pk), LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    lines = list(page.object_list)
    # A worker without headroom would be refused, so only those with room are offered.
    workers = [w for w in selectors.permitted_workers(scope) if w[2] > 0]
    form = ProposalDecisionForm(
        request.POST if request.method == "POST" else None, lines=lines, workers=workers
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.decide_proposal_lines(
                actor=request.user,
                proposal_id=found.pk,
                decisions=form.decisions(),
                source=request.path,
            )
        except ValidationError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            _outcome_messages(request, outcome)
            path = reverse("allocation:proposal", kwargs={"proposal_id": found.pk})
            return redirect(f"{path}?page={page.number}")
    summary = form_error_items(form, non_field_href="#decisions") if form.is_bound else []
    summary += [
        {"text": f"{line.request.family.name} family: {line.problem}", "href": f"#line-{line.pk}"}
        for line in lines
        if line.is_open and line.problem
    ]
    rows = [
        {
            "line": line,
            "field": form[form.name_for(line)] if line.is_open else None,
        }
        for line in lines
    ]
    return render(
        request,
        "allocation/proposal.html",
        {
            "proposal": found,
            "scope": scope,
            "form": form,
            "rows": rows,
            "open_count": sum(1 for line in lines if line.is_open),
            "counts": selectors.proposal_counts(proposal_id=found.pk),
            "page": page,
            "error_summary": summary,
        },
    )
