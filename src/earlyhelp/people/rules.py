"""Who may see and change a family's record, expressed once.

Its allocated key worker and their team, the managers up the worker's line and the
team's manager, designated safeguarding officers and the head of service; nobody else.
``families_visible_to`` is the same rule as a query, for lists.
"""

from __future__ import annotations

import rules
from django.db.models import Q

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


def families_visible_to(user) -> Q:
    """The access rule as a filter on Family."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.has_role(Role.DSO, Role.HEAD_OF_SERVICE):
        return Q()
    visible = Q(key_worker=user) | Q(team__manager=user)
    if (team_id := _team_id(user)) is not None:
        visible |= Q(team_id=team_id)
    path = "key_worker__staff__line_manager"
    for _ in range(MANAGER_CHAIN_DEPTH):
        visible |= Q(**{path: user})
        path += "__staff__line_manager"
    return visible


@rules.predicate
def is_senior_practitioner(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SENIOR_PRACTITIONER)


# Two records of one person are merged by a senior practitioner.
rules.add_perm("people.merge_person", is_senior_practitioner)
