"""Subject access requests: everything held about a person, from every source, with
third parties and staff redacted and the redactions listed; only for the staff who
handle them; every export and every refusal on the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.approvals.models import Approval
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import (
    Decision,
    Escalation,
    PlanAction,
    Review,
    SafeguardingConcern,
    TafMeeting,
)
from earlyhelp.configuration.models import CaseType
from earlyhelp.outreach.models import OutreachSession
from earlyhelp.people.models import Person
from earlyhelp.privacy import services
from tests.casework import submit
from tests.factories import make_staff
from tests.privacy.helpers import PARTNER_FIRST, PARTNER_LAST, household

# Every kind of record the household has; each must reach the export.
SOURCES = {
    "people.person",
    "people.familymember",
    "people.family",
    "referrals.requestforsupport",
    "referrals.requestmember",
    "referrals.consent",
    "cases.case",
    "cases.contact",
    "cases.assessment",
    "cases.starreading",
    "cases.decision",
    "cases.planaction",
    "cases.tafmeeting",
    "cases.review",
    "cases.escalation",
    "cases.safeguardingconcern",
    "cases.safeguardingnote",
    "approvals.approval",
    "tasks.task",
    "outbox.outboxmessage",
    "centres.participant",
    "centres.attendance",
    "outreach.talkzonecontact",
    "outreach.outreachsession",
}


@pytest.fixture
def family(world):
    h = household(world)
    case, worker, now = h.case, world.key_worker, timezone.now()
    Decision.objects.create(
        case=case,
        level="2",
        case_type=CaseType.objects.get(code="L2A"),
        rationale="Needs a plan",
        decided_by=worker,
        decided_at=now,
    )
    PlanAction.objects.create(
        case=case,
        what="Bedtime routine",
        who="Sam",
        by_when=dt.date(2026, 12, 1),
        success_measure="Alex asleep by 8",
    )
    meeting = TafMeeting.objects.create(
        case=case, scheduled_for=now, venue="School", scheduled_by=worker
    )
    meeting.agencies.set(world.agencies)
    Review.objects.create(
        case=case,
        held_on=dt.date(2026, 11, 1),
        progress={},
        summary=f"{PARTNER_FIRST} attended",
        outcome="continue",
        recorded_by=worker,
    )
    Escalation.objects.create(
        case=case,
        discussed_with=world.dso,
        discussion="Talked it through",
        csc_referral_made=False,
        wpehs_future_role="Continue",
        recorded_by=worker,
        recorded_at=now,
    )
    SafeguardingConcern.objects.create(case=case, raised_by=worker, raised_at=now, concern="Bruise")
    Approval.objects.create(
        kind="plan",
        case=case,
        requested_by=worker,
        requested_at=now,
        approver=world.manager,
    )
    return h


def _export(world, person) -> tuple[dict, str, bytes]:
    file = services.export_subject_access(actor=world.head, person_id=person.pk, source="test")
    archive = zipfile.ZipFile(io.BytesIO(file.content))
    names = archive.namelist()
    data = json.loads(archive.read(next(n for n in names if n.endswith(".json"))))
    html = archive.read(next(n for n in names if n.endswith(".html"))).decode()
    return data, html, file.content


def test_the_export_holds_a_record_from_every_source(world, family):
    data, html, _ = _export(world, family.parent)

    assert {s["source"] for s in data["sections"]} >= SOURCES
    assert data["subject"]["name"] == "Sam Testfamily"
    assert data["audit_events"]
    checked = {s["source"] for s in data["sources_checked"]}
    assert SOURCES | {"audit.auditevent", "claims.claim"} <= checked
    assert "Records held about Sam Testfamily" in html


def test_a_new_kind_of_case_record_is_picked_up_without_listing_it(world, family):
    """The safeguarding notes (added after this export was written) are found through
    the relation to the case, and flagged for review before disclosure."""
    data, _, _ = _export(world, family.parent)

    notes = next(s for s in data["sections"] if s["source"] == "cases.safeguardingnote")
    assert notes["review_before_disclosure"] is True
    assert len(notes["records"]) == 1
    assert "cases.safeguardingnote" in data["review_before_disclosure"]


def test_third_parties_and_staff_are_redacted_and_each_redaction_is_listed(world, family):
    data, html, _ = _export(world, family.parent)
    text = json.dumps(data)

    for withheld in (
        PARTNER_FIRST,
        PARTNER_LAST,
        "Alex",
        "Pat Referrer",
        "referrer@example.test",
        world.key_worker.email,
        world.key_worker.get_full_name(),
        world.dso.get_full_name(),
    ):
        assert withheld not in text, withheld
        assert withheld not in html, withheld
    assert "Sam" in text
    assert "Testfamily" in text
    contact = next(s for s in data["sections"] if s["source"] == "cases.contact")["records"][0]
    assert contact["notes"] == "Visit with Sam and [redacted]; [redacted] asleep"
    assert {"person": "the data subject", "id": family.parent.pk} in contact["attendees"]
    assert any(a.get("redacted") for a in contact["attendees"])
    assert contact["recorded_by"].startswith("Staff member ")
    categories = {row["category"] for row in data["redactions"]["summary"]}
    assert categories == {"third_party_person", "third_party_details", "staff", "free_text"}
    assert data["redactions"]["total"] == sum(r["count"] for r in data["redactions"]["summary"])
    assert all(row["reason"] for row in data["redactions"]["summary"])
    assert "What was redacted and why" in html


def test_a_child_s_own_request_shows_the_child_and_redacts_the_parent(world, family):
    data, _, _ = _export(world, family.child)
    text = json.dumps(data)

    assert data["subject"]["name"] == "Alex Testfamily"
    assert "Alex" in text
    # The parent's first name is theirs alone; the shared surname is the child's too.
    members = next(s for s in data["sections"] if s["source"] == "people.familymember")
    assert sum(1 for m in members["records"] if m["person"].get("redacted")) == 2


def test_a_merged_duplicate_s_records_are_part_of_the_export(world, family):
    duplicate = Person.objects.create(first_name="Samuel", last_name="Testfamily")
    Person.objects.filter(pk=duplicate.pk).update(merged_into=family.parent)

    data, _, _ = _export(world, duplicate)

    assert data["subject"]["id"] == family.parent.pk
    assert data["subject"]["merged_records"] == [duplicate.pk]


def test_the_export_is_audited_with_who_whom_when_and_the_file_s_hash(world, family):
    before = timezone.now()
    _data, _, content = _export(world, family.parent)

    event = AuditEvent.objects.get(code="privacy.sar_exported")
    assert event.actor == world.head
    assert event.subject_person_id == family.parent.pk
    assert event.occurred_at >= before
    assert event.details["sha256"] == hashlib.sha256(content).hexdigest()
    assert event.details["records"] > 20
    assert PARTNER_LAST not in json.dumps(event.details)


@pytest.mark.parametrize("role", [Role.KEY_WORKER, Role.DSO, Role.QUALITY_REVIEW_OFFICER])
def test_other_roles_cannot_export_and_the_refusal_is_audited(world, family, role):
    someone = make_staff(role)

    with pytest.raises(PermissionDenied):
        services.export_subject_access(actor=someone, person_id=family.parent.pk, source="t")

    denied = AuditEvent.objects.get(kind=Kind.DENIED, actor=someone)
    assert denied.object_type == "people.person"
    assert denied.subject_person_id == family.parent.pk
    assert not AuditEvent.objects.filter(code="privacy.sar_exported").exists()


def test_a_system_administrator_may_export(world, family):
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    file = services.export_subject_access(actor=admin, person_id=family.parent.pk, source="t")
    assert file.filename.startswith(f"subject-access-{family.parent.pk}-")


def test_the_page_lists_what_will_be_included_and_the_download_is_a_zip(client, world, family):
    client.force_login(world.head)

    page = client.get(f"/privacy/subject-access/{family.parent.pk}/")
    download = client.post(f"/privacy/subject-access/{family.parent.pk}/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Safeguarding notes" in body
    assert "Review before disclosure" in body
    assert "Not searched" in body
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "attachment;" in download["Content-Disposition"]
    assert AuditEvent.objects.filter(code="privacy.sar_previewed").count() == 1


def test_the_search_finds_the_person(client, world, family):
    client.force_login(world.head)
    response = client.get("/privacy/subject-access/", {"name": "sam testfam"})
    assert response.status_code == 200
    assert f"/privacy/subject-access/{family.parent.pk}/" in response.content.decode()


def test_a_key_worker_is_refused_the_pages_and_sees_no_link(client, world, family):
    client.force_login(world.key_worker)

    assert client.get(f"/privacy/subject-access/{family.parent.pk}/").status_code == 403
    assert client.post(f"/privacy/subject-access/{family.parent.pk}/").status_code == 403
    assert client.get("/privacy/").status_code == 403
    assert 'href="/privacy/"' not in client.get("/").content.decode()
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.key_worker).count() == 3


def test_the_head_of_service_sees_the_link(client, world):
    client.force_login(world.head)
    assert 'href="/privacy/"' in client.get("/").content.decode()


def test_the_preview_reads_a_fixed_number_of_queries_however_many_records(client, world, family):
    client.force_login(world.head)
    url = f"/privacy/subject-access/{family.parent.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    contact = family.case.contacts.first()
    for _ in range(10):
        contact.pk = None
        contact.save()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_api_previews_and_exports(client, world, family):
    client.force_login(world.head)

    preview = client.get(f"/api/v1/privacy/subject-access/{family.parent.pk}")
    export = client.post(f"/api/v1/privacy/subject-access/{family.parent.pk}/export")

    assert preview.status_code == 200
    sources = {s["source"]: s["records"] for s in preview.json()["sources"]}
    assert sources["cases.safeguardingnote"] == 1
    assert export.status_code == 200
    assert export["Content-Type"] == "application/zip"


def test_the_api_refuses_others_and_missing_people_as_problems(client, world, family):
    client.force_login(world.key_worker)
    refused = client.post(f"/api/v1/privacy/subject-access/{family.parent.pk}/export")
    client.force_login(world.head)
    missing = client.get("/api/v1/privacy/subject-access/999999")

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_a_worker_has_one_label_across_records_and_other_families_links_are_redacted(world, family):
    other_request = submit(world)
    OutreachSession.objects.get().requests_for_support.set([other_request])

    data, _, _ = _export(world, family.parent)

    sections = {s["source"]: s["records"] for s in data["sections"]}
    session = sections["outreach.outreachsession"][0]
    contact = sections["cases.contact"][0]
    assert session["workers"] == [contact["recorded_by"]]
    assert session["requests_for_support"] == ["[redacted]"]
    assert other_request.pk not in {r["id"] for r in sections["referrals.requestforsupport"]}


def test_audit_events_about_the_subject_are_included_and_about_others_left_out(world, family):
    about_partner = AuditEvent.objects.create(
        actor=world.key_worker,
        actor_label=world.key_worker.email,
        kind=Kind.VIEW,
        code="person.viewed",
        object_type="people.person",
        object_id=str(family.partner.pk),
        object_repr=str(family.partner),
        subject_person_id=family.partner.pk,
    )
    about_subject = AuditEvent.objects.create(
        actor=world.key_worker,
        actor_label=world.key_worker.email,
        kind=Kind.VIEW,
        code="person.viewed",
        object_type="people.person",
        object_id=str(family.parent.pk),
        object_repr=str(family.parent),
        subject_person_id=family.parent.pk,
    )

    data, _, _ = _export(world, family.parent)

    ids = {event["id"] for event in data["audit_events"]}
    assert about_subject.pk in ids
    assert about_partner.pk not in ids
    event = next(e for e in data["audit_events"] if e["id"] == about_subject.pk)
    assert event["by"].startswith("Staff member ")
    assert world.key_worker.email not in json.dumps(data["audit_events"])


def test_a_refused_request_for_an_impossible_person_number_is_still_a_problem(client, world):
    client.force_login(world.key_worker)
    response = client.post(f"/api/v1/privacy/subject-access/{2**64}/export")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
