"""The data-protection pages: subject access requests, the retention review list, a
reviewer's decision, the second person's approval, and the erasure."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from earlyhelp.audit.services import record_denied, record_search, record_view
from earlyhelp.cases import web
from earlyhelp.core.errors import DomainError
from earlyhelp.privacy import selectors, services
from earlyhelp.privacy.forms import (
    ErasureDecisionForm,
    PersonSearchForm,
    RetentionDecisionForm,
    ReviewListForm,
)
from earlyhelp.privacy.models import ReviewStatus
from earlyhelp.privacy.rules import REVIEW_RETENTION, SUBJECT_ACCESS
from earlyhelp.privacy.selectors import DUE_FIRST, ORDERS

PAGE_SIZE = 25
ZIP_CONTENT_TYPE = "application/zip"


def _require(request, permission: str, *, object_type: str, object_id="") -> None:
    if not request.user.has_perm(permission):
        record_denied(
            actor=request.user,
            object_type=object_type,
            object_id=object_id,
            source=web.source(request),
        )
        raise PermissionDenied("You do not have access to the data protection pages.")


@login_required
@require_GET
def index(request):
    """Subject access requests and retention review, for the staff who handle them."""
    may_sar = request.user.has_perm(SUBJECT_ACCESS)
    may_review = request.user.has_perm(REVIEW_RETENTION)
    if not (may_sar or may_review):
        _require(request, SUBJECT_ACCESS, object_type="privacy.index")
    return render(
        request,
        "privacy/index.html",
        {
            "may_sar": may_sar,
            "may_review": may_review,
            "rules": selectors.retention_rules(),
            "recent": selectors.recent_reviews() if may_review else [],
        },
    )


# ---------------------------------------------------------------- subject access


@login_required
@require_GET
def subject_access_search(request):
    """Find the person a subject access request is about."""
    _require(request, SUBJECT_ACCESS, object_type="privacy.subject_access")
    form = PersonSearchForm(request.GET if "name" in request.GET else None)
    people = None
    if form.is_bound and form.is_valid():
        people = selectors.find_people(
            name=form.cleaned_data["name"], date_of_birth=form.cleaned_data["date_of_birth"]
        )
        record_search(
            actor=request.user,
            code="privacy.person_searched",
            object_type="people.person",
            details={"results": len(people)},
            source=web.source(request),
        )
    return web.render_form(
        request, "privacy/subject_access_search.html", {"form": form, "people": people}
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request, person_id: int):
    """What the export will include (GET), and the export itself (POST): a ZIP of the
    records as JSON and as a readable page."""
    if request.method == "POST":
        file = services.export_subject_access(
            actor=request.user, person_id=person_id, source=web.source(request)
        )
        response = HttpResponse(file.content, content_type=ZIP_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response
    person, sources = services.preview_subject_access(
        actor=request.user, person_id=person_id, source=web.source(request)
    )
    return render(
        request,
        "privacy/subject_access.html",
        {
            "person": person,
            "sources": sources,
            "total": sum(s["records"] for s in sources),
            "not_searched": services.sar.NOT_SEARCHED,
            "reasons": services.sar.REASONS,
        },
    )


# ---------------------------------------------------------------- retention


@login_required
@require_GET
def review_list(request):
    """Families past their destroy-after date, due-first or newest-first."""
    _require(request, REVIEW_RETENTION, object_type="privacy.retentionreview")
    form = ReviewListForm(request.GET)
    order = DUE_FIRST
    if form.is_valid() and form.cleaned_data["order"]:
        order = form.cleaned_data["order"]
    rows = selectors.families_due_for_review(order=order)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_open_reviews(list(page.object_list))
    record_search(
        actor=request.user,
        code="privacy.retention_list_viewed",
        object_type="people.family",
        details={"due": len(rows), "page": page.number},
        source=web.source(request),
    )
    return render(
        request,
        "privacy/review_list.html",
        {"page": page, "form": form, "order": order, "orders": ORDERS, "count": len(rows)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_decision(request, family_id: int):
    """Record a decision on a family past its date: propose erasure, or keep it."""
    _require(request, REVIEW_RETENTION, object_type="people.family", object_id=family_id)
    found = selectors.family_retention(family_id=family_id)
    if found is None:
        raise Http404("No family with that number.")
    family, due = found
    form = RetentionDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            review = services.record_retention_decision(
                actor=request.user,
                family_id=family_id,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                next_review_on=form.cleaned_data["next_review_on"],
                source=web.source(request),
            )
        if outcome.ok:
            if review.status == ReviewStatus.PROPOSED:
                messages.success(request, "Erasure proposed: a second person must approve it")
                return redirect("privacy:review", review_id=review.pk)
            again = f"{review.next_review_on.day} {review.next_review_on:%B %Y}"
            messages.success(request, f"Kept: the family will be reviewed again on {again}")
            return redirect("privacy:review-list")
    elif request.method == "GET":
        record_view(actor=request.user, instance=family, source=web.source(request))
    return web.render_form(
        request, "privacy/family_decision.html", {"family": family, "due": due, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request, review_id: int):
    """A retention review: the second person approves or rejects a proposed erasure."""
    _require(request, REVIEW_RETENTION, object_type="privacy.retentionreview", object_id=review_id)
    item = selectors.review_detail(review_id=review_id)
    if item is None:
        raise Http404("No retention review with that number.")
    form = None
    status = None
    if request.method == "POST":
        # The service refuses the proposer and a review no longer waiting (409).
        form = ErasureDecisionForm(request.POST)
        if form.is_valid():
            with web.errors_onto(form) as outcome:
                services.decide_erasure(
                    actor=request.user,
                    review_id=review_id,
                    approve=form.approve,
                    comments=form.cleaned_data["comments"],
                    source=web.source(request),
                )
            if outcome.ok:
                messages.success(
                    request, "Erasure approved" if form.approve else "Erasure not approved"
                )
                return redirect("privacy:review", review_id=review_id)
            if isinstance(outcome.error, DomainError):
                status = 409
    elif item.status == ReviewStatus.PROPOSED and item.decided_by_id != request.user.pk:
        form = ErasureDecisionForm()
    return web.render_form(
        request, "privacy/review.html", {"review": item, "form": form}, status=status
    )


@login_required
@require_POST
def erase(request, review_id: int):
    """Carry out an approved erasure."""
    item = selectors.review_detail(review_id=review_id)
    form = ErasureDecisionForm()
    with web.errors_onto(form) as outcome:
        services.erase_family(actor=request.user, review_id=review_id, source=web.source(request))
    if outcome.ok:
        messages.success(request, f"Family {item.subject_family_id} erased")
        return redirect("privacy:review", review_id=review_id)
    if item is None:
        raise Http404("No retention review with that number.")
    return render(
        request,
        "privacy/review.html",
        {"review": item, "form": None, "error_summary": web.error_summary(form)},
        status=409,
    )
