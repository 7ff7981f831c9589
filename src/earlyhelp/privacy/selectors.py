"""Reads for data protection: the retention rules, each family's retention facts, the
review list of families past their destroy-after date, and finding a person for a
subject access request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.cases.models import Case
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.configuration.selectors import service_settings
from earlyhelp.domain.retention import (
    FamilyRetentionFacts,
    RetentionDate,
    RetentionRules,
    earliest_due_cutoffs,
    family_destroy_after,
)
from earlyhelp.people.models import Family, FamilyMember, Person, Relationship
from earlyhelp.privacy.models import RetentionReview, ReviewStatus
from earlyhelp.referrals.models import RequestForSupport
from earlyhelp.referrals.models import Status as RequestStatus

CHILD_RELATIONSHIPS = (Relationship.CHILD, Relationship.SIBLING)
# A request returned for consent or withdrawn is decided; one awaiting allocation waits.
DECIDED_REQUESTS = (RequestStatus.RETURNED_FOR_CONSENT, RequestStatus.WITHDRAWN)
WAITING_REQUESTS = (RequestStatus.AWAITING_ALLOCATION,)

DUE_FIRST = "due"
NEWEST_FIRST = "newest"
ORDERS = {DUE_FIRST: "Longest overdue first", NEWEST_FIRST: "Most recently due first"}


def retention_rules() -> RetentionRules:
    """The retention periods configured for the service."""
    row = service_settings()
    return RetentionRules(
        years_after_youngest_child_birth=row.retention_years_after_youngest_child_birth,
        minimum_years_after_closure=row.retention_minimum_years_after_closure,
        years_after_request_decision=row.retention_years_after_request_decision,
    )


def _with_retention_facts(families: QuerySet[Family]) -> QuerySet[Family]:
    """Families annotated with what the retention rule reads, in the same query."""
    family = OuterRef("pk")
    youngest = (
        FamilyMember.objects.filter(
            family=family,
            relationship__in=CHILD_RELATIONSHIPS,
            person__date_of_birth__isnull=False,
        )
        .order_by("-person__date_of_birth")
        .values("person__date_of_birth")[:1]
    )
    last_closed = (
        Case.objects.filter(family=family, status=CaseStatus.CLOSED, closed_on__isnull=False)
        .order_by("-closed_on")
        .values("closed_on")[:1]
    )
    last_decided = (
        RequestForSupport.objects.filter(family=family, status__in=DECIDED_REQUESTS)
        .annotate(decided=Coalesce("returned_at", "received_at", output_field=DateTimeField()))
        .order_by("-decided")
        .values("decided")[:1]
    )
    last_withdrawn = (
        AuditEvent.objects.filter(code="request.withdrawn", subject_family_id=family)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return families.annotate(
        youngest_child_born_on=Subquery(youngest),
        has_open_case=Exists(Case.objects.filter(family=family).exclude(status=CaseStatus.CLOSED)),
        has_waiting_request=Exists(
            RequestForSupport.objects.filter(family=family, status__in=WAITING_REQUESTS)
        ),
        last_case_closed_on=Subquery(last_closed),
        last_request_decided_at=Subquery(last_decided),
        last_withdrawn_at=Subquery(last_withdrawn),
    )


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(value) if value is not None else None


def facts_of(family: Family) -> FamilyRetentionFacts:
    """The retention facts of a family fetched through ``_with_retention_facts``."""
    decided = [
        d
        for d in (
            _local_date(family.last_request_decided_at),
            _local_date(family.last_withdrawn_at),
        )
        if d is not None
    ]
    return FamilyRetentionFacts(
        recorded_on=timezone.localdate(family.created_at),
        youngest_child_born_on=family.youngest_child_born_on,
        open_cases=int(bool(family.has_open_case)),
        last_case_closed_on=family.last_case_closed_on,
        waiting_requests=int(bool(family.has_waiting_request)),
        last_request_decided_on=max(decided) if decided else None,
    )


def family_retention(
    *, family_id: int, rules: RetentionRules | None = None
) -> tuple[Family, RetentionDate | None] | None:
    """One family and its destroy-after date (None while something is open), or None
    if there is no such family."""
    family = _with_retention_facts(Family.objects.filter(pk=family_id)).first()
    if family is None:
        return None
    return family, family_destroy_after(facts_of(family), rules or retention_rules())


@dataclass(frozen=True)
class ReviewRow:
    """A family on the review list: its date, the rule, and any review under way."""

    family: Family
    due: RetentionDate
    facts: FamilyRetentionFacts
    open_review: RetentionReview | None = None


def families_due_for_review(
    *, today: dt.date | None = None, order: str = DUE_FIRST, rules: RetentionRules | None = None
) -> list[ReviewRow]:
    """Families past their destroy-after date and not kept beyond today, due-first or
    newest-first. The database narrows the families by the rules' shortest periods;
    the domain rule then decides each one exactly."""
    today = today or timezone.localdate()
    rules = rules or retention_rules()
    activity_cutoff, born_cutoff = earliest_due_cutoffs(today=today, rules=rules)
    cutoff_start = timezone.make_aware(dt.datetime.combine(activity_cutoff, dt.time.min))
    kept = RetentionReview.objects.filter(
        family=OuterRef("pk"), status=ReviewStatus.KEPT, next_review_on__gt=today
    )
    candidates = (
        _with_retention_facts(Family.objects.all())
        .filter(has_open_case=False, has_waiting_request=False)
        .filter(Q(last_case_closed_on__isnull=True) | Q(last_case_closed_on__lt=activity_cutoff))
        .filter(
            Q(last_request_decided_at__isnull=True) | Q(last_request_decided_at__lt=cutoff_start)
        )
        .filter(
            Q(last_case_closed_on__isnull=True)
            | Q(youngest_child_born_on__isnull=True)
            | Q(youngest_child_born_on__lt=born_cutoff)
        )
        .exclude(Exists(kept))
        .only("pk", "name", "postcode", "created_at")
    )
    rows = []
    for family in candidates:
        facts = facts_of(family)
        due = family_destroy_after(facts, rules)
        if due is not None and due.is_due(today):
            rows.append(ReviewRow(family=family, due=due, facts=facts))
    rows.sort(key=lambda r: (r.due.destroy_after, r.family.pk), reverse=order == NEWEST_FIRST)
    return rows


def with_open_reviews(rows: list[ReviewRow]) -> list[ReviewRow]:
    """The rows of one page with the review under way for each family, in one query."""
    reviews = {
        review.subject_family_id: review
        for review in RetentionReview.objects.filter(
            subject_family_id__in=[r.family.pk for r in rows],
            status__in=(ReviewStatus.PROPOSED, ReviewStatus.APPROVED),
        ).select_related("decided_by", "approved_by")
    }
    return [
        ReviewRow(family=r.family, due=r.due, facts=r.facts, open_review=reviews.get(r.family.pk))
        for r in rows
    ]


def review_detail(*, review_id: int) -> RetentionReview | None:
    """One review with the people named on it, in one query."""
    return (
        RetentionReview.objects.select_related("decided_by", "approved_by", "erased_by", "family")
        .filter(pk=review_id)
        .first()
    )


def recent_reviews(*, limit: int = 20) -> list[RetentionReview]:
    """The latest decisions, for the reviewers' page."""
    return list(
        RetentionReview.objects.select_related("decided_by", "approved_by", "erased_by")[:limit]
    )


def find_people(
    *, name: str, date_of_birth: dt.date | None = None, limit: int = 25
) -> list[Person]:
    """People whose first or last name contains each word given (merged duplicates are
    found through the record they were merged into)."""
    people = Person.objects.filter(merged_into__isnull=True)
    for word in name.split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if date_of_birth is not None:
        people = people.filter(date_of_birth=date_of_birth)
    return list(people.order_by("last_name", "first_name", "pk")[:limit])
