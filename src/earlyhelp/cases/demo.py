"""Synthetic casework for the demo: Requests for Support waiting (some overdue), some
returned for consent, and allocated cases at several stages, all made through the
same service functions as real work so that tasks, messages and audit events follow."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.cases import services as case_services
from earlyhelp.cases.models import Agency, SafeguardingNoteCategory
from earlyhelp.configuration.models import OutcomesStar
from earlyhelp.domain.consent import gives_own_consent
from earlyhelp.people.models import Family, Relationship
from earlyhelp.referrals import services as rfs

# A synthetic agency directory (example.org addresses: nothing is ever delivered).
DEMO_AGENCIES = (
    ("Demo Primary School", "school", "school@demo-agency.example.org"),
    ("Demo Health Visiting Team", "health visiting", "health-visiting@demo-agency.example.org"),
    ("Demo GP Practice", "general practice", "gp@demo-agency.example.org"),
    ("Demo Housing Association", "housing", "housing@demo-agency.example.org"),
    ("Demo Children's Social Care", "social care", "csc@demo-agency.example.org"),
)
REFERRERS = (
    ("Demo Primary School", "Designated safeguarding lead"),
    ("Demo Health Visiting Team", "Health visitor"),
    ("Demo GP Practice", "GP"),
    ("Demo Housing Association", "Tenancy officer"),
)
NEEDS = (
    "Parents struggling with routines and boundaries; school attendance falling.",
    "Young person's anxiety is keeping them from school; parent asking for support.",
    "Family under financial pressure after job loss; rent arrears building.",
    "New parent isolated and low in mood; baby not yet registered with a GP.",
    "Sibling conflict and a parent caring for a disabled child with little respite.",
)


@dataclass(frozen=True)
class CaseworkSummary:
    waiting: int
    returned: int
    cases: int


def _members(family: Family, *, child_consent: bool, on: dt.date) -> tuple[list, list]:
    members, consents = [], []
    parent_key = None
    memberships = list(family.memberships.select_related("person").order_by("pk"))
    for membership in memberships:
        if membership.relationship == Relationship.PARENT and parent_key is None:
            parent_key = str(membership.person_id)
    for membership in memberships:
        key = str(membership.person_id)
        is_parent = membership.relationship == Relationship.PARENT
        members.append(
            rfs.MemberInput(
                key=key,
                person_id=membership.person_id,
                relationship=membership.relationship,
                is_subject=not is_parent,
                is_parent_or_carer=is_parent,
            )
        )
        if is_parent or child_consent:
            decides_own = is_parent or gives_own_consent(membership.person.date_of_birth, on)
            consents.append(
                rfs.ConsentInput(
                    key, "share_information", True, key if decides_own else parent_key or key
                )
            )
    return members, consents


def _submit(family: Family, *, actor, rng: random.Random, days_ago: int, consent: bool):
    organisation, role = rng.choice(REFERRERS)
    received_at = timezone.now() - dt.timedelta(days=days_ago, hours=rng.randint(1, 6))
    members, consents = _members(family, child_consent=consent, on=timezone.localdate(received_at))
    return rfs.submit_request(
        actor=actor,
        route=rng.choice(["agency", "agency", "agency", "self", "mash", "step_down"]),
        received_at=received_at,
        referrer=rfs.ReferrerInput(
            name=f"Demo Referrer {rng.randint(1, 99)}",
            organisation=organisation,
            role=role,
            email="referrer@demo-agency.example.org",
        ),
        family_id=family.pk,
        members=members,
        consents=consents,
        needs=rfs.NeedsInput(presenting_needs=rng.choice(NEEDS)),
        caf=rfs.CafInput(),
        source="seed_demo",
    )


def _progress(case, *, rng: random.Random, stage: int, star: OutcomesStar | None) -> None:
    """Take a case as far as ``stage``: 0 allocated, 1 visited, 2 assessed, 3 on a plan."""
    worker = case.key_worker
    if stage < 1:
        return
    case_services.record_contact(
        actor=worker,
        case_id=case.pk,
        occurred_at=timezone.now() - dt.timedelta(minutes=rng.randint(5, 120)),
        contact_type="home_visit",
        duration_minutes=rng.choice([60, 90, 120]),
        notes="Initial visit: met the family, explained the service, began the CAF.",
    )
    if stage < 2 or star is None:
        return
    case_services.record_caf_consent(actor=worker, case_id=case.pk, given=True)
    case_services.update_assessment(
        actor=worker,
        case_id=case.pk,
        fields={
            "child_development_needs": "Sleep and school attendance.",
            "parenting_capacity_needs": "Consistent routines and boundaries.",
            "family_environment_needs": "Money worries; damp in the children's bedroom.",
            "voice_of_child": "Wants mornings to be calmer.",
            "voice_of_parents": "Would like help with the school and the landlord.",
        },
    )
    case_services.record_star_reading(
        actor=worker,
        case_id=case.pk,
        kind="baseline",
        taken_on=timezone.localdate(),
        scores={area.code: rng.randint(2, 6) for area in star.areas.all()},
    )
    case_services.complete_assessment(actor=worker, case_id=case.pk)
    # A restricted note on every assessed case, so the demo shows who may read them.
    case_services.record_safeguarding_note(
        actor=worker,
        case_id=case.pk,
        occurred_at=timezone.now() - dt.timedelta(minutes=3),
        category=SafeguardingNoteCategory.CONCERN_RAISED,
        text=(
            "School reported the younger child arrived hungry three mornings this week. "
            "Discussed with the parent, who accepted help with food; no further action "
            "beyond the plan. Talked through with the designated safeguarding officer."
        ),
    )
    if stage < 3:
        return
    case_services.record_decision(
        actor=worker,
        case_id=case.pk,
        level="2",
        case_type_code=rng.choices(["L3", "L2A", "L2B", "L2-L1"], weights=[5, 40, 50, 5])[0],
        rationale="Unmet needs and low risk: targeted support through a CAF and TAF.",
        lead_professional_id=worker.pk,
    )
    case_services.add_plan_action(
        actor=worker,
        case_id=case.pk,
        what="Agree a bedtime and morning routine and keep a simple chart.",
        who="Parent, with the key worker",
        by_when=timezone.localdate() + dt.timedelta(weeks=4),
        success_measure="Children at school on time four days out of five.",
        outcome_number=2,
    )


def seed_casework(*, families: list[Family], seed: int) -> CaseworkSummary:
    """Requests and cases for demo families: those with a key worker get a case; the
    rest wait for allocation (a few overdue) or were returned for consent."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    for name, kind, email in DEMO_AGENCIES:
        Agency.objects.get_or_create(name=name, defaults={"kind": kind, "email": email})
    star = OutcomesStar.objects.filter(is_default=True).first()
    waiting = returned = cases = 0
    for family in families:
        team = family.team
        intake = (
            team.members.filter(user__groups__name=Role.BUSINESS_SUPPORT.value)
            .select_related("user")
            .first()
        )
        actor = intake.user if intake else team.manager
        worker = family.key_worker
        if worker is None:
            if rng.random() < 0.2:
                _submit(family, actor=actor, rng=rng, days_ago=rng.randint(0, 3), consent=False)
                returned += 1
            else:
                _submit(family, actor=actor, rng=rng, days_ago=rng.randint(0, 9), consent=True)
                waiting += 1
            continue
        request = _submit(family, actor=actor, rng=rng, days_ago=rng.randint(1, 4), consent=True)
        case = rfs.allocate_request(
            actor=team.manager,
            request_id=request.pk,
            key_worker_id=worker.pk,
            reason="Demo allocation",
            source="seed_demo",
        )
        _progress(case, rng=rng, stage=rng.choice([0, 1, 1, 2, 3, 3]), star=star)
        cases += 1
    return CaseworkSummary(waiting=waiting, returned=returned, cases=cases)
