"""Who may open a family's record: the ``people.access_family`` rule and the
``families_visible_to`` filter say the same thing for every relationship."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.people.models import Family
from earlyhelp.people.rules import families_visible_to
from earlyhelp.workforce.models import Team
from tests.factories import FamilyFactory, TeamFactory, make_staff


@dataclass
class World:
    """One family held by a key worker in team A, and the people around them."""

    family: Family
    team: Team
    key_worker: User
    people: dict[str, User]


@pytest.fixture
def access_world(db) -> World:
    team = TeamFactory(name="Team A")
    other_team = TeamFactory(name="Team B")

    # The line above the worker, each in a team of their own so that only the line
    # management chain links them to the family.
    level_4 = make_staff(Role.LOCALITY_MANAGER)
    level_3 = make_staff(Role.LOCALITY_MANAGER, line_manager=level_4)
    level_2 = make_staff(Role.OPERATIONS_DELIVERY_LEADER, line_manager=level_3)
    level_1 = make_staff(Role.SENIOR_PRACTITIONER, line_manager=level_2)
    key_worker = make_staff(Role.KEY_WORKER, team=team, line_manager=level_1)

    # The team's manager sits in another team and is not in the worker's line.
    team_manager = make_staff(Role.OPERATIONS_DELIVERY_LEADER)
    team.manager = team_manager
    team.save()

    other_odl = make_staff(Role.OPERATIONS_DELIVERY_LEADER, team=other_team)
    other_team.manager = other_odl
    other_team.save()

    # Managing someone in the team is not managing the family's worker.
    colleagues_manager = make_staff(Role.SENIOR_PRACTITIONER)
    make_staff(Role.KEY_WORKER, team=team, line_manager=colleagues_manager)

    people = {
        "allocated key worker": key_worker,
        "key worker in the same team": make_staff(Role.KEY_WORKER, team=team),
        "business support officer in the same team": make_staff(Role.BUSINESS_SUPPORT, team=team),
        "manager of the family's team": team_manager,
        "worker's line manager": level_1,
        "line manager two levels up": level_2,
        "line manager three levels up": level_3,
        "line manager four levels up": level_4,
        "designated safeguarding officer": make_staff(Role.DSO),
        "head of service": make_staff(Role.HEAD_OF_SERVICE),
        "key worker of another team": make_staff(Role.KEY_WORKER, team=other_team),
        "operations and delivery leader of another team": other_odl,
        "business support officer of another team": make_staff(
            Role.BUSINESS_SUPPORT, team=other_team
        ),
        "quality review officer": make_staff(Role.QUALITY_REVIEW_OFFICER),
        "system administrator": make_staff(Role.SYSTEM_ADMINISTRATOR),
        "system administrator who is a superuser": make_staff(
            Role.SYSTEM_ADMINISTRATOR, is_staff=True, is_superuser=True
        ),
        "talkzone worker": make_staff(Role.TALKZONE_WORKER),
        "outreach worker": make_staff(Role.OUTREACH_WORKER),
        "line manager of a team colleague, not of the worker": colleagues_manager,
    }
    family = FamilyFactory(team=team, key_worker=key_worker)
    return World(family=family, team=team, key_worker=key_worker, people=people)


ACCESS_TABLE = [
    ("allocated key worker", True),
    ("key worker in the same team", True),
    ("business support officer in the same team", True),
    ("manager of the family's team", True),
    ("worker's line manager", True),
    ("line manager two levels up", True),
    ("line manager three levels up", True),
    ("line manager four levels up", True),
    ("designated safeguarding officer", True),
    ("head of service", True),
    ("key worker of another team", False),
    ("operations and delivery leader of another team", False),
    ("business support officer of another team", False),
    ("quality review officer", False),
    ("system administrator", False),
    ("system administrator who is a superuser", False),
    ("talkzone worker", False),
    ("outreach worker", False),
    ("line manager of a team colleague, not of the worker", False),
]


def _fresh(user: User) -> User:
    """The user as a new request would load them (no cached roles or permissions)."""
    return User.objects.get(pk=user.pk)


def _filter_sees(user: User, family: Family) -> bool:
    return Family.objects.filter(families_visible_to(user)).filter(pk=family.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("relationship", "expected"), ACCESS_TABLE)
def test_family_record_is_open_only_to_the_worker_team_managers_dsos_and_head_of_service(
    access_world, relationship, expected
):
    user = _fresh(access_world.people[relationship])
    family = Family.objects.get(pk=access_world.family.pk)

    assert user.has_perm("people.access_family", family) is expected
    assert _filter_sees(user, family) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(("relationship", "expected"), ACCESS_TABLE)
def test_access_predicate_and_visibility_filter_agree(access_world, relationship, expected):
    user = _fresh(access_world.people[relationship])
    family = Family.objects.get(pk=access_world.family.pk)

    assert user.has_perm("people.access_family", family) == _filter_sees(user, family)


@pytest.mark.django_db
def test_visibility_filter_lists_exactly_the_families_the_predicate_opens(access_world):
    other_family = FamilyFactory(team=TeamFactory(), key_worker=make_staff(Role.KEY_WORKER))
    unallocated = FamilyFactory(team=None, key_worker=None)
    families = [access_world.family, other_family, unallocated]

    for relationship, _ in ACCESS_TABLE:
        user = _fresh(access_world.people[relationship])
        by_predicate = {f.pk for f in families if user.has_perm("people.access_family", f)}
        by_filter = set(
            Family.objects.filter(families_visible_to(user))
            .filter(pk__in=[f.pk for f in families])
            .values_list("pk", flat=True)
        )
        assert by_predicate == by_filter, relationship


@pytest.mark.django_db
def test_unallocated_family_with_no_team_is_open_only_to_dsos_and_head_of_service(access_world):
    family = FamilyFactory(team=None, key_worker=None)

    for relationship, _ in ACCESS_TABLE:
        user = _fresh(access_world.people[relationship])
        expected = user.has_role(Role.DSO, Role.HEAD_OF_SERVICE)
        assert user.has_perm("people.access_family", family) is expected, relationship
        assert _filter_sees(user, family) is expected, relationship


def _chain(length: int) -> tuple[list[User], User]:
    """A key worker with ``length`` managers above them, lowest first."""
    managers: list[User] = []
    above: User | None = None
    for _ in range(length):
        above = make_staff(Role.OPERATIONS_DELIVERY_LEADER, line_manager=above)
        managers.insert(0, above)
    return managers, make_staff(Role.KEY_WORKER, line_manager=managers[0])


@pytest.mark.django_db
def test_predicate_and_filter_agree_at_every_level_of_a_long_management_chain():
    managers, key_worker = _chain(7)
    family = FamilyFactory(team=TeamFactory(), key_worker=key_worker)

    for level, manager in enumerate(managers, start=1):
        user = _fresh(manager)
        assert user.has_perm("people.access_family", family) == _filter_sees(user, family), level
    # Several levels up the line always see the family.
    for manager in managers[:4]:
        assert _fresh(manager).has_perm("people.access_family", family)


@pytest.mark.django_db
def test_a_loop_in_line_management_does_not_hang_and_still_agrees():
    first = make_staff(Role.OPERATIONS_DELIVERY_LEADER)
    second = make_staff(Role.OPERATIONS_DELIVERY_LEADER, line_manager=first)
    first.staff.line_manager = second
    first.staff.save()
    family = FamilyFactory(team=TeamFactory(), key_worker=first)
    stranger = make_staff(Role.KEY_WORKER)

    assert _fresh(second).has_perm("people.access_family", family) is True
    assert _filter_sees(_fresh(second), family) is True
    assert _fresh(stranger).has_perm("people.access_family", family) is False
    assert _filter_sees(_fresh(stranger), family) is False


@pytest.mark.django_db
def test_anonymous_user_sees_no_family(access_world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert anonymous.has_perm("people.access_family", access_world.family) is False
    assert not Family.objects.filter(families_visible_to(anonymous)).exists()
