"""Who may see a worker's capacity and manage their availability and caseload.

A worker sees their own. The team's manager, the managers up the worker's line, the
locality manager over the team's district and the head of service see it and manage it:
record and cancel absences and reassign the caseload."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

# How far up the line-management chain a manager sees their reports (as for families).
MANAGER_CHAIN_DEPTH = 5
TEAM_MANAGER_ROLES = (Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE)


def manages_team_of(user, team) -> bool:
    """The team's manager, the locality manager over its district, the head of service."""
    if not (user.is_authenticated and user.has_role(*TEAM_MANAGER_ROLES)):
        return False
    if user.has_role(Role.HEAD_OF_SERVICE):
        return True
    if team is None:
        return False
    if team.manager_id == user.pk:
        return True
    staff = getattr(user, "staff", None)
    return (
        user.has_role(Role.LOCALITY_MANAGER)
        and staff is not None
        and staff.locality_id is not None
        and staff.locality_id == team.district.locality_id
    )


def in_line_above(user, staff) -> bool:
    """The user is the staff member's line manager, or theirs, up the chain."""
    seen: set[int] = set()
    for _ in range(MANAGER_CHAIN_DEPTH):
        if staff is None or staff.line_manager_id is None or staff.line_manager_id in seen:
            return False
        if staff.line_manager_id == user.pk:
            return True
        seen.add(staff.line_manager_id)
        staff = getattr(staff.line_manager, "staff", None)
    return False


@rules.predicate
def is_the_worker(user, staff) -> bool:
    return staff is not None and staff.user_id == user.pk


@rules.predicate
def manages_worker(user, staff) -> bool:
    if staff is None or not user.is_authenticated:
        return False
    return manages_team_of(user, staff.team) or (
        user.has_role(*TEAM_MANAGER_ROLES) and in_line_above(user, staff)
    )


@rules.predicate
def manages_team(user, team) -> bool:
    return manages_team_of(user, team)


rules.add_perm(
    "workforce.view_worker_capacity", rules.is_authenticated & (is_the_worker | manages_worker)
)
rules.add_perm("workforce.manage_worker", rules.is_authenticated & manages_worker)
rules.add_perm("workforce.view_team_capacity", rules.is_authenticated & manages_team)
