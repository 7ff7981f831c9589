"""Data protection actions: the subject access export, retention decisions, the second
person's approval of an erasure, and the erasure itself.

Erasure deletes the family's casework records and irreversibly anonymises the service
activity records that are counted in statistics (a Talkzone contact keeps its channel,
topic, time and outcome but loses its person, request and summary). It never touches the
audit log: events keep their ids, kinds and codes, and the erasure's own event names no
one (family and review numbers and counts of rows only). A person is erased with the
family unless they are also in another family or another family's records still refer
to them; then only this family's records about them go.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, Q
from django.http import Http404
from django.utils import timezone

from earlyhelp.audit.services import record_denied, record_view, record_write
from earlyhelp.domain.retention import RetentionDate
from earlyhelp.people.models import Family, FamilyMember, Person
from earlyhelp.privacy import sar
from earlyhelp.privacy.errors import (
    ErasureBlocked,
    ErasureNotApproved,
    NotDueForErasure,
    ReviewAlreadyDecided,
    SamePersonCannotApprove,
)
from earlyhelp.privacy.models import Decision, RetentionReview, ReviewStatus
from earlyhelp.privacy.rules import REVIEW_RETENTION, SUBJECT_ACCESS
from earlyhelp.privacy.selectors import family_retention

SAR_PREVIEWED = "privacy.sar_previewed"
SAR_EXPORTED = "privacy.sar_exported"
ERASURE_PROPOSED = "privacy.erasure_proposed"
RETENTION_KEPT = "privacy.retention_kept"
ERASURE_APPROVED = "privacy.erasure_approved"
ERASURE_REJECTED = "privacy.erasure_rejected"
FAMILY_ERASED = "privacy.family_erased"

ERASED_SUMMARY = "Erased under the retention schedule"

SAR_REFUSED = "Only staff who handle subject access requests can do this."
RETENTION_REFUSED = "Only staff who review records for retention and erasure can do this."


_BIGINT_MAX = 2**63 - 1


def _require(actor, permission: str, *, object_type: str, object_id, source: str, message: str):
    """Refuse (and audit the refusal) unless the actor holds the permission."""
    if not actor.has_perm(permission):
        if isinstance(object_id, int) and not 0 < object_id <= _BIGINT_MAX:
            # No such record can exist; the audit row's subject column could not hold it.
            object_type, object_id = f"privacy.{object_type.split('.')[-1]}", str(object_id)
        record_denied(actor=actor, object_type=object_type, object_id=object_id, source=source)
        raise PermissionDenied(message)


def _subject(person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No person with that number.")
    # A merged duplicate's records were moved to the person it was merged into.
    seen = {person.pk}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


# ---------------------------------------------------------------- subject access


def preview_subject_access(*, actor, person_id: int, source: str = "") -> tuple[Person, list]:
    """What a subject access export for the person will include, source by source.
    Only staff who handle subject access requests; opening it is audited."""
    _require(
        actor,
        SUBJECT_ACCESS,
        object_type="people.person",
        object_id=person_id,
        source=source,
        message=SAR_REFUSED,
    )
    person = _subject(person_id)
    collection = sar.collect(person)
    record_view(actor=actor, instance=person, source=source, code=SAR_PREVIEWED)
    return person, sar.preview(collection)


def export_subject_access(*, actor, person_id: int, source: str = "") -> sar.ExportFile:
    """Everything held about the person, third parties redacted, as a ZIP of JSON and
    HTML. Only staff who handle subject access requests; the export is audited (who,
    whom, when, what was in it and the file's SHA-256), naming no one in its details."""
    _require(
        actor,
        SUBJECT_ACCESS,
        object_type="people.person",
        object_id=person_id,
        source=source,
        message=SAR_REFUSED,
    )
    with transaction.atomic():
        person = _subject(person_id)
        now = timezone.now()
        collection = sar.collect(person)
        export = sar.build_export(collection, generated_at=now)
        file = sar.package(export)
        record_write(
            actor=actor,
            code=SAR_EXPORTED,
            instance=person,
            details={
                "requested_person_id": person_id,
                "records": file.records,
                "redactions": file.redactions,
                "sources": collection.counts(),
                "sha256": file.sha256,
                "filename": file.filename,
            },
            source=source,
        )
    return file


# ---------------------------------------------------------------- retention decisions


def _require_reviewer(actor, *, object_type: str, object_id, source: str) -> None:
    _require(
        actor,
        REVIEW_RETENTION,
        object_type=object_type,
        object_id=object_id,
        source=source,
        message=RETENTION_REFUSED,
    )


def _long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _due_family(family_id: int, *, today: dt.date) -> tuple[Family, RetentionDate]:
    found = family_retention(family_id=family_id)
    if found is None:
        raise Http404("No family with that number.")
    family, due = found
    if due is None:
        raise NotDueForErasure(
            "This family has an open case or a request waiting: it is not due for review."
        )
    if not due.is_due(today):
        raise NotDueForErasure(
            f"This family's records must be kept until {_long_date(due.destroy_after)}: "
            "it is not due for review yet."
        )
    return family, due


def _lock_family(family_id: int) -> None:
    # Two reviewers deciding on one family at once: the second waits, then sees the first.
    Family.objects.select_for_update().filter(pk=family_id).first()


def record_retention_decision(
    *,
    actor,
    family_id: int,
    decision: str,
    reason: str,
    next_review_on: dt.date | None = None,
    source: str = "",
) -> RetentionReview:
    """A reviewer's decision on a family past its destroy-after date: propose erasure
    (a second person then approves), or keep it, with the reason and a new review date."""
    # Refused before the transaction opens, so that the refusal stays on the audit log.
    _require_reviewer(actor, object_type="people.family", object_id=family_id, source=source)
    return _record_retention_decision(
        actor=actor,
        family_id=family_id,
        decision=decision,
        reason=reason,
        next_review_on=next_review_on,
        source=source,
    )


@transaction.atomic
def _record_retention_decision(
    *,
    actor,
    family_id: int,
    decision: str,
    reason: str,
    next_review_on: dt.date | None,
    source: str,
) -> RetentionReview:
    today = timezone.localdate()
    if decision not in Decision.values:
        raise ValidationError({"decision": ["Choose whether to erase or keep the records"]})
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = ["Give the reason for your decision"]
    if decision == Decision.KEEP:
        if next_review_on is None:
            errors["next_review_on"] = ["Give the date to review the records again"]
        elif next_review_on <= today:
            errors["next_review_on"] = ["The next review must be a date in the future"]
    if errors:
        raise ValidationError(errors)
    _lock_family(family_id)
    family, due = _due_family(family_id, today=today)
    if RetentionReview.objects.filter(
        family=family, status__in=(ReviewStatus.PROPOSED, ReviewStatus.APPROVED)
    ).exists():
        raise ReviewAlreadyDecided("An erasure of this family is already under way.")
    review = RetentionReview(
        family=family,
        subject_family_id=family.pk,
        destroy_after=due.destroy_after,
        rule=due.rule.value,
        decision=decision,
        reason=reason.strip(),
        next_review_on=next_review_on if decision == Decision.KEEP else None,
        status=ReviewStatus.PROPOSED if decision == Decision.ERASE else ReviewStatus.KEPT,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    record_write(
        actor=actor,
        code=ERASURE_PROPOSED if decision == Decision.ERASE else RETENTION_KEPT,
        instance=review,
        details={
            "destroy_after": due.destroy_after.isoformat(),
            "rule": due.rule.value,
            "next_review_on": next_review_on.isoformat() if review.next_review_on else None,
        },
        source=source,
        subject_family_id=family.pk,
    )
    return review


def _review_for_update(review_id: int) -> RetentionReview:
    review = RetentionReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise Http404("No retention review with that number.")
    return review


def decide_erasure(
    *, actor, review_id: int, approve: bool, comments: str = "", source: str = ""
) -> RetentionReview:
    """The second person's decision on a proposed erasure: approve, or reject with
    comments. Whoever proposed it cannot decide it."""
    _require_reviewer(
        actor, object_type="privacy.retentionreview", object_id=review_id, source=source
    )
    return _decide_erasure(
        actor=actor, review_id=review_id, approve=approve, comments=comments, source=source
    )


@transaction.atomic
def _decide_erasure(
    *, actor, review_id: int, approve: bool, comments: str, source: str
) -> RetentionReview:
    review = _review_for_update(review_id)
    if review.status != ReviewStatus.PROPOSED:
        raise ReviewAlreadyDecided(
            f"This review is no longer waiting for approval: {review.get_status_display()}."
        )
    if review.decided_by_id == actor.pk:
        raise SamePersonCannotApprove(
            "You proposed this erasure: someone else must approve or reject it."
        )
    if not approve and not (comments or "").strip():
        raise ValidationError({"comments": ["Say why you are not approving the erasure"]})
    review.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    review.approved_by = actor
    review.approved_at = timezone.now()
    review.approval_comments = (comments or "").strip()
    review.save(update_fields=["status", "approved_by", "approved_at", "approval_comments"])
    record_write(
        actor=actor,
        code=ERASURE_APPROVED if approve else ERASURE_REJECTED,
        instance=review,
        changes={"status": [ReviewStatus.PROPOSED.value, review.status]},
        source=source,
        subject_family_id=review.subject_family_id,
    )
    return review


def _ids(queryset: models.QuerySet) -> list[int]:
    return list(queryset.values_list("pk", flat=True))


def _delete(queryset: models.QuerySet, counts: Counter) -> None:
    """Delete with everything that cascades, counting rows by kind of record."""
    _, per_model = queryset.delete()
    for label, n in per_model.items():
        if n:
            counts[label.lower()] += n


def _blocked(error: ProtectedError) -> ErasureBlocked:
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
    return ErasureBlocked(
        "Other records still refer to this family's records, so nothing was erased: "
        + ", ".join(kinds)
        + "."
    )


def _people_only_here(family: Family) -> list[int]:
    """The family's members who are in no other family, and their merged duplicates,
    duplicates first (a duplicate points at the record it was merged into)."""
    members = set(FamilyMember.objects.filter(family=family).values_list("person_id", flat=True))
    elsewhere = set(
        FamilyMember.objects.filter(person_id__in=members)
        .exclude(family=family)
        .values_list("person_id", flat=True)
    )
    people = members - elsewhere
    duplicates: list[int] = []
    frontier = set(people)
    while frontier:
        frontier = set(
            Person.objects.filter(merged_into_id__in=frontier)
            .exclude(pk__in=[*people, *duplicates])
            .values_list("pk", flat=True)
        )
        duplicates = sorted(frontier) + duplicates
    return duplicates + sorted(people)


def _erase_people(person_ids: Iterable[int], counts: Counter) -> list[int]:
    """Delete each person with their own named records (group registers); a person
    another family's records still refer to is kept. Returns the ids kept."""
    from earlyhelp.centres.models import Attendance, Participant

    kept = []
    for person_id in person_ids:
        try:
            with transaction.atomic():
                _delete(Attendance.objects.filter(person_id=person_id), counts)
                _delete(Participant.objects.filter(person_id=person_id), counts)
                _delete(Person.objects.filter(pk=person_id), counts)
        except ProtectedError:
            kept.append(person_id)
    return kept


def _erase_family(family: Family) -> tuple[Counter, list[int]]:
    from earlyhelp.allocation.models import ProposalLine
    from earlyhelp.cases.models import Case
    from earlyhelp.claims.models import Attachment, Claim
    from earlyhelp.outreach.models import TalkzoneContact
    from earlyhelp.referrals.models import RequestForSupport

    counts: Counter = Counter()
    people = _people_only_here(family)
    request_ids = _ids(RequestForSupport.objects.filter(family=family))
    case_ids = _ids(Case.objects.filter(family=family))
    # Anonymised, not deleted: they are counted in the Talkzone figures.
    anonymised = TalkzoneContact.objects.filter(
        Q(request_for_support_id__in=request_ids) | Q(person_id__in=people)
    ).update(person=None, request_for_support=None, summary=ERASED_SUMMARY)
    if anonymised:
        counts["outreach.talkzonecontact (anonymised)"] = anonymised
    # Records that protect the family's requests and cases from deletion.
    _delete(
        ProposalLine.objects.filter(Q(request_id__in=request_ids) | Q(case_id__in=case_ids)),
        counts,
    )
    _delete(Claim.objects.filter(Q(family=family) | Q(attachment__case_id__in=case_ids)), counts)
    _delete(Attachment.objects.filter(Q(family=family) | Q(case_id__in=case_ids)), counts)
    _delete(Case.objects.filter(pk__in=case_ids), counts)
    _delete(RequestForSupport.objects.filter(pk__in=request_ids), counts)
    _delete(Family.objects.filter(pk=family.pk), counts)
    kept = _erase_people(people, counts)
    return counts, kept


def erase_family(*, actor, review_id: int, source: str = "") -> RetentionReview:
    """Erase a family whose erasure was proposed and approved by two different people,
    if it is still past its destroy-after date. All or nothing; the audit log is kept."""
    _require_reviewer(
        actor, object_type="privacy.retentionreview", object_id=review_id, source=source
    )
    return _erase(actor=actor, review_id=review_id, source=source)


@transaction.atomic
def _erase(*, actor, review_id: int, source: str) -> RetentionReview:
    review = _review_for_update(review_id)
    if review.status == ReviewStatus.ERASED:
        raise ErasureNotApproved("This family has already been erased.")
    if review.status != ReviewStatus.APPROVED or review.decision != Decision.ERASE:
        raise ErasureNotApproved(
            "Only an erasure that a second person has approved can be carried out. "
            f"This review is: {review.get_status_display()}."
        )
    if review.approved_by_id is None or review.approved_by_id == review.decided_by_id:
        raise ErasureNotApproved("The erasure must be approved by someone other than its proposer.")
    if review.family_id is None:
        raise ErasureNotApproved("The family's records are no longer held.")
    _lock_family(review.family_id)
    family, _ = _due_family(review.family_id, today=timezone.localdate())
    try:
        counts, kept = _erase_family(family)
    except ProtectedError as error:
        raise _blocked(error) from error
    review.status = ReviewStatus.ERASED
    review.family = None
    review.erased_by = actor
    review.erased_at = timezone.now()
    review.erasure_counts = dict(sorted(counts.items()))
    review.save(update_fields=["status", "family", "erased_by", "erased_at", "erasure_counts"])
    record_write(
        actor=actor,
        code=FAMILY_ERASED,
        instance=review,
        details={
            "family_id": review.subject_family_id,
            "review_id": review.pk,
            "proposed_by": review.decided_by_id,
            "approved_by": review.approved_by_id,
            "rows": review.erasure_counts,
            "people_kept_for_other_records": kept,
        },
        source=source,
        subject_family_id=review.subject_family_id,
    )
    return review
