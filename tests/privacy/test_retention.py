"""Retention review and erasure: the list of families past their destroy-after date, a
reviewer's decision (erase, or keep with a reason and a new review date), a second
person's approval, and an erasure that is all or nothing and keeps the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case, Contact
from earlyhelp.centres.models import Attendance
from earlyhelp.outreach.models import OutreachSession, TalkzoneContact
from earlyhelp.people.models import Family, FamilyMember, Person, Relationship
from earlyhelp.privacy import services
from earlyhelp.privacy.errors import (
    ErasureNotApproved,
    NotDueForErasure,
    ReviewAlreadyDecided,
    SamePersonCannotApprove,
)
from earlyhelp.privacy.models import RetentionReview, ReviewStatus
from earlyhelp.privacy.selectors import NEWEST_FIRST, families_due_for_review
from earlyhelp.referrals.models import RequestForSupport, RequestMember
from tests.casework import open_case, submit
from tests.factories import make_staff
from tests.privacy.helpers import close_long_ago, household

LONG_AGO = dt.date(2005, 3, 1)


def _age_children(family: Family, born: dt.date) -> None:
    Person.objects.filter(
        memberships__family=family, memberships__relationship=Relationship.CHILD
    ).update(date_of_birth=born)


def due_family(world, *, closed_on: dt.date = LONG_AGO, born: dt.date = dt.date(1995, 1, 1)):
    """A family whose only case closed long ago and whose children are grown up."""
    case = open_case(world)
    close_long_ago(case, closed_on=closed_on)
    _age_children(case.family, born)
    return case.family


@pytest.fixture
def due(world):
    """The household (records everywhere), its case closed in 2005, the child born 1995:
    kept until 2020 (the child's 25th birthday), so due now."""
    h = household(world)
    close_long_ago(h.case, closed_on=LONG_AGO)
    _age_children(h.case.family, dt.date(1995, 1, 1))
    return h


@pytest.fixture
def approved(world, due):
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    review = services.record_retention_decision(
        actor=world.head,
        family_id=due.case.family_id,
        decision="erase",
        reason="Past the retention period; no reason to keep",
        source="test",
    )
    services.decide_erasure(actor=admin, review_id=review.pk, approve=True, source="test")
    review.refresh_from_db()
    return review


# ---------------------------------------------------------------- the review list


def test_a_family_past_its_date_is_on_the_list_with_its_rule(world, due):
    rows = families_due_for_review()

    assert [r.family.pk for r in rows] == [due.case.family_id]
    assert rows[0].due.destroy_after == dt.date(2020, 1, 1)
    assert rows[0].due.rule == "youngest_child"


def test_families_not_yet_due_open_or_waiting_are_not_listed(world):
    recent = due_family(world, closed_on=timezone.localdate() - dt.timedelta(days=30))
    young = due_family(world, born=dt.date(2015, 1, 1))
    open_case(world)  # open
    submit(world)  # waiting for allocation

    listed = {r.family.pk for r in families_due_for_review()}

    assert recent.pk not in listed
    assert young.pk not in listed
    assert listed == set()


def test_a_request_returned_for_consent_long_ago_is_due_six_years_after(world):
    request = submit(world, consents=[])
    RequestForSupport.objects.filter(pk=request.pk).update(
        returned_at=timezone.now() - dt.timedelta(days=365 * 7)
    )
    Family.objects.filter(pk=request.family_id).update(
        created_at=timezone.now() - dt.timedelta(days=365 * 8)
    )

    rows = families_due_for_review()

    assert [r.due.rule for r in rows] == ["request_decision"]


def test_the_list_is_due_first_or_newest_first(world):
    older = due_family(world, closed_on=dt.date(2001, 1, 1), born=dt.date(1980, 1, 1))
    newer = due_family(world, closed_on=dt.date(2010, 1, 1), born=dt.date(1980, 1, 1))

    assert [r.family.pk for r in families_due_for_review()] == [older.pk, newer.pk]
    assert [r.family.pk for r in families_due_for_review(order=NEWEST_FIRST)] == [
        newer.pk,
        older.pk,
    ]


def test_the_review_list_page_reads_a_fixed_number_of_queries(client, world):
    for _ in range(2):
        due_family(world)
    client.force_login(world.head)
    client.get("/privacy/retention/")
    with CaptureQueriesContext(connection) as few:
        response = client.get("/privacy/retention/")
    for _ in range(4):
        due_family(world)
    with CaptureQueriesContext(connection) as many:
        more = client.get("/privacy/retention/")

    assert response.status_code == 200
    assert more.content.decode().count("Decide<span") == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_api_list_reads_a_fixed_number_of_queries(client, world):
    due_family(world)
    client.force_login(world.head)
    client.get("/api/v1/privacy/retention/due")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/privacy/retention/due")
    for _ in range(4):
        due_family(world)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/privacy/retention/due?order=newest")

    assert response.json()["count"] == 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_key_worker_cannot_see_the_list_and_the_refusal_is_audited(client, world, due):
    client.force_login(world.key_worker)

    page = client.get("/privacy/retention/")
    api = client.get("/api/v1/privacy/retention/due")

    assert page.status_code == 403
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.key_worker).count() == 2


