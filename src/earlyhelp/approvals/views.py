"""The approver's page: the request, and approve, or reject with comments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from earlyhelp.approvals import services
from earlyhelp.approvals.forms import DecisionForm
from earlyhelp.approvals.models import Approval, Status
from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases import web
from earlyhelp.cases.errors import StepNotReady

ALREADY_DECIDED = "approval_already_decided"


def _approval(approval_id: int) -> Approval:
    """One approval with what its page and ``may_decide`` read, in one query."""
    approval = (
        Approval.objects.select_related(
            "case__family",
            "case__team",
            "case__key_worker__staff",
            "requested_by",
            "approver",
            "decided_by",
        )
        .filter(pk=approval_id)
        .first()
    )
    if approval is None:
        raise Http404("No such approval.")
    return approval


def _decided_page(request, approval: Approval):
    """An approval is decided once: a second decision is a conflict (409)."""
    return render(request, "approvals/decide.html", {"approval": approval}, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, approval_id: int):
    """Approve, or reject with comments; only the approver or the worker's managers."""
    approval = _approval(approval_id)
    if not services.may_decide(request.user, approval):
        record_denied(
            actor=request.user,
            object_type="approvals.approval",
            object_id=approval_id,
            source=web.source(request),
        )
        raise PermissionDenied("You cannot decide this approval.")
    record_view(actor=request.user, instance=approval, source=web.source(request))
    if approval.status != Status.PENDING:
        return _decided_page(request, approval)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form, field_map={"comments": form.comments_field}) as outcome:
            services.decide_approval(
                actor=request.user,
                approval_id=approval.pk,
                approve=form.approve,
                comments=form.comments,
                source=web.source(request),
            )
        if isinstance(outcome.error, StepNotReady) and outcome.error.rule == ALREADY_DECIDED:
            return _decided_page(request, _approval(approval_id))
        if outcome.ok:
            verb = "approved" if form.approve else "rejected"
            messages.success(
                request,
                f"You {verb} the {approval.get_kind_display().lower()} for case "
                f"{approval.case.urn}",
            )
            return redirect("tasks:list")
    return web.render_form(request, "approvals/decide.html", {"approval": approval, "form": form})
