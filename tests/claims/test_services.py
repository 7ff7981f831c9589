"""The claims services: attaching (eligible or refused with the reason), progress,
employment, making a claim once only; who may do each; what goes on the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.claims import selectors, services
from earlyhelp.claims.errors import (
    AlreadyAttached,
    AlreadyClaimed,
    ClaimNotDue,
    NoEmploymentRoute,
    NotEligible,
)
from earlyhelp.claims.models import Attachment, Claim, NeedProgress
from earlyhelp.domain.claims import ClaimRoute
from earlyhelp.people.models import FamilyMember
from tests.casework import open_case
from tests.claims.conftest import SF, SF_NEEDS, TF, attach, sustain, today

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- attaching


def test_key_worker_attaches_an_eligible_family_with_evidence_per_need(world, frameworks):
    attachment = attach(world)
    assert attachment.framework.code == TF
    assert [(n.need.code, n.evidence) for n in attachment.needs.select_related("need")] == [
        ("crime-asb", "Evidence for crime-asb"),
        ("school-attendance", "Evidence for school-attendance"),
    ]
    event = AuditEvent.objects.get(code="claims.family_attached")
    assert event.actor == world.key_worker
    assert event.subject_case_id == attachment.case_id
    assert event.details["needs"] == ["crime-asb", "school-attendance"]


def test_the_active_framework_is_used_when_none_is_named(world, frameworks):
    case = open_case(world)
    attachment = services.attach_family(
        actor=world.key_worker,
        case_id=case.pk,
        needs={"crime-asb": "Police report", "health": "GP letter"},
        attached_on=today(),
    )
    assert attachment.framework == frameworks[TF]


def test_an_ineligible_family_is_refused_with_the_reason_and_nothing_is_written(world, frameworks):
    case = open_case(world)
    with pytest.raises(NotEligible) as error:
        services.attach_family(
            actor=world.key_worker,
            case_id=case.pk,
            needs={"crime-asb": "Police report"},
            attached_on=today(),
        )
    assert "at least 2 needs must be identified (1 identified)" in error.value.message
    assert error.value.field == "needs"
    assert not Attachment.objects.exists()


def test_supporting_families_refuses_three_needs_under_two_headlines(world, frameworks):
    case = open_case(world)
    with pytest.raises(NotEligible, match=r"at least 3 different headlines \(2 covered\)"):
        attach(
            world,
            case=case,
            framework=SF,
            needs=("education-attendance", "education-exclusion", "housing-homeless"),
        )
    assert attach(world, case=case, framework=SF, needs=SF_NEEDS).framework.code == SF


def test_each_need_needs_its_evidence(world, frameworks):
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        services.attach_family(
            actor=world.key_worker,
            case_id=case.pk,
            needs={"crime-asb": "Police report", "health": "  "},
            attached_on=today(),
        )
    assert error.value.message_dict == {
        "evidence.health": [
            "Enter the evidence for: " + ("Parents or children with a range of health problems")
        ]
    }


def test_attachment_date_cannot_be_in_the_future_or_before_the_programme(world, frameworks):
    case = open_case(world)
    with pytest.raises(ValidationError, match="today or in the past"):
        attach(world, case=case, attached_on=today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="on or after 1 April 2022"):
        attach(world, case=case, framework=SF, needs=SF_NEEDS, attached_on=dt.date(2022, 3, 31))


def test_a_family_is_attached_once_per_framework(world, frameworks):
    attachment = attach(world)
    with pytest.raises(AlreadyAttached):
        attach(world, case=attachment.case)
    # ... but may also be attached to the other framework.
    assert attach(world, case=attachment.case, framework=SF, needs=SF_NEEDS).pk


def test_a_worker_from_another_team_cannot_attach_and_the_refusal_is_audited(world, frameworks):
    case = open_case(world)
    with pytest.raises(PermissionDenied):
        attach(world, case=case, actor=world.other_worker)
    denied = AuditEvent.objects.get(kind=Kind.DENIED)
    assert (denied.actor, denied.object_type, denied.object_id) == (
        world.other_worker,
        "cases.case",
        str(case.pk),
    )


def test_a_team_colleague_who_is_not_the_key_worker_cannot_record(world, frameworks):
    attachment = attach(world)
    with pytest.raises(PermissionDenied):
        services.record_progress(
            actor=world.second_worker,
            attachment_id=attachment.pk,
            need_code="crime-asb",
            recorded_on=today(),
            status="progress",
            evidence="Seen",
        )


def test_the_key_workers_managers_record_progress(world, frameworks):
    attachment = attach(world)
    for manager in (world.manager, world.locality_manager, world.head):
        services.record_progress(
            actor=manager,
            attachment_id=attachment.pk,
            need_code="crime-asb",
            recorded_on=today(),
            status="progress",
            evidence=f"Seen by {manager}",
        )
    assert NeedProgress.objects.count() == 3


# ---------------------------------------------------------------- progress


def test_sustained_needs_progress_before_it(world, frameworks):
    attachment = attach(world)
    with pytest.raises(ValidationError, match="Record the progress first"):
        services.record_progress(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            need_code="crime-asb",
            recorded_on=today(),
            status="sustained",
            evidence="Still fine",
        )


def test_progress_is_dated_from_the_attachment_and_on_an_identified_need(world, frameworks):
    attachment = attach(world)
    with pytest.raises(ValidationError, match="on or after the attachment"):
        services.record_progress(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            need_code="crime-asb",
            recorded_on=attachment.attached_on - dt.timedelta(days=1),
            status="progress",
            evidence="Seen",
        )
    with pytest.raises(ValidationError, match="identified needs"):
        services.record_progress(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            need_code="health",
            recorded_on=today(),
            status="progress",
            evidence="Seen",
        )


def test_progress_is_audited_on_the_case_chronology(world, frameworks):
    attachment = attach(world)
    services.record_progress(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        need_code="crime-asb",
        recorded_on=today(),
        status="progress",
        evidence="Police: no incidents",
    )
    event = AuditEvent.objects.get(code="claims.progress_recorded")
    assert (event.subject_case_id, event.subject_family_id) == (
        attachment.case_id,
        attachment.family_id,
    )
    assert event.details["status"] == "progress"


def test_a_family_that_regresses_is_no_longer_claimable_until_sustained_again(world, frameworks):
    attachment = attach(world, attached_on=today() - dt.timedelta(days=600))
    sustained_on = sustain(attachment)
    row = selectors.attachment_with_records(attachment_id=attachment.pk)
    assert selectors.assess(row, as_of=today()).due_on == sustained_on

    services.record_progress(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        need_code="school-attendance",
        recorded_on=sustained_on + dt.timedelta(days=1),
        status="regressed",
        evidence="Attendance fell to 70%",
    )
    row = selectors.attachment_with_records(attachment_id=attachment.pk)
    assert not selectors.assess(row, as_of=today()).due
    with pytest.raises(ClaimNotDue, match="Not yet sustained: school-attendance"):
        services.make_claim(
            actor=world.head,
            attachment_id=attachment.pk,
            window_start=today() - dt.timedelta(days=30),
            window_end=today(),
        )

    again = sustained_on + dt.timedelta(days=2)
    sustain(attachment, needs=["school-attendance"], progress_on=again)
    row = selectors.attachment_with_records(attachment_id=attachment.pk)
    assert selectors.assess(row, as_of=today()).due


# ---------------------------------------------------------------- employment


def _adult(attachment: Attachment):
    return FamilyMember.objects.get(family=attachment.family, relationship="parent").person


def test_continuous_employment_makes_a_claim_due_after_26_weeks(world, frameworks):
    attachment = attach(world, attached_on=today() - dt.timedelta(days=250))
    started = attachment.attached_on + dt.timedelta(days=5)
    services.record_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        person_id=_adult(attachment).pk,
        started_on=started,
        evidence="Payslips",
    )
    row = selectors.attachment_with_records(attachment_id=attachment.pk)
    result = selectors.assess(row, as_of=today())
    assert (result.route, result.due_on) == (
        ClaimRoute.EMPLOYMENT,
        started + dt.timedelta(days=181),
    )
    assert AuditEvent.objects.filter(code="claims.employment_recorded").count() == 1


def test_employment_is_for_adults_of_the_family(world, frameworks):
    attachment = attach(world)
    child = FamilyMember.objects.get(family=attachment.family, relationship="child").person
    with pytest.raises(ValidationError, match="was not an adult"):
        services.record_employment(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            person_id=child.pk,
            started_on=today(),
            evidence="Paper round",
        )
    other = attach(world)
    stranger = _adult(other)
    with pytest.raises(ValidationError, match="member of the family"):
        services.record_employment(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            person_id=stranger.pk,
            started_on=today(),
            evidence="Payslips",
        )


def test_supporting_families_has_no_employment_route(world, frameworks):
    attachment = attach(world, framework=SF, needs=SF_NEEDS)
    with pytest.raises(NoEmploymentRoute):
        services.record_employment(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            person_id=_adult(attachment).pk,
            started_on=today(),
            evidence="Payslips",
        )


def test_ending_a_spell_of_work(world, frameworks):
    attachment = attach(world)
    episode = services.record_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        person_id=_adult(attachment).pk,
        started_on=today() - dt.timedelta(days=20),
        evidence="Payslips",
    )
    with pytest.raises(ValidationError, match="on or after the start"):
        services.end_employment(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            episode_id=episode.pk,
            ended_on=today() - dt.timedelta(days=21),
        )
    services.end_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        episode_id=episode.pk,
        ended_on=today(),
    )
    episode.refresh_from_db()
    assert episode.ended_on == today()


# ---------------------------------------------------------------- claims


def _claimable(world) -> Attachment:
    attachment = attach(world, attached_on=today() - dt.timedelta(days=300))
    sustain(attachment)
    return attachment


def test_head_of_service_makes_a_claim_with_its_evidence_and_it_is_audited(world, frameworks):
    attachment = _claimable(world)
    claim = services.make_claim(
        actor=world.head,
        attachment_id=attachment.pk,
        window_start=today() - dt.timedelta(days=90),
        window_end=today(),
        source="test",
    )
    assert claim.route == ClaimRoute.PROGRESS
    assert [n["code"] for n in claim.evidence["needs"]] == ["crime-asb", "school-attendance"]
    assert claim.evidence["needs"][0]["evidence"] == [
        "Progress on crime-asb",
        "Sustained on crime-asb",
    ]
    event = AuditEvent.objects.get(code="claims.claim_made")
    assert (event.actor, event.subject_family_id, event.subject_case_id) == (
        world.head,
        attachment.family_id,
        attachment.case_id,
    )


def test_a_family_is_never_claimed_twice_under_one_framework(world, frameworks):
    attachment = _claimable(world)
    window = {"window_start": today() - dt.timedelta(days=90), "window_end": today()}
    services.make_claim(actor=world.manager, attachment_id=attachment.pk, **window)
    with pytest.raises(AlreadyClaimed):
        services.make_claim(actor=world.head, attachment_id=attachment.pk, **window)
    assert Claim.objects.count() == 1
    # Progress on a claimed family is settled.
    with pytest.raises(AlreadyClaimed):
        services.record_progress(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            need_code="crime-asb",
            recorded_on=today(),
            status="regressed",
            evidence="Late",
        )


def test_the_database_refuses_a_second_claim_for_a_family_and_framework(world, frameworks):
    attachment = _claimable(world)
    claim = services.make_claim(
        actor=world.head,
        attachment_id=attachment.pk,
        window_start=today() - dt.timedelta(days=90),
        window_end=today(),
    )
    other = attach(world, framework=SF, needs=SF_NEEDS, case=attachment.case)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            attachment=other,
            family=claim.family,
            framework=claim.framework,
            route=claim.route,
            due_on=claim.due_on,
            window_start=claim.window_start,
            window_end=claim.window_end,
            evidence={},
            claimed_by=world.head,
            claimed_at=claim.claimed_at,
        )


def test_a_claim_that_is_not_due_by_the_window_end_is_refused(world, frameworks):
    attachment = _claimable(world)
    row = selectors.attachment_with_records(attachment_id=attachment.pk)
    due_on = selectors.assess(row, as_of=today()).due_on
    with pytest.raises(ClaimNotDue):
        services.make_claim(
            actor=world.head,
            attachment_id=attachment.pk,
            window_start=due_on - dt.timedelta(days=30),
            window_end=due_on - dt.timedelta(days=1),
        )
    claim = services.make_claim(
        actor=world.head,
        attachment_id=attachment.pk,
        window_start=due_on,
        window_end=due_on,
    )
    assert claim.due_on == due_on


def test_key_workers_cannot_make_claims_and_the_refusal_is_audited(world, frameworks):
    attachment = _claimable(world)
    with pytest.raises(PermissionDenied):
        services.make_claim(
            actor=world.key_worker,
            attachment_id=attachment.pk,
            window_start=today() - dt.timedelta(days=90),
            window_end=today(),
        )
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, object_type="claims.attachment", actor=world.key_worker
    ).exists()


def test_a_manager_of_another_team_cannot_claim_for_a_family_they_cannot_see(world, frameworks):
    attachment = _claimable(world)
    with pytest.raises(PermissionDenied):
        services.make_claim(
            actor=world.other_manager,
            attachment_id=attachment.pk,
            window_start=today() - dt.timedelta(days=90),
            window_end=today(),
        )


def test_the_window_must_be_in_order_and_not_in_the_future(world, frameworks):
    attachment = _claimable(world)
    with pytest.raises(ValidationError, match="end on or after its start"):
        services.make_claim(
            actor=world.head,
            attachment_id=attachment.pk,
            window_start=today(),
            window_end=today() - dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="cannot end in the future"):
        services.make_claim(
            actor=world.head,
            attachment_id=attachment.pk,
            window_start=today(),
            window_end=today() + dt.timedelta(days=1),
        )