# ---------------------------------------------------------------- decisions


def test_keeping_needs_a_reason_and_a_future_review_date(world, due):
    with pytest.raises(ValidationError) as error:
        services.record_retention_decision(
            actor=world.head,
            family_id=due.case.family_id,
            decision="keep",
            reason="",
            next_review_on=timezone.localdate(),
        )
    assert set(error.value.message_dict) == {"reason", "next_review_on"}


def test_a_kept_family_leaves_the_list_until_its_next_review(world, due):
    services.record_retention_decision(
        actor=world.head,
        family_id=due.case.family_id,
        decision="keep",
        reason="Subject to a court order",
        next_review_on=timezone.localdate() + dt.timedelta(days=365),
    )

    assert families_due_for_review() == []
    later = timezone.localdate() + dt.timedelta(days=366)
    assert [r.family.pk for r in families_due_for_review(today=later)] == [due.case.family_id]
    assert AuditEvent.objects.filter(
        code="privacy.retention_kept", subject_family_id=due.case.family_id
    ).exists()


def test_a_family_not_yet_due_cannot_be_decided(world):
    family = due_family(world, born=dt.date(2015, 1, 1))
    with pytest.raises(NotDueForErasure, match="must be kept until 1 January 2040"):
        services.record_retention_decision(
            actor=world.head, family_id=family.pk, decision="erase", reason="Tidy up"
        )


def test_the_proposer_cannot_approve_their_own_erasure(world, due):
    review = services.record_retention_decision(
        actor=world.head, family_id=due.case.family_id, decision="erase", reason="Due"
    )
    with pytest.raises(SamePersonCannotApprove):
        services.decide_erasure(actor=world.head, review_id=review.pk, approve=True)
    with pytest.raises(ReviewAlreadyDecided):
        services.record_retention_decision(
            actor=world.head, family_id=due.case.family_id, decision="erase", reason="Again"
        )


