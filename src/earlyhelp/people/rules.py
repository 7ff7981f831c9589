"""Who may see and change a family's record, expressed once.

Its allocated key worker and their team, the managers up the worker's line and the
team's manager, designated safeguarding officers and the head of service; nobody else.
``families_visible_to`` is the same rule as a query, for lists.
"""

from __future__ import annotations

import rules
from django.db.models import Q, Value

from earlyhelp.accounts.roles import Role

# How far up the line-management chain a manager sees their reports' families.
MANAGER_CHAIN_DEPTH = 5


def _team_id(user) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.team_id if staff is not None else None


@rules.predicate
def is_service_wide_viewer(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DSO, Role.HEAD_OF_SERVICE)


@rules.predicate
def is_allocated_worker(user, family) -> bool:
    return family is not None and family.key_worker_id == user.pk


@rules.predicate
def is_in_family_team(user, family) -> bool:
    team_id = _team_id(user)
    return family is not None and team_id is not None and family.team_id == team_id


@rules.predicate
def manages_family_team(user, family) -> bool:
    return family is not None and family.team_id is not None and family.team.manager_id == user.pk


@rules.predicate
def is_in_manager_chain(user, family) -> bool:
    if family is None or family.key_worker_id is None:
        return False
    staff = getattr(family.key_worker, "staff", None)
    seen: set[int] = set()
    for _ in range(MANAGER_CHAIN_DEPTH):
        if staff is None or staff.line_manager_id is None or staff.line_manager_id in seen:
            return False
        if staff.line_manager_id == user.pk:
            return True
        seen.add(staff.line_manager_id)
        staff = getattr(staff.line_manager, "staff", None)
    return False


can_access_family = rules.is_authenticated & (
    is_service_wide_viewer
    | is_allocated_worker
    | is_in_family_team
    | manages_family_team
    | is_in_manager_chain
)

rules.add_perm("people.access_family", can_access_family)


def visible_workers_and_teams(user) -> tuple[list[int], list[int]]:
    """Whose families the user sees, as ids: the key workers (user ids: the user and
    everyone whose chain of line managers reaches the user within MANAGER_CHAIN_DEPTH)
    and the teams (the user's own and those they manage). One query, over the staff and
    team tables only."""
    from earlyhelp.workforce.models import StaffMember, Team

    chain, path = Q(), "line_manager"
    for _ in range(MANAGER_CHAIN_DEPTH):
        chain |= Q(**{path: user})
        path += "__staff__line_manager"
    reports = (
        StaffMember.objects.filter(chain)
        .order_by()
        .annotate(kind=Value("w"))
        .values_list("kind", "user_id")
    )
    managed = (
        Team.objects.filter(manager=user)
        .order_by()
        .annotate(kind=Value("t"))
        .values_list("kind", "pk")
    )
    workers, teams = {user.pk}, set()
    for kind, pk in reports.union(managed, all=True):
        (workers if kind == "w" else teams).add(pk)
    if (team_id := _team_id(user)) is not None:
        teams.add(team_id)
    return sorted(workers), sorted(teams)


def families_visible_to(user, *, through: str = "") -> Q:
    """The access rule as a filter on Family, or, with ``through`` (a path such as
    "memberships__family"), on a model related to families. By key worker and team ids
    worked out first, so the database filters on two indexed columns instead of joining
    up the line-management chain for every family."""
    prefix = f"{through}__" if through else ""
    if not user.is_authenticated:
        return Q(**{f"{prefix}pk__in": []})
    if user.has_role(Role.DSO, Role.HEAD_OF_SERVICE):
        return Q()
    workers, teams = visible_workers_and_teams(user)
    visible = Q(**{f"{prefix}key_worker_id__in": workers})
    if teams:
        visible |= Q(**{f"{prefix}team_id__in": teams})
    return visible


@rules.predicate
def is_senior_practitioner(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SENIOR_PRACTITIONER)


# Two records of one person are merged by a senior practitioner.
rules.add_perm("people.merge_person", is_senior_practitioner)
