"""A small service to test casework against: configuration rows, one district with a
team (manager, key workers, business support), a DSO, a head of service, a Star,
agencies; and helpers that take a family through the journey's early steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.cases import services as case_services
from earlyhelp.cases.models import Agency, Case
from earlyhelp.configuration.models import (
    CaseType,
    District,
    Locality,
    MarmotObjective,
    OutcomesStar,
    ServiceOutcome,
    ServiceSettings,
    StarArea,
    TargetGroup,
    TfuCriterion,
)
from earlyhelp.referrals import services as rfs
from earlyhelp.workforce.models import Team
from tests.factories import make_staff

STAR_AREAS = ("physical-health", "wellbeing", "boundaries", "routines", "home", "progress")


@dataclass
class World:
    settings: ServiceSettings
    district: District
    other_district: District
    team: Team
    other_team: Team
    manager: object
    locality_manager: object
    key_worker: object
    second_worker: object
    business_support: object
    other_worker: object
    other_manager: object
    dso: object
    head: object
    star: OutcomesStar
    agencies: list


def build_world() -> World:
    """Configuration and staff for casework tests (no YAML needed)."""
    settings = ServiceSettings.objects.create(
        council_name="Testshire County Council",
        configuration_version="test",
        caf_mailbox="caf@example.test",
        urn_prefix="TST",
    )
    locality = Locality.objects.create(code="central", name="Central")
    other_locality = Locality.objects.create(code="north", name="North")
    district = District.objects.create(
        code="preston", name="Preston", locality=locality, postcode_districts=["PR1", "PR2"]
    )
    other_district = District.objects.create(
        code="lancaster", name="Lancaster", locality=other_locality, postcode_districts=["LA1"]
    )
    for order, (code, weeks, every, slots, cycles, share) in enumerate(
        [
            ("L3", 15, 1, 15, "3", "0.05"),
            ("L2A", 12, 1, 12, "3.8", "0.40"),
            ("L2B", 12, 2, 6, "3.8", "0.50"),
            ("L2-L1", 12, 2, 6, "3.8", "0.05"),
        ]
    ):
        CaseType.objects.create(
            code=code,
            name=code,
            visit_every_weeks=every,
            weeks_of_support=weeks,
            slots_per_cycle=slots,
            cycles_per_year=Decimal(cycles),
            demand_share=Decimal(share),
            sort_order=order,
        )
    for number in range(1, 7):
        TfuCriterion.objects.create(number=number, title=f"Criterion {number}")
    for letter in "ABCDEF":
        MarmotObjective.objects.create(letter=letter, title=f"Objective {letter}")
    for number in range(1, 6):
        ServiceOutcome.objects.create(number=number, title=f"Outcome {number}")
    TargetGroup.objects.create(code="neglect", name="Experiencing neglect")
    TargetGroup.objects.create(code="workless", name="Workless")
    star = OutcomesStar.objects.create(
        code="family-star",
        name="Family Star",
        is_default=True,
        stages=[{"from": 1, "to": 5, "name": "Stuck"}, {"from": 6, "to": 10, "name": "Moving"}],
    )
    for order, code in enumerate(STAR_AREAS):
        StarArea.objects.create(star=star, code=code, name=code.title(), sort_order=order)

    head = make_staff(Role.HEAD_OF_SERVICE, team=None)
    locality_manager = make_staff(Role.LOCALITY_MANAGER, team=None, line_manager=head)
    locality_manager.staff.locality = locality
    locality_manager.staff.save()
    team = Team.objects.create(name="Preston Family Support", district=district)
    other_team = Team.objects.create(name="Lancaster Family Support", district=other_district)
    manager = make_staff(Role.OPERATIONS_DELIVERY_LEADER, team=team, line_manager=locality_manager)
    team.manager = manager
    team.save()
    other_manager = make_staff(Role.OPERATIONS_DELIVERY_LEADER, team=other_team)
    other_team.manager = other_manager
    other_team.save()
    key_worker = make_staff(Role.KEY_WORKER, team=team, line_manager=manager)
    second_worker = make_staff(Role.KEY_WORKER, team=team, line_manager=manager)
    business_support = make_staff(Role.BUSINESS_SUPPORT, team=team, line_manager=manager)
    other_worker = make_staff(Role.KEY_WORKER, team=other_team, line_manager=other_manager)
    dso = make_staff(Role.DSO, team=None)
    agencies = [
        Agency.objects.create(name="Preston Primary School", email="school@example.test"),
        Agency.objects.create(name="Health Visiting", email="hv@example.test"),
    ]
    return World(
        settings=settings,
        district=district,
        other_district=other_district,
        team=team,
        other_team=other_team,
        manager=manager,
        locality_manager=locality_manager,
        key_worker=key_worker,
        second_worker=second_worker,
        business_support=business_support,
        other_worker=other_worker,
        other_manager=other_manager,
        dso=dso,
        head=head,
        star=star,
        agencies=agencies,
    )


def members(child_dob: dt.date | None = None) -> list[rfs.MemberInput]:
    """A parent and a child, both new people."""
    return [
        rfs.MemberInput(
            key="parent",
            first_name="Sam",
            last_name="Testfamily",
            date_of_birth=dt.date(1990, 4, 1),
            relationship="parent",
            is_subject=False,
            is_parent_or_carer=True,
            confirmed_new=True,
        ),
        rfs.MemberInput(
            key="child",
            first_name="Alex",
            last_name="Testfamily",
            date_of_birth=child_dob or dt.date(2018, 6, 1),
            relationship="child",
            is_subject=True,
            confirmed_new=True,
        ),
    ]


def full_consent() -> list[rfs.ConsentInput]:
    return [
        rfs.ConsentInput("parent", "share_information", True, "parent"),
        rfs.ConsentInput("child", "share_information", True, "parent"),
    ]


def submit(
    world: World,
    *,
    consents: list[rfs.ConsentInput] | None = None,
    caf: rfs.CafInput | None = None,
    received_at: dt.datetime | None = None,
    actor=None,
    postcode: str = "PR1 2AB",
):
    """Receive a Request for Support for a new family in the world's district."""
    return rfs.submit_request(
        actor=actor or world.business_support,
        route="agency",
        received_at=received_at or timezone.now() - dt.timedelta(hours=1),
        referrer=rfs.ReferrerInput(
            name="Pat Referrer",
            organisation="Preston Primary School",
            role="Head teacher",
            email="referrer@example.test",
        ),
        address=rfs.AddressInput(
            family_name="Testfamily",
            address_line_1="1 Test Street",
            town="Preston",
            postcode=postcode,
        ),
        members=members(),
        consents=full_consent() if consents is None else consents,
        needs=rfs.NeedsInput(
            presenting_needs="Struggling with routines", target_groups=("neglect",)
        ),
        caf=caf or rfs.CafInput(),
    )