def test_not_approving_needs_comments(world, due):
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    review = services.record_retention_decision(
        actor=world.head, family_id=due.case.family_id, decision="erase", reason="Due"
    )
    with pytest.raises(ValidationError):
        services.decide_erasure(actor=admin, review_id=review.pk, approve=False)
    services.decide_erasure(
        actor=admin, review_id=review.pk, approve=False, comments="Litigation hold"
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    with pytest.raises(ErasureNotApproved):
        services.erase_family(actor=admin, review_id=review.pk)


# ---------------------------------------------------------------- erasure


def test_an_unapproved_erasure_is_refused(world, due):
    review = services.record_retention_decision(
        actor=world.head, family_id=due.case.family_id, decision="erase", reason="Due"
    )
    with pytest.raises(ErasureNotApproved, match="second person has approved"):
        services.erase_family(actor=world.head, review_id=review.pk)
    assert Family.objects.filter(pk=due.case.family_id).exists()


def test_erasure_removes_the_family_s_personal_data_and_keeps_the_audit_log(world, due, approved):
    family_id, case_id = due.case.family_id, due.case.pk
    family_name = due.case.family.name
    people = [due.parent.pk, due.child.pk, due.partner.pk]
    events_before = dict(AuditEvent.objects.values_list("pk", "code"))

    review = services.erase_family(actor=world.head, review_id=approved.pk, source="test")

    assert not Family.objects.filter(pk=family_id).exists()
    assert not Case.objects.filter(pk=case_id).exists()
    assert not Contact.objects.filter(case_id=case_id).exists()
    assert not RequestForSupport.objects.filter(family_id=family_id).exists()
    assert not Person.objects.filter(pk__in=people).exists()
    assert not Attendance.objects.exists()
    contact = TalkzoneContact.objects.get()
    assert contact.person_id is None
    assert contact.summary == services.ERASED_SUMMARY
    assert OutreachSession.objects.get().people_met.count() == 0
    # The audit log: every earlier event is still there, with its code.
    assert dict(AuditEvent.objects.filter(pk__in=events_before).values_list("pk", "code")) == (
        events_before
    )
    erased = AuditEvent.objects.get(code="privacy.family_erased")
    assert erased.subject_family_id == family_id
    assert family_name not in erased.object_repr
    assert family_name not in str(erased.details)
    assert "Sam" not in str(erased.details)
    assert erased.details["rows"]["cases.case"] == 1
    assert review.status == ReviewStatus.ERASED
    assert review.family_id is None
    assert review.subject_family_id == family_id


def test_a_person_also_in_another_family_is_kept(world, due, approved):
    other = Family.objects.create(name="Elsewhere")
    FamilyMember.objects.create(family=other, person=due.parent, relationship=Relationship.PARENT)

    services.erase_family(actor=world.head, review_id=approved.pk)

    assert Person.objects.filter(pk=due.parent.pk).exists()
    assert not Person.objects.filter(pk=due.child.pk).exists()
    assert not FamilyMember.objects.filter(family_id=due.case.family_id).exists()


def test_a_failure_part_way_leaves_everything_as_it_was(world, due, approved, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_erase_people", fail)

    with pytest.raises(RuntimeError):
        services.erase_family(actor=world.head, review_id=approved.pk)

    assert Case.objects.filter(pk=due.case.pk).exists()
    assert Family.objects.filter(pk=due.case.family_id).exists()
    assert TalkzoneContact.objects.get().person_id == due.parent.pk
    assert RetentionReview.objects.get(pk=approved.pk).status == ReviewStatus.APPROVED
    assert not AuditEvent.objects.filter(code="privacy.family_erased").exists()


def test_erasure_is_refused_when_the_family_is_active_again(world, due, approved):
    RequestForSupport.objects.filter(family_id=due.case.family_id).update(
        status="awaiting_allocation"
    )
    with pytest.raises(NotDueForErasure, match="open case or a request waiting"):
        services.erase_family(actor=world.head, review_id=approved.pk)


def test_others_cannot_decide_approve_or_erase_and_each_refusal_is_audited(world, approved):
    calls = [
        lambda: services.record_retention_decision(
            actor=world.manager,
            family_id=approved.subject_family_id,
            decision="keep",
            reason="x",
            next_review_on=dt.date(2099, 1, 1),
        ),
        lambda: services.decide_erasure(actor=world.manager, review_id=approved.pk, approve=True),
        lambda: services.erase_family(actor=world.manager, review_id=approved.pk),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()

    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.manager).count() == 3
    assert Family.objects.filter(pk=approved.subject_family_id).exists()


def test_the_whole_journey_on_the_web(client, world, due):
    family_id = due.case.family_id
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    client.force_login(world.head)
    form = client.get(f"/privacy/retention/families/{family_id}/")
    invalid = client.post(f"/privacy/retention/families/{family_id}/", {"decision": "keep"})
    proposed = client.post(
        f"/privacy/retention/families/{family_id}/",
        {"decision": "erase", "reason": "Past the period"},
    )
    review = RetentionReview.objects.get()
    own = client.get(f"/privacy/retention/reviews/{review.pk}/")
    client.force_login(admin)
    approve = client.post(f"/privacy/retention/reviews/{review.pk}/", {"decision": "approve"})
    erase = client.post(f"/privacy/retention/reviews/{review.pk}/erase/")
    done = client.get(f"/privacy/retention/reviews/{review.pk}/")

    assert form.status_code == 200
    assert "Give the reason for your decision" in invalid.content.decode()
    assert proposed.status_code == 302
    assert "someone else must approve it" in own.content.decode()
    assert approve.status_code == 302
    assert erase.status_code == 302
    assert "records no longer held" in done.content.decode()
    assert not Family.objects.filter(pk=family_id).exists()


def test_erasing_before_approval_on_the_web_shows_why(client, world, due):
    review = services.record_retention_decision(
        actor=world.head, family_id=due.case.family_id, decision="erase", reason="Due"
    )
    client.force_login(world.head)
    response = client.post(f"/privacy/retention/reviews/{review.pk}/erase/")
    assert response.status_code == 409
    assert "second person has approved" in response.content.decode()


def test_the_api_journey_and_its_problems(client, world, due):
    family_id = due.case.family_id
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    client.force_login(world.head)
    url = f"/api/v1/privacy/retention/families/{family_id}/decision"
    invalid = client.post(url, {"decision": "keep", "reason": "x"}, content_type="application/json")
    proposed = client.post(
        url, {"decision": "erase", "reason": "Due"}, content_type="application/json"
    )
    review_id = proposed.json()["id"]
    early = client.post(f"/api/v1/privacy/retention/reviews/{review_id}/erasure")
    own = client.post(
        f"/api/v1/privacy/retention/reviews/{review_id}/approval",
        {"approve": True},
        content_type="application/json",
    )
    client.force_login(admin)
    approved = client.post(
        f"/api/v1/privacy/retention/reviews/{review_id}/approval",
        {"approve": True},
        content_type="application/json",
    )
    erased = client.post(f"/api/v1/privacy/retention/reviews/{review_id}/erasure")
    again = client.post(f"/api/v1/privacy/retention/reviews/{review_id}/erasure")

    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "next_review_on"
    assert proposed.status_code == 201
    assert early.status_code == 409
    assert early.json()["type"] == "/api/v1/problems/erasure_not_approved"
    assert own.status_code == 409
    assert own.json()["rule"] == "erasure_needs_second_person"
    assert approved.json()["status"] == "approved"
    assert erased.status_code == 200
    assert erased.json()["family_held"] is False
    assert erased.json()["erasure_counts"]["cases.case"] == 1
    assert again.status_code == 409
    for response in (invalid, early, own, again):
        assert response["Content-Type"] == "application/problem+json"


def test_the_proposer_posting_an_approval_on_the_web_is_told_someone_else_must(client, world, due):
    review = services.record_retention_decision(
        actor=world.head, family_id=due.case.family_id, decision="erase", reason="Due"
    )
    client.force_login(world.head)

    response = client.post(f"/privacy/retention/reviews/{review.pk}/", {"decision": "approve"})

    assert response.status_code == 409
    assert "someone else must approve or reject it" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.PROPOSED


def test_a_key_worker_searching_for_a_person_is_refused_and_audited(client, world):
    client.force_login(world.key_worker)
    assert client.get("/privacy/subject-access/", {"name": "Sam"}).status_code == 403
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, actor=world.key_worker, object_type="privacy.subject_access"
    ).exists()


def test_a_person_another_family_s_request_names_is_kept(world, due, approved):
    other_request = submit(world)
    RequestMember.objects.create(request=other_request, person=due.child, is_subject=True)

    review = services.erase_family(actor=world.head, review_id=approved.pk)

    assert Person.objects.filter(pk=due.child.pk).exists()
    assert not Person.objects.filter(pk=due.parent.pk).exists()
    assert not Family.objects.filter(pk=due.case.family_id).exists()
    event = AuditEvent.objects.get(code="privacy.family_erased")
    assert event.details["people_kept_for_other_records"] == [due.child.pk]
    assert review.status == ReviewStatus.ERASED
