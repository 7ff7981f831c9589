"""Every service action that writes, each set up with valid arguments: ``ACTIONS`` maps
``"<app>.<function>"`` (with a bracketed variant where one function has several paths)
to a builder. A builder makes what the action needs and returns the call to test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts import services as accounts
from earlyhelp.accounts.roles import Role
from earlyhelp.allocation import services as allocation
from earlyhelp.approvals import services as approvals
from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.models import Status as ApprovalStatus
from earlyhelp.cases import services as cases
from earlyhelp.cases.models import Case, Status
from earlyhelp.centres import services as centres
from earlyhelp.centres.models import AgeBand
from earlyhelp.claims import services as claims
from earlyhelp.claims.loader import load_frameworks
from earlyhelp.configuration import services as configuration
from earlyhelp.configuration.loader import read_configuration
from earlyhelp.configuration.models import ServiceSettings, Specialism
from earlyhelp.domain.performance import parse_quarter
from earlyhelp.outreach import services as outreach
from earlyhelp.people import services as people
from earlyhelp.people.models import FamilyMember, Person, Relationship
from earlyhelp.planning import services as planning
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.privacy import services as privacy
from earlyhelp.referrals import services as rfs
from earlyhelp.reporting import services as reporting
from earlyhelp.workforce import services as workforce
from earlyhelp.workforce.models import Absence, AbsenceKind
from tests.accounts.two_factor import give_authenticator_app, give_recovery_codes
from tests.allocation.helpers import waiting
from tests.casework import (
    assessed_case,
    build_world,
    open_case,
    prepare_assessment,
    star_scores,
    submit,
)
from tests.centres.conftest import build_programme, make_run
from tests.claims.conftest import attach, sustain
from tests.configuration.helpers import LANCASHIRE
from tests.factories import PersonFactory, make_staff
from tests.outreach.conftest import build_outreach_world, contact_input, session_input
from tests.privacy.helpers import close_long_ago, household
from tests.workforce.helpers import held_case

Action = Callable[[], Any]


@dataclass(frozen=True)
class Entry:
    build: Callable[[], Action]
    # False for an action that records no audit event of its own (failed at its last
    # write only).
    audited: bool = True


ACTIONS: dict[str, Entry] = {}


def action(name: str, *, audited: bool = True):
    def register(build: Callable[[], Action]) -> Callable[[], Action]:
        assert name not in ACTIONS, name
        ACTIONS[name] = Entry(build=build, audited=audited)
        return build

    return register


def _now() -> dt.datetime:
    return timezone.now()


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- referrals


@action("referrals.submit_request")
def _():
    world = build_world()
    return lambda: submit(world)


@action("referrals.submit_request[returned for consent]")
def _():
    world = build_world()
    return lambda: submit(world, consents=[])


@action("referrals.submit_request[a CAF exists]")
def _():
    world = build_world()
    caf = rfs.CafInput(
        exists=True,
        urn="LAN-2024-000077",
        lead_professional="Jo Health",
        lead_professional_email="jo.health@example.test",
    )
    return lambda: submit(world, caf=caf)


@action("referrals.resubmit_request")
def _():
    world = build_world()
    request = submit(world, consents=[])
    parent = request.members.get(is_parent_or_carer=True).person_id
    consents = [
        rfs.ConsentInput(str(m.person_id), "share_information", True, str(parent))
        for m in request.members.all()
    ]
    return lambda: rfs.resubmit_request(
        actor=world.business_support, request_id=request.pk, consents=consents
    )


@action("referrals.withdraw_request")
def _():
    world = build_world()
    request = submit(world)
    return lambda: rfs.withdraw_request(
        actor=world.business_support, request_id=request.pk, reason="Family moved away"
    )


@action("referrals.allocate_request")
def _():
    world = build_world()
    request = submit(world)
    return lambda: rfs.allocate_request(
        actor=world.manager,
        request_id=request.pk,
        key_worker_id=world.key_worker.pk,
        reason="Has capacity",
    )


# ---------------------------------------------------------------- cases


def _case_in_assessment():
    world = build_world()
    return world, open_case(world)


def _planning_case():
    world = build_world()
    case = assessed_case(world)
    cases.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Some unmet needs, low risk: CAF/TAF",
        lead_professional_id=case.key_worker.pk,
    )
    _add_plan_action(case)
    return world, case


def _add_plan_action(case: Case):
    return cases.add_plan_action(
        actor=case.key_worker,
        case_id=case.pk,
        what="Bedtime routine",
        who="Mum",
        by_when=_today() + dt.timedelta(weeks=4),
        success_measure="Asleep by 8pm 5 nights a week",
    )


@action("cases.record_contact")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.record_contact(
        actor=case.key_worker,
        case_id=case.pk,
        occurred_at=_now(),
        contact_type="home_visit",
        duration_minutes=60,
        notes="Initial visit",
        attendee_ids=list(case.family.memberships.values_list("person_id", flat=True)),
    )


@action("cases.update_assessment")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.update_assessment(
        actor=case.key_worker,
        case_id=case.pk,
        fields={"voice_of_child": "Wants to sleep better"},
        tfu_criteria=[1, 2],
        worklessness_identified=True,
    )


@action("cases.record_caf_consent")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.record_caf_consent(actor=case.key_worker, case_id=case.pk, given=False)


@action("cases.record_consent_refusal_decision")
def _():
    world, case = _case_in_assessment()
    cases.record_caf_consent(actor=case.key_worker, case_id=case.pk, given=False)
    return lambda: cases.record_consent_refusal_decision(
        actor=world.manager, case_id=case.pk, decision="Close with signposting"
    )


@action("cases.record_employment_advisor_contact")
def _():
    _, case = _case_in_assessment()
    cases.update_assessment(actor=case.key_worker, case_id=case.pk, worklessness_identified=True)
    return lambda: cases.record_employment_advisor_contact(
        actor=case.key_worker, case_id=case.pk, outcome="made", note="Referred to the advisor"
    )


@action("cases.complete_assessment")
def _():
    _, case = _case_in_assessment()
    prepare_assessment(case)
    return lambda: cases.complete_assessment(actor=case.key_worker, case_id=case.pk)


@action("cases.record_star_reading")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.record_star_reading(
        actor=case.key_worker,
        case_id=case.pk,
        kind="baseline",
        taken_on=_today(),
        scores=star_scores(3),
    )


@action("cases.record_decision[level 1]")
def _():
    world = build_world()
    case = assessed_case(world)
    return lambda: cases.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="1",
        case_type_code="L2-L1",
        rationale="Needs can be met by universal services",
        signposted_services="Children's centre stay and play",
    )


@action("cases.record_decision[level 2]")
def _():
    world = build_world()
    case = assessed_case(world)
    return lambda: cases.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Some unmet needs, low risk: CAF/TAF",
        lead_professional_id=case.key_worker.pk,
    )


@action("cases.record_decision[level 3 escalation]")
def _():
    world = build_world()
    case = assessed_case(world)
    return lambda: cases.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="3-4",
        case_type_code="L3",
        rationale="Significant harm: referral to children's social care",
        lead_professional_id=case.key_worker.pk,
        escalation={
            "discussed_with_id": world.dso.pk,
            "discussion": "Bruising seen on visit; agreed a referral to CSC is needed",
            "csc_referral_made": True,
            "csc_reference": "CSC-12345",
            "wpehs_future_role": "Attend the strategy meeting",
        },
    )


@action("cases.add_plan_action")
def _():
    _, case = _planning_case()
    return lambda: _add_plan_action(case)


@action("cases.schedule_taf_meeting")
def _():
    world, case = _planning_case()
    return lambda: cases.schedule_taf_meeting(
        actor=case.key_worker,
        case_id=case.pk,
        scheduled_for=_now() + dt.timedelta(days=7),
        venue="Preston Primary School",
        agency_ids=[a.pk for a in world.agencies],
    )


@action("cases.submit_caf")
def _():
    _, case = _planning_case()
    return lambda: cases.submit_caf(actor=case.key_worker, case_id=case.pk)


@action("cases.submit_caf[plan needs approval]")
def _():
    _, case = _planning_case()
    ServiceSettings.objects.update(plan_needs_approval=True)
    return lambda: cases.submit_caf(actor=case.key_worker, case_id=case.pk)


@action("cases.record_review")
def _():
    _, case = _planning_case()
    progress = {a.pk: {"status": "in_progress", "note": "On track"} for a in case.actions.all()}
    return lambda: cases.record_review(
        actor=case.key_worker,
        case_id=case.pk,
        held_on=_today(),
        progress=progress,
        summary="Routine improving",
        outcome="continue",
        star_scores=star_scores(5),
    )


@action("cases.request_closure")
def _():
    _, case = _planning_case()
    return lambda: cases.request_closure(
        actor=case.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(8)
    )


@action("cases.raise_safeguarding_concern")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.raise_safeguarding_concern(
        actor=case.key_worker, case_id=case.pk, concern="Bruising seen on visit"
    )


@action("cases.record_safeguarding_outcome")
def _():
    world, case = _case_in_assessment()
    concern = cases.raise_safeguarding_concern(
        actor=case.key_worker, case_id=case.pk, concern="Bruising seen on visit"
    )
    return lambda: cases.record_safeguarding_outcome(
        actor=world.dso, concern_id=concern.pk, outcome="Referred to children's social care"
    )


@action("cases.record_safeguarding_note")
def _():
    _, case = _case_in_assessment()
    return lambda: cases.record_safeguarding_note(
        actor=case.key_worker,
        case_id=case.pk,
        text="Mum disclosed a worry about her partner",
        occurred_at=_now(),
    )


# ---------------------------------------------------------------- approvals
# Deciding an approval runs the case's handler in the same transaction
# (cases.on_level_1_closure_decided, on_case_closure_decided, on_plan_decided).


def _pending_approval(case: Case) -> Approval:
    return Approval.objects.get(case=case, status=ApprovalStatus.PENDING)


@action("approvals.decide_approval[level 1 closure approved]")
def _():
    world = build_world()
    case = assessed_case(world)
    cases.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="1",
        case_type_code="L2-L1",
        rationale="Needs can be met by universal services",
        signposted_services="Children's centre stay and play",
    )
    approval = _pending_approval(case)
    return lambda: approvals.decide_approval(
        actor=world.manager, approval_id=approval.pk, approve=True
    )


@action("approvals.decide_approval[case closure approved]")
def _():
    world, case = _planning_case()
    cases.request_closure(
        actor=case.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(8)
    )
    approval = _pending_approval(case)
    return lambda: approvals.decide_approval(
        actor=world.manager, approval_id=approval.pk, approve=True
    )


@action("approvals.decide_approval[case closure rejected]")
def _():
    world, case = _planning_case()
    cases.request_closure(
        actor=case.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores(8)
    )
    approval = _pending_approval(case)
    return lambda: approvals.decide_approval(
        actor=world.manager, approval_id=approval.pk, approve=False, comments="Not yet"
    )


@action("approvals.decide_approval[plan approved]")
def _():
    world, case = _planning_case()
    ServiceSettings.objects.update(plan_needs_approval=True)
    cases.submit_caf(actor=case.key_worker, case_id=case.pk)
    approval = _pending_approval(case)
    return lambda: approvals.decide_approval(
        actor=world.manager, approval_id=approval.pk, approve=True
    )


# ---------------------------------------------------------------- allocation


@action("allocation.propose_bulk_allocation")
def _():
    world = build_world()
    waiting(world)
    waiting(world, name="Second")
    return lambda: allocation.propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)


@action("allocation.decide_proposal_lines")
def _():
    world = build_world()
    waiting(world)
    waiting(world, name="Second")
    waiting(world, name="Third")
    proposal = allocation.propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    lines = list(proposal.lines.order_by("position"))
    decisions = [
        allocation.LineDecision(
            line_id=lines[0].pk, action="change", worker_id=world.second_worker.pk
        ),
        allocation.LineDecision(line_id=lines[1].pk, action="reject"),
        allocation.LineDecision(line_id=lines[2].pk, action="accept"),
    ]
    return lambda: allocation.decide_proposal_lines(
        actor=world.manager, proposal_id=proposal.pk, decisions=decisions
    )


# ---------------------------------------------------------------- workforce


@action("workforce.record_absence")
def _():
    world = build_world()
    monday = _today() + dt.timedelta(days=7 - _today().weekday())
    return lambda: workforce.record_absence(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        kind=AbsenceKind.ANNUAL_LEAVE,
        start_date=monday,
        end_date=monday + dt.timedelta(days=4),
        note="Summer holiday",
    )


@action("workforce.cancel_absence")
def _():
    world = build_world()
    monday = _today() + dt.timedelta(days=7 - _today().weekday())
    absence: Absence = workforce.record_absence(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        kind=AbsenceKind.SICKNESS,
        start_date=monday,
        end_date=monday + dt.timedelta(days=2),
    )
    return lambda: workforce.cancel_absence(actor=world.manager, absence_id=absence.pk)


@action("workforce.update_worker_capacity")
def _():
    world = build_world()
    Specialism.objects.create(code="send", name="SEND", matches_send=True)
    return lambda: workforce.update_worker_capacity(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        fte=Decimal("0.6"),
        protected_hours=Decimal("2.5"),
        specialism_codes=["send"],
        languages=["Urdu", "Polish"],
    )


@action("workforce.reassign_caseload")
def _():
    world = build_world()
    first = open_case(world)
    second = held_case(world.key_worker, case_type="L2B")
    assert second.status == Status.PLANNING
    return lambda: workforce.reassign_caseload(
        actor=world.manager,
        worker_id=world.key_worker.staff.pk,
        reassignments=[
            workforce.Reassignment(first.pk, world.second_worker.pk),
            workforce.Reassignment(second.pk, world.second_worker.pk),
        ],
        reason="Leaving the service",
    )


# ---------------------------------------------------------------- centres


def _weekly_session(p):
    return centres.add_programme_session(
        actor=p.manager,
        centre_id=p.enhanced.pk,
        weekday=1,
        starts_at=dt.time(10),
        ends_at=dt.time(12),
        title="Stay and play",
        room_id=p.hall.pk,
        expected_attendance=10,
    )


def _run_with_people(p, people: int = 2):
    AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4, sort_order=0)
    AgeBand.objects.create(code="adult", name="Adults", min_age=18, sort_order=1)
    start = _today() - dt.timedelta(weeks=3)
    run = make_run(p, starts_on=start - dt.timedelta(days=start.weekday()))
    persons = [PersonFactory() for _ in range(people)]
    return run, persons


@action("centres.add_programme_session")
def _():
    p = build_programme()
    return lambda: _weekly_session(p)


@action("centres.withdraw_programme_session")
def _():
    p = build_programme()
    session = _weekly_session(p)
    centres.add_to_rota(
        actor=p.manager, session_id=session.pk, staff_id=p.outreach.staff.pk, post="grade_6"
    )
    return lambda: centres.withdraw_programme_session(actor=p.manager, session_id=session.pk)


@action("centres.add_to_rota")
def _():
    p = build_programme()
    session = _weekly_session(p)
    return lambda: centres.add_to_rota(
        actor=p.manager, session_id=session.pk, staff_id=p.outreach.staff.pk, post="outreach_a"
    )


@action("centres.remove_from_rota")
def _():
    p = build_programme()
    session = _weekly_session(p)
    centres.add_to_rota(
        actor=p.manager, session_id=session.pk, staff_id=p.outreach.staff.pk, post="outreach_a"
    )
    return lambda: centres.remove_from_rota(
        actor=p.manager, session_id=session.pk, staff_id=p.outreach.staff.pk
    )


@action("centres.record_session_occurrence")
def _():
    p = build_programme()
    session = _weekly_session(p)
    today = _today()
    tuesday = today - dt.timedelta(days=(today.weekday() - 1) % 7 or 7)
    return lambda: centres.record_session_occurrence(
        actor=p.outreach,
        session_id=session.pk,
        date=tuesday,
        status="cancelled",
        cancellation_reason="Snow",
    )


@action("centres.create_group_run")
def _():
    p = build_programme()
    return lambda: make_run(p, starts_on=_today() + dt.timedelta(days=7 - _today().weekday()))


@action("centres.enrol_participant")
def _():
    p = build_programme()
    run, (person, _) = _run_with_people(p)
    return lambda: centres.enrol_participant(
        actor=p.outreach, run_id=run.pk, person_id=person.pk, consent_given=True
    )


@action("centres.record_register")
def _():
    p = build_programme()
    run, persons = _run_with_people(p)
    for person in persons:
        centres.enrol_participant(
            actor=p.outreach, run_id=run.pk, person_id=person.pk, consent_given=True
        )
    first = run.sessions.order_by("number").first()
    return lambda: centres.record_register(
        actor=p.outreach,
        session_id=first.pk,
        present_person_ids=[person.pk for person in persons],
        head_counts={"adult": 3, "0-4": 2},
    )


# ---------------------------------------------------------------- claims


def _attached(world):
    load_frameworks()
    return attach(world, attached_on=_today() - dt.timedelta(days=300))


def _adult_of(attachment):
    return FamilyMember.objects.get(family=attachment.family, relationship="parent").person


@action("claims.attach_family")
def _():
    world = build_world()
    load_frameworks()
    case = open_case(world)
    return lambda: attach(world, case=case)


@action("claims.record_progress")
def _():
    world = build_world()
    attachment = _attached(world)
    return lambda: claims.record_progress(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        need_code="crime-asb",
        recorded_on=_today(),
        status="progress",
        evidence="Police: no incidents",
    )


@action("claims.record_employment")
def _():
    world = build_world()
    attachment = _attached(world)
    return lambda: claims.record_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        person_id=_adult_of(attachment).pk,
        started_on=attachment.attached_on + dt.timedelta(days=5),
        evidence="Payslips",
    )


@action("claims.end_employment")
def _():
    world = build_world()
    attachment = _attached(world)
    episode = claims.record_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        person_id=_adult_of(attachment).pk,
        started_on=_today() - dt.timedelta(days=20),
        evidence="Payslips",
    )
    return lambda: claims.end_employment(
        actor=world.key_worker,
        attachment_id=attachment.pk,
        episode_id=episode.pk,
        ended_on=_today(),
    )


@action("claims.make_claim")
def _():
    world = build_world()
    attachment = _attached(world)
    sustain(attachment)
    return lambda: claims.make_claim(
        actor=world.head,
        attachment_id=attachment.pk,
        window_start=_today() - dt.timedelta(days=90),
        window_end=_today(),
    )


# ---------------------------------------------------------------- outreach


@action("outreach.load_outreach_lists")
def _():
    build_world()
    return lambda: outreach.load_outreach_lists(source="tests")


@action("outreach.record_outreach_session")
def _():
    ow = build_outreach_world()
    return lambda: outreach.record_outreach_session(
        actor=ow.outreach_worker,
        data=session_input(ow, people_met_ids=(ow.young_person.pk,), priority_neighbourhood=True),
    )


@action("outreach.record_talkzone_contact")
def _():
    ow = build_outreach_world()
    return lambda: outreach.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )


@action("outreach.link_contact_request")
def _():
    ow = build_outreach_world()
    contact = outreach.record_talkzone_contact(actor=ow.talkzone_worker, data=contact_input())
    request = submit(ow.world, actor=ow.talkzone_worker)
    return lambda: outreach.link_contact_request(
        actor=ow.talkzone_worker, contact_id=contact.pk, request_id=request.pk
    )


def _shift(ow):
    day = _today() + dt.timedelta(days=1)
    return outreach.add_talkzone_shift(
        actor=ow.world.head,
        worker_id=ow.talkzone_worker.staff.pk,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(14))),
        ends_at=timezone.make_aware(dt.datetime.combine(day, dt.time(18))),
    )


@action("outreach.add_talkzone_shift")
def _():
    ow = build_outreach_world()
    return lambda: _shift(ow)


@action("outreach.remove_talkzone_shift")
def _():
    ow = build_outreach_world()
    shift = _shift(ow)
    return lambda: outreach.remove_talkzone_shift(actor=ow.world.head, shift_id=shift.pk)


# ---------------------------------------------------------------- people


@action("people.create_family")
def _():
    world = build_world()
    return lambda: people.create_family(
        actor=world.business_support, name="Newfamily", postcode="PR1 2AB", team=world.team
    )


@action("people.add_family_member")
def _():
    world = build_world()
    family = open_case(world).family
    return lambda: people.add_family_member(
        actor=world.key_worker,
        family=family,
        first_name="Robin",
        last_name="Testfamily",
        relationship="child",
        date_of_birth=dt.date(2020, 2, 2),
    )


@action("people.update_family_address")
def _():
    world = build_world()
    family = open_case(world).family
    return lambda: people.update_family_address(
        actor=world.key_worker,
        family_id=family.pk,
        address_line_1="2 New Street",
        address_line_2="",
        town="Preston",
        postcode="PR2 1AA",
    )


@action("people.merge_people")
def _():
    world = build_world()
    practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=world.team)
    kept = submit(world).members.get(is_subject=True).person
    case = open_case(world)
    duplicate = case.request.members.get(is_subject=True).person
    cases.record_contact(
        actor=case.key_worker,
        case_id=case.pk,
        occurred_at=_now(),
        contact_type="home_visit",
        duration_minutes=30,
        notes="Visit",
        attendee_ids=[duplicate.pk],
    )
    return lambda: people.merge_people(
        actor=practitioner, keep_id=kept.pk, duplicate_id=duplicate.pk, reason="Same child"
    )


# ---------------------------------------------------------------- planning


def _planner_and_scenario():
    planner = make_staff(Role.LOCALITY_MANAGER, email="lm.one@example.test")
    return planner, planning.create_scenario(actor=planner, name="Growth")


@action("planning.ensure_default_scenario")
def _():
    return planning.ensure_default_scenario


@action("planning.ensure_default_scenario[inputs changed]")
def _():
    row = planning.ensure_default_scenario()
    older = {**row.inputs, "working_weeks": 40}
    PlanningScenario.objects.filter(pk=row.pk).update(inputs=older)
    return planning.ensure_default_scenario


@action("planning.create_scenario")
def _():
    planner = make_staff(Role.LOCALITY_MANAGER, email="lm.one@example.test")
    return lambda: planning.create_scenario(actor=planner, name="Winter peak", description="More")


@action("planning.copy_scenario")
def _():
    planner, scenario = _planner_and_scenario()
    planning.simulate_scenario(
        actor=planner, scenario_id=scenario.pk, replications=1, seed=1, workers_levels=[150]
    )
    return lambda: planning.copy_scenario(actor=planner, scenario_id=scenario.pk, name="My copy")


@action("planning.describe_scenario")
def _():
    planner, scenario = _planner_and_scenario()
    return lambda: planning.describe_scenario(
        actor=planner, scenario_id=scenario.pk, name="After", description="Renamed", version=1
    )


@action("planning.update_scenario_inputs")
def _():
    planner, scenario = _planner_and_scenario()
    inputs = {**scenario.inputs, "total_cases_per_year": 12000}
    return lambda: planning.update_scenario_inputs(
        actor=planner, scenario_id=scenario.pk, inputs=inputs, version=1
    )


@action("planning.simulate_scenario")
def _():
    planner, scenario = _planner_and_scenario()
    return lambda: planning.simulate_scenario(
        actor=planner, scenario_id=scenario.pk, replications=1, seed=3, workers_levels=[150]
    )


@action("planning.delete_scenario")
def _():
    planner, scenario = _planner_and_scenario()
    return lambda: planning.delete_scenario(actor=planner, scenario_id=scenario.pk)


# ---------------------------------------------------------------- reporting
# A generated report is a row and a stored file: neither may outlive a failure.


@action("reporting.generate_report")
def _():
    world = build_world()
    return lambda: reporting.generate_report(
        actor=world.head,
        locality=None,
        quarter=parse_quarter("2026Q2"),
        report_format="xlsx",
        source="test",
    )


@action("reporting.run_scheduled_reports")
def _():
    # No locality: the county's one report, in one transaction (each report of a run
    # is its own transaction, so that one failure does not undo the others).
    ServiceSettings.objects.create(council_name="Testshire County Council", urn_prefix="TST")
    return lambda: reporting.run_scheduled_reports(today=dt.date(2026, 7, 2), formats=("xlsx",))


@action("reporting.open_report")
def _():
    world = build_world()
    report = reporting.generate_report(
        actor=world.head,
        locality=None,
        quarter=parse_quarter("2026Q2"),
        report_format="xlsx",
        source="test",
    )

    def download():
        # Only the file is closed: closing the response would end a request, and with it
        # the test's database connection.
        reporting.open_report(actor=world.head, report=report, source="test").file_to_stream.close()

    return download


# ---------------------------------------------------------------- configuration


@action("configuration.load_configuration")
def _():
    data = read_configuration(LANCASHIRE)
    return lambda: configuration.load_configuration(actor=None, data=data, source="test.yaml")


# ---------------------------------------------------------------- privacy


def _due_household():
    world = build_world()
    h = household(world)
    close_long_ago(h.case, closed_on=dt.date(2005, 3, 1))
    Person.objects.filter(
        memberships__family=h.case.family, memberships__relationship=Relationship.CHILD
    ).update(date_of_birth=dt.date(1995, 1, 1))
    return world, h


@action("privacy.record_retention_decision")
def _():
    world, h = _due_household()
    return lambda: privacy.record_retention_decision(
        actor=world.head,
        family_id=h.case.family_id,
        decision="erase",
        reason="Past the retention period; no reason to keep",
    )


@action("privacy.decide_erasure")
def _():
    world, h = _due_household()
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    review = privacy.record_retention_decision(
        actor=world.head, family_id=h.case.family_id, decision="erase", reason="Due"
    )
    return lambda: privacy.decide_erasure(actor=admin, review_id=review.pk, approve=True)


@action("privacy.erase_family")
def _():
    world, h = _due_household()
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    review = privacy.record_retention_decision(
        actor=world.head, family_id=h.case.family_id, decision="erase", reason="Due"
    )
    privacy.decide_erasure(actor=admin, review_id=review.pk, approve=True)
    return lambda: privacy.erase_family(actor=world.head, review_id=review.pk)


@action("privacy.export_subject_access")
def _():
    world, h = _due_household()
    return lambda: privacy.export_subject_access(actor=world.head, person_id=h.parent.pk)


# ---------------------------------------------------------------- accounts
# The two-factor actions check the code first, outside their transaction on purpose
# (django-otp keeps its replay and throttle counters even when the change then
# fails); the check is passed here so that the change it guards is what is tested.


def _code_accepted(call: Action) -> Action:
    def run():
        with mock.patch.object(TOTPDevice, "verify_token", return_value=True):
            return call()

    return run


@action("accounts.create_staff_user")
def _():
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    return lambda: accounts.create_staff_user(
        actor=admin,
        email="new.worker@example.test",
        first_name="New",
        last_name="Worker",
        roles=[Role.KEY_WORKER],
    )


@action("accounts.issue_api_token")
def _():
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    worker = make_staff(Role.KEY_WORKER, team=None)
    return lambda: accounts.issue_api_token(actor=admin, user=worker, name="Laptop")


@action("accounts.reset_two_factor")
def _():
    admin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    worker = make_staff(Role.KEY_WORKER, team=None)
    give_authenticator_app(worker)
    give_recovery_codes(worker, ["abcd-efgh", "ijkl-mnop"])
    return lambda: accounts.reset_two_factor(actor=admin, user_id=worker.pk)


@action("accounts.confirm_totp_enrolment")
def _():
    worker = make_staff(Role.KEY_WORKER, team=None)
    accounts.start_totp_enrolment(user=worker)
    give_recovery_codes(worker, ["abcd-efgh"])
    return _code_accepted(lambda: accounts.confirm_totp_enrolment(user=worker, code="123456"))


@action("accounts.regenerate_recovery_codes")
def _():
    worker = make_staff(Role.KEY_WORKER, team=None)
    give_authenticator_app(worker)
    give_recovery_codes(worker, ["abcd-efgh", "ijkl-mnop"])
    return _code_accepted(lambda: accounts.regenerate_recovery_codes(user=worker, code="123456"))


@action("accounts.start_totp_enrolment", audited=False)
def _():
    worker = make_staff(Role.KEY_WORKER, team=None)
    return lambda: accounts.start_totp_enrolment(user=worker)


# ---------------------------------------------------------------- not in the table
# Service functions that write but are not tested on their own here, and why. The
# guard in test_atomic_actions.py fails for a writing service function that is in
# neither ACTIONS nor EXEMPT.


@dataclass(frozen=True)
class Exempt:
    reason: str
    # The ACTIONS entry whose transaction runs this function, and the audit event it
    # records there (checked, so the cover is real); empty when it writes no event.
    covered_by: str = ""
    audit_code: str = ""


_CALLER = "Runs inside its caller's transaction (documented in its docstring)"
EXEMPT: dict[str, Exempt] = {
    "cases.open_case": Exempt(
        f"{_CALLER}: allocate_request opens the case with the request locked",
        covered_by="referrals.allocate_request",
        audit_code="case.opened",
    ),
    "cases.reassign_key_worker": Exempt(
        f"{_CALLER}: reassign_caseload moves every case of a worker in one transaction",
        covered_by="workforce.reassign_caseload",
        audit_code="case.key_worker_changed",
    ),
    "approvals.request_approval": Exempt(
        f"{_CALLER}: the case step that needs sign-off asks for it",
        covered_by="cases.request_closure",
        audit_code="approval.requested",
    ),
    "cases.on_level_1_closure_decided": Exempt(
        f"{_CALLER}: an approval handler, run by decide_approval",
        covered_by="approvals.decide_approval[level 1 closure approved]",
        audit_code="case.closed",
    ),
    "cases.on_case_closure_decided": Exempt(
        f"{_CALLER}: an approval handler, run by decide_approval",
        covered_by="approvals.decide_approval[case closure rejected]",
        audit_code="case.closure_rejected",
    ),
    "cases.on_plan_decided": Exempt(
        f"{_CALLER}: an approval handler, run by decide_approval",
        covered_by="approvals.decide_approval[plan approved]",
        audit_code="caf.submitted",
    ),
    "tasks.create_task": Exempt(f"{_CALLER}: a task exists exactly when its step does"),
    "tasks.complete_tasks": Exempt(f"{_CALLER}: a task exists exactly when its step does"),
    "tasks.reassign_tasks": Exempt(f"{_CALLER}: a task exists exactly when its step does"),
    "outbox.queue_message": Exempt(f"{_CALLER}: the transactional outbox"),
    "referrals.next_urn": Exempt(f"{_CALLER}: submit_request numbers the request"),
    "outbox.attempt_send": Exempt(
        "The outbox worker, not a user action: claims, sends and records one message in "
        "one transaction of its own (tests/outbox)"
    ),
    "accounts.sync_role_groups": Exempt(
        "Run at start-up and by migrations, not a user action; idempotent, so a "
        "failure part-way is put right by the next run"
    ),
    "audit.record_write": Exempt("The audit log itself: one row"),
    "audit.record_view": Exempt("The audit log itself: one row"),
    "audit.record_search": Exempt("The audit log itself: one row"),
    "audit.record_denied": Exempt("The audit log itself: one row"),
    "audit.record_sign_in": Exempt("The audit log itself: one row"),
}