def open_case(world: World, *, worker=None) -> Case:
    """A request received with consent and allocated: the case in assessment."""
    request = submit(world)
    return rfs.allocate_request(
        actor=world.manager,
        request_id=request.pk,
        key_worker_id=(worker or world.key_worker).pk,
        reason="Has capacity",
    )


def star_scores(value: int = 4) -> dict[str, int]:
    return dict.fromkeys(STAR_AREAS, value)


def prepare_assessment(case: Case, *, consent: bool = True) -> None:
    """Initial visit, CAF consent, the four required domains and the baseline Star."""
    worker = case.key_worker
    case_services.record_contact(
        actor=worker,
        case_id=case.pk,
        occurred_at=timezone.now(),
        contact_type="home_visit",
        duration_minutes=90,
        notes="Initial visit with mum and Alex",
    )
    case_services.record_caf_consent(actor=worker, case_id=case.pk, given=consent)
    case_services.update_assessment(
        actor=worker,
        case_id=case.pk,
        fields={
            "child_development_needs": "Sleep routine",
            "parenting_capacity_needs": "Boundaries",
            "family_environment_needs": "Damp housing",
            "voice_of_child": "Wants to sleep better",
        },
    )
    case_services.record_star_reading(
        actor=worker,
        case_id=case.pk,
        kind="baseline",
        taken_on=timezone.localdate(),
        scores=star_scores(3),
    )


def assessed_case(world: World) -> Case:
    """A case whose assessment is complete: visit, consent, domains, baseline Star."""
    case = open_case(world)
    prepare_assessment(case)
    case_services.complete_assessment(actor=case.key_worker, case_id=case.pk)
    case.refresh_from_db()
    return case
