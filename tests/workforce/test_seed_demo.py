"""The synthetic demo data: shaped like the service, reproducible, never duplicated."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent
from earlyhelp.configuration.models import District
from earlyhelp.domain.consent import age_on
from earlyhelp.domain.people import young_person_age_problem
from earlyhelp.people.models import Family, FamilyMember, Person, Relationship
from earlyhelp.people.validators import POSTCODE_RE
from earlyhelp.workforce.demo import (
    DEMO_PASSWORD,
    DemoDataAlreadyLoaded,
    demo_email,
    seed_demo,
)
from earlyhelp.workforce.models import Grade, StaffMember, Team

AS_OF = dt.date(2026, 3, 2)
CONFIGURATION = "configuration/lancashire.yaml"
# Smaller than the 120 families and 160 staff of `make run`, to keep the suite quick.
FAMILIES = 30
STAFF = 60


@pytest.fixture
def configured(db):
    call_command("load_configuration", CONFIGURATION, stdout=StringIO())
    assert District.objects.count() == 12


@pytest.fixture
def seeded(configured):
    return seed_demo(families=FAMILIES, staff=STAFF, seed=2026, as_of=AS_OF)


def _fingerprint() -> dict:
    """Everything the seed decides, keyed by natural values rather than database ids."""
    staff = sorted(
        (
            m.user.email,
            m.user.first_name,
            m.user.last_name,
            m.job_title,
            m.grade,
            str(m.fte),
            m.team.name if m.team else "",
            m.locality.code if m.locality else "",
            m.line_manager.email if m.line_manager else "",
            tuple(sorted(m.user.roles)),
        )
        for m in StaffMember.objects.select_related("user", "team", "locality", "line_manager")
    )
    families = sorted(
        (
            f.name,
            f.address_line_1,
            f.postcode,
            f.district.code,
            f.team.name,
            f.key_worker.email if f.key_worker else "",
            tuple(
                sorted(
                    (
                        fm.person.first_name,
                        fm.person.last_name,
                        fm.person.date_of_birth.isoformat(),
                        fm.person.gender,
                        fm.person.preferred_language,
                        fm.person.has_send,
                        fm.person.school_or_setting,
                        fm.relationship,
                    )
                    for fm in f.memberships.all()
                )
            ),
        )
        for f in Family.objects.select_related("district", "team", "key_worker").prefetch_related(
            "memberships__person"
        )
    )
    return {"staff": staff, "families": families}


def _remove_demo_data() -> None:
    FamilyMember.objects.filter(family__is_synthetic=True).delete()
    Family.objects.filter(is_synthetic=True).delete()
    Person.objects.filter(is_synthetic=True).delete()
    user_ids = list(StaffMember.objects.filter(is_synthetic=True).values_list("user", flat=True))
    StaffMember.objects.filter(is_synthetic=True).delete()
    Team.objects.all().delete()
    User.objects.filter(pk__in=user_ids).delete()


@pytest.mark.django_db
def test_seed_demo_makes_the_families_and_roughly_the_staff_asked_for(seeded):
    assert seeded.families == FAMILIES
    assert Family.objects.filter(is_synthetic=True).count() == FAMILIES
    assert abs(StaffMember.objects.count() - STAFF) <= 5
    assert seeded.staff == StaffMember.objects.count()
    assert seeded.people == Person.objects.count()
    assert not Person.objects.filter(is_synthetic=False).exists()
    assert not StaffMember.objects.filter(is_synthetic=False).exists()
    assert AuditEvent.objects.filter(code="demo_data.seeded").count() == 1


@pytest.mark.django_db
def test_every_district_has_a_team_led_by_its_operations_and_delivery_leader(seeded):
    for district in District.objects.all():
        team = Team.objects.get(district=district)
        assert team.name == f"{district.name} Family Support Team"
        leader = StaffMember.objects.get(user=team.manager)
        assert leader.grade == Grade.G9
        assert team.manager.has_role(Role.OPERATIONS_DELIVERY_LEADER)
        assert team.members.filter(user__groups__name=Role.KEY_WORKER).exists()


@pytest.mark.django_db
def test_staffing_is_shaped_like_the_establishment(seeded):
    def holding(role):
        return StaffMember.objects.filter(user__groups__name=role)

    assert holding(Role.HEAD_OF_SERVICE).get().grade == Grade.G14
    managers = holding(Role.LOCALITY_MANAGER)
    assert managers.count() == 5
    assert all(m.grade == Grade.G11 and m.locality_id and not m.team_id for m in managers)
    assert 2 <= holding(Role.QUALITY_REVIEW_OFFICER).count() <= 3
    assert holding(Role.DSO).exists()
    assert set(holding(Role.DSO).values_list("grade", flat=True)) == {Grade.G8}
    key_workers = holding(Role.KEY_WORKER)
    assert set(key_workers.values_list("grade", flat=True)) == {Grade.G6}
    # Key workers are the majority of team staff, and most are full time.
    assert key_workers.count() > StaffMember.objects.count() / 2 - 20
    assert key_workers.count() > holding(Role.OUTREACH_WORKER).count()
    assert key_workers.filter(fte=1).count() > key_workers.count() / 2
    assert key_workers.exclude(fte=1).exists()
    assert set(holding(Role.BUSINESS_SUPPORT).values_list("grade", flat=True)) <= {
        Grade.G4,
        Grade.G5,
    }
    talkzone = sorted(str(m.fte) for m in holding(Role.TALKZONE_WORKER))
    assert talkzone[-1] == "1.00"
    assert "0.81" in talkzone


@pytest.mark.django_db
def test_line_manager_chain_runs_from_key_worker_to_head_of_service(seeded):
    head = User.objects.get(groups__name=Role.HEAD_OF_SERVICE)
    key_workers = StaffMember.objects.filter(user__groups__name=Role.KEY_WORKER).select_related(
        "team__district", "line_manager__staff"
    )
    assert key_workers.exists()
    for worker in key_workers:
        leader = worker.line_manager
        assert leader == worker.team.manager
        manager = leader.staff.line_manager
        assert manager.has_role(Role.LOCALITY_MANAGER)
        assert manager.staff.locality_id == worker.team.district.locality_id
        assert manager.staff.line_manager == head
    assert head.staff.line_manager is None
    assert not StaffMember.objects.exclude(user=head).filter(line_manager=None).exists()


@pytest.mark.django_db
def test_every_role_has_a_demo_sign_in_that_authenticates(seeded):
    request = RequestFactory().post("/accounts/sign-in/")
    for role in Role:
        email = demo_email(role)
        assert email == f"{role.value.replace('_', '-')}@demo.earlyhelp.test"
        user = authenticate(request, username=email, password=DEMO_PASSWORD)
        assert user is not None, role
        assert user.has_role(role)
    assert User.objects.get(email="system-administrator@demo.earlyhelp.test").is_staff
    # Staff who are not demo sign-ins cannot sign in at all.
    other = StaffMember.objects.exclude(user__email__in=[demo_email(r) for r in Role]).first()
    assert not other.user.has_usable_password()


@pytest.mark.django_db
def test_demo_team_sign_ins_work_in_the_preston_team(seeded):
    team = Team.objects.get(district__code="preston")
    for role in (Role.KEY_WORKER, Role.SENIOR_PRACTITIONER, Role.BUSINESS_SUPPORT):
        member = StaffMember.objects.get(user__email=demo_email(role))
        assert member.team == team
        assert member.line_manager == team.manager
    assert team.manager.email == demo_email(Role.OPERATIONS_DELIVERY_LEADER)
    locality_manager = StaffMember.objects.get(user__email=demo_email(Role.LOCALITY_MANAGER))
    assert locality_manager.locality == team.district.locality
    key_worker = User.objects.get(email=demo_email(Role.KEY_WORKER))
    assert key_worker.families.count() >= 5


@pytest.mark.django_db
def test_about_sixty_percent_of_families_are_allocated_to_their_districts_key_workers(seeded):
    families = list(Family.objects.select_related("district", "team", "key_worker__staff__team"))
    allocated = [f for f in families if f.key_worker_id]
    assert len(allocated) == round(0.6 * FAMILIES)
    assert seeded.allocated_families == len(allocated)
    for family in families:
        assert family.team.district_id == family.district_id
        assert family.town == family.district.name
        if family.key_worker_id:
            assert family.key_worker.staff.team == family.team
            assert family.key_worker.has_role(Role.KEY_WORKER)
    assert len({f.district_id for f in families}) >= 9  # spread across the districts


@pytest.mark.django_db
def test_family_postcodes_are_in_their_district(seeded):
    for family in Family.objects.select_related("district"):
        assert POSTCODE_RE.match(family.postcode), family.postcode
        outward = family.postcode.split(" ")[0]
        assert outward in family.district.postcode_districts
        assert set(family.members.values_list("postcode", flat=True)) == {family.postcode}


@pytest.mark.django_db
def test_children_are_0_to_19_or_up_to_25_with_send(seeded):
    memberships = FamilyMember.objects.select_related("person")
    children = [m.person for m in memberships if m.relationship == Relationship.CHILD]
    adults = [m.person for m in memberships if m.relationship == Relationship.PARENT]
    assert children
    assert adults
    for child in children:
        age = age_on(child.date_of_birth, AS_OF)
        assert 0 <= age <= 25
        if age > 19:
            assert child.has_send
        problem = young_person_age_problem(
            child.date_of_birth, has_send=child.has_send, today=AS_OF
        )
        assert problem is None
    for adult in adults:
        assert 18 <= age_on(adult.date_of_birth, AS_OF) <= 60
    for family in Family.objects.prefetch_related("memberships"):
        relationships = [m.relationship for m in family.memberships.all()]
        assert 1 <= relationships.count(Relationship.PARENT) <= 2
        assert 1 <= relationships.count(Relationship.CHILD) <= 4


@pytest.mark.django_db
def test_demo_families_are_varied(seeded):
    people = Person.objects.all()
    assert people.filter(interpreter_needed=True).exists()
    languages = set(people.values_list("preferred_language", flat=True)) - {"English"}
    assert languages
    assert languages <= {"Urdu", "Polish", "Gujarati", "Punjabi", "Romanian", "Bengali"}
    assert people.filter(has_send=True).exists()
    assert len(set(people.values_list("gender", flat=True))) >= 2
    school_age = [
        p
        for p in people.filter(memberships__relationship=Relationship.CHILD)
        if 5 <= age_on(p.date_of_birth, AS_OF) <= 15
    ]
    assert school_age
    assert all(p.school_or_setting for p in school_age)


@pytest.mark.django_db
def test_same_seed_and_date_make_identical_data(configured):
    seed_demo(families=20, staff=40, seed=7, as_of=AS_OF)
    first = _fingerprint()
    _remove_demo_data()
    assert not StaffMember.objects.exists()
    seed_demo(families=20, staff=40, seed=7, as_of=AS_OF)
    assert _fingerprint() == first
    _remove_demo_data()
    seed_demo(families=20, staff=40, seed=8, as_of=AS_OF)
    assert _fingerprint() != first


@pytest.mark.django_db
def test_seed_demo_refuses_to_seed_twice(seeded):
    with pytest.raises(DemoDataAlreadyLoaded):
        seed_demo(families=5, staff=160, seed=1, as_of=AS_OF)


@pytest.mark.django_db
def test_seed_demo_command_loads_once_and_then_changes_nothing(configured):
    out = StringIO()
    call_command(
        "seed_demo", "--families=30", "--staff=60", "--seed=3", "--as-of=2026-03-02", stdout=out
    )
    assert "30 families" in out.getvalue()
    counts = (Family.objects.count(), StaffMember.objects.count(), User.objects.count())
    out = StringIO()
    call_command("seed_demo", "--families=30", "--staff=60", "--seed=3", stdout=out)
    assert "Demo data already loaded" in out.getvalue()
    assert (Family.objects.count(), StaffMember.objects.count(), User.objects.count()) == counts


@pytest.mark.django_db
def test_seed_demo_command_needs_the_configuration_loaded():
    with pytest.raises(CommandError, match="load_configuration"):
        call_command("seed_demo", "--families=5", "--staff=60", stdout=StringIO())
    assert not StaffMember.objects.exists()


@pytest.mark.django_db
def test_seed_demo_command_says_how_many_staff_are_needed(configured):
    with pytest.raises(CommandError, match="At least"):
        call_command("seed_demo", "--families=5", "--staff=10", stdout=StringIO())
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_sign_ins_lists_every_role_and_the_password_once(seeded):
    out = StringIO()
    call_command("demo_sign_ins", stdout=out)
    text = out.getvalue()
    for role in Role:
        assert role.label in text
        assert demo_email(role) in text
    assert text.count(DEMO_PASSWORD) == 1
    assert "http://127.0.0.1:8000/" in text
    assert "synthetic" in text


@pytest.mark.django_db
def test_demo_sign_ins_says_when_there_are_none():
    out = StringIO()
    call_command("demo_sign_ins", stdout=out)
    assert "No demo sign-ins" in out.getvalue()
    assert DEMO_PASSWORD not in out.getvalue()


def _capacity_fingerprint() -> list:
    from earlyhelp.workforce.models import Absence

    staff = sorted(
        (
            m.user.email,
            str(m.protected_hours),
            tuple(m.languages),
            tuple(sorted(s.code for s in m.specialisms.all())),
        )
        for m in StaffMember.objects.select_related("user").prefetch_related("specialisms")
    )
    absences = sorted(
        (a.worker.user.email, a.kind, a.start_date.isoformat(), a.end_date.isoformat())
        for a in Absence.objects.select_related("worker__user")
    )
    return [staff, absences]


def test_demo_caseworkers_have_specialisms_languages_and_some_absences(configured):
    from earlyhelp.workforce.models import Absence

    seed_demo(families=20, staff=80, seed=11, as_of=AS_OF)
    caseworkers = StaffMember.objects.filter(
        user__groups__name__in=[Role.KEY_WORKER.value, Role.SENIOR_PRACTITIONER.value]
    ).distinct()

    assert caseworkers.exists()
    for staff in caseworkers.prefetch_related("specialisms"):
        assert len(staff.specialisms.all()) == 2
    assert caseworkers.exclude(languages=[]).exists()
    assert Absence.objects.exists()
    for absence in Absence.objects.select_related("worker__team"):
        assert absence.start_date <= absence.end_date
        assert absence.worker.team is not None
    first = _capacity_fingerprint()
    _remove_demo_data()
    seed_demo(families=20, staff=80, seed=11, as_of=AS_OF)
    assert _capacity_fingerprint() == first
