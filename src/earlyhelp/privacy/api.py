"""Data protection in the API: subject access preview and export, the retention review
list, retention decisions, the second person's approval and the erasure. The same
services, permissions and refusals as the web pages."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from ninja import Field, Router, Schema, Status

from earlyhelp.audit.services import record_denied, record_search
from earlyhelp.core.pagination import Page, paginate
from earlyhelp.privacy import selectors, services
from earlyhelp.privacy.models import RetentionReview
from earlyhelp.privacy.rules import REVIEW_RETENTION
from earlyhelp.privacy.selectors import DUE_FIRST, NEWEST_FIRST

router = Router(tags=["Data protection"])
ZIP_CONTENT_TYPE = "application/zip"


def _source(request) -> str:
    return f"API {request.method} {request.path}"


class SourceOut(Schema):
    source: str = Field(description="The kind of record (app.model)")
    title: str
    records: int
    review_before_disclosure: bool


class SubjectAccessPreviewOut(Schema):
    person_id: int
    name: str
    records: int
    sources: list[SourceOut]
    not_searched: list[str]
    redaction_policy: dict[str, str]


@router.get(
    "/subject-access/{person_id}",
    response=SubjectAccessPreviewOut,
    summary="What a subject access export will include",
)
def subject_access_preview(request, person_id: int):
    """Each source checked for the person and how many records it holds. Only staff who
    handle subject access requests; opening it is audited."""
    person, sources = services.preview_subject_access(
        actor=request.auth, person_id=person_id, source=_source(request)
    )
    return SubjectAccessPreviewOut(
        person_id=person.pk,
        name=person.full_name,
        records=sum(s["records"] for s in sources),
        sources=[SourceOut(**s) for s in sources],
        not_searched=list(services.sar.NOT_SEARCHED),
        redaction_policy=dict(services.sar.REASONS),
    )


@router.post(
    "/subject-access/{person_id}/export",
    response={200: bytes},
    summary="Export everything held about a person",
    openapi_extra={
        "responses": {
            "200": {
                "description": "A ZIP of records.json and records.html, third parties redacted",
                "content": {ZIP_CONTENT_TYPE: {}},
            }
        }
    },
)
def subject_access_export(request, person_id: int):
    """The subject access export: every record held about the person, with other people
    and staff redacted and each redaction accounted for. The export is audited."""
    file = services.export_subject_access(
        actor=request.auth, person_id=person_id, source=_source(request)
    )
    response = HttpResponse(file.content, content_type=ZIP_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


class Order(StrEnum):
    DUE = DUE_FIRST
    NEWEST = NEWEST_FIRST


class DueFamilyOut(Schema):
    family_id: int
    name: str
    postcode: str
    destroy_after: dt.date
    rule: str
    youngest_child_born_on: dt.date | None
    last_case_closed_on: dt.date | None
    last_request_decided_on: dt.date | None
    review_id: int | None = Field(description="An erasure under way, if any")
    review_status: str | None


@router.get(
    "/retention/due",
    response=Page[DueFamilyOut],
    summary="Families past their destroy-after date",
)
def retention_due(request, order: Order = Order.DUE, page: int = 1):
    """The review list: families past their destroy-after date and not kept beyond
    today, longest overdue first (`order=due`) or most recently due first."""
    if not request.auth.has_perm(REVIEW_RETENTION):
        record_denied(
            actor=request.auth,
            object_type="privacy.retentionreview",
            object_id="",
            source=_source(request),
        )
        raise PermissionDenied(services.RETENTION_REFUSED)
    rows = selectors.families_due_for_review(order=order.value)
    result = paginate(rows, page, lambda row: row)  # type: ignore[arg-type]
    items = selectors.with_open_reviews(result["items"])
    result["items"] = [
        DueFamilyOut(
            family_id=row.family.pk,
            name=row.family.name,
            postcode=row.family.postcode,
            destroy_after=row.due.destroy_after,
            rule=row.due.rule.value,
            youngest_child_born_on=row.facts.youngest_child_born_on,
            last_case_closed_on=row.facts.last_case_closed_on,
            last_request_decided_on=row.facts.last_request_decided_on,
            review_id=row.open_review.pk if row.open_review else None,
            review_status=row.open_review.status if row.open_review else None,
        )
        for row in items
    ]
    record_search(
        actor=request.auth,
        code="privacy.retention_list_viewed",
        object_type="people.family",
        details={"due": result["count"], "page": result["page"]},
        source=_source(request),
    )
    return result


class RetentionReviewOut(Schema):
    id: int
    family_id: int
    family_held: bool = Field(description="False once the family has been erased")
    destroy_after: dt.date
    rule: str
    decision: str
    reason: str
    next_review_on: dt.date | None
    status: str
    decided_by: str
    decided_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    approval_comments: str
    erased_at: dt.datetime | None
    erasure_counts: dict[str, int]


def _review_out(review: RetentionReview) -> RetentionReviewOut:
    return RetentionReviewOut(
        id=review.pk,
        family_id=review.subject_family_id,
        family_held=review.family_id is not None,
        destroy_after=review.destroy_after,
        rule=review.rule,
        decision=review.decision,
        reason=review.reason,
        next_review_on=review.next_review_on,
        status=review.status,
        decided_by=str(review.decided_by),
        decided_at=review.decided_at,
        approved_by=str(review.approved_by) if review.approved_by_id else None,
        approved_at=review.approved_at,
        approval_comments=review.approval_comments,
        erased_at=review.erased_at,
        erasure_counts=review.erasure_counts,
    )


class Decision(StrEnum):
    ERASE = "erase"
    KEEP = "keep"


class RetentionDecisionIn(Schema):
    decision: Decision
    reason: str = Field(max_length=2000)
    next_review_on: dt.date | None = Field(None, description="Needed when kept")


@router.post(
    "/retention/families/{family_id}/decision",
    response={201: RetentionReviewOut},
    summary="Record a retention decision on a family",
)
def retention_decision(request, family_id: int, payload: RetentionDecisionIn):
    """Propose erasure of a family past its date (a second person approves), or keep it
    with the reason and a future review date. 409 if it is not due or already under way."""
    review = services.record_retention_decision(
        actor=request.auth,
        family_id=family_id,
        decision=payload.decision.value,
        reason=payload.reason,
        next_review_on=payload.next_review_on,
        source=_source(request),
    )
    return Status(201, _review_out(review))


@router.get(
    "/retention/reviews/{review_id}", response=RetentionReviewOut, summary="A retention review"
)
def retention_review(request, review_id: int):
    """A retention decision and, for an erasure, its approval and what was erased."""
    if not request.auth.has_perm(REVIEW_RETENTION):
        record_denied(
            actor=request.auth,
            object_type="privacy.retentionreview",
            object_id=review_id,
            source=_source(request),
        )
        raise PermissionDenied(services.RETENTION_REFUSED)
    review = selectors.review_detail(review_id=review_id)
    if review is None:
        raise Http404("No retention review with that number.")
    return _review_out(review)


class ApprovalIn(Schema):
    approve: bool
    comments: str = Field("", max_length=2000)


@router.post(
    "/retention/reviews/{review_id}/approval",
    response=RetentionReviewOut,
    summary="Approve or reject a proposed erasure",
)
def retention_approval(request, review_id: int, payload: ApprovalIn):
    """The second person's decision; the proposer cannot make it (409)."""
    review = services.decide_erasure(
        actor=request.auth,
        review_id=review_id,
        approve=payload.approve,
        comments=payload.comments,
        source=_source(request),
    )
    return _review_out(selectors.review_detail(review_id=review.pk))


@router.post(
    "/retention/reviews/{review_id}/erasure",
    response=RetentionReviewOut,
    summary="Carry out an approved erasure",
)
def retention_erasure(request, review_id: int):
    """Erase the family of an approved review, if still past its date: all or nothing,
    the audit log kept. 409 if not approved, not due or blocked by another record."""
    review = services.erase_family(actor=request.auth, review_id=review_id, source=_source(request))
    return _review_out(selectors.review_detail(review_id=review.pk))
