"""Who may take and allocate Requests for Support."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

INTAKE_ROLES = (
    Role.BUSINESS_SUPPORT,
    Role.KEY_WORKER,
    Role.SENIOR_PRACTITIONER,
    Role.OPERATIONS_DELIVERY_LEADER,
    Role.LOCALITY_MANAGER,
    Role.TALKZONE_WORKER,
    Role.HEAD_OF_SERVICE,
)
ALLOCATOR_ROLES = (Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE)


@rules.predicate
def takes_requests(user) -> bool:
    return user.is_authenticated and user.has_role(*INTAKE_ROLES)


@rules.predicate
def allocates_for_team(user, team) -> bool:
    """Team managers, the locality manager over the team's district, head of service."""
    if not (user.is_authenticated and user.has_role(*ALLOCATOR_ROLES)):
        return False
    if user.has_role(Role.HEAD_OF_SERVICE) or team is None:
        return user.has_role(Role.HEAD_OF_SERVICE)
    if team.manager_id == user.pk:
        return True
    staff = getattr(user, "staff", None)
    return (
        user.has_role(Role.LOCALITY_MANAGER)
        and staff is not None
        and staff.locality_id is not None
        and staff.locality_id == team.district.locality_id
    )


rules.add_perm("referrals.submit_request", takes_requests)
rules.add_perm("referrals.allocate_for_team", allocates_for_team)


@rules.predicate
def in_request_team(user, request) -> bool:
    staff = getattr(user, "staff", None)
    return staff is not None and staff.team_id is not None and staff.team_id == request.team_id


@rules.predicate
def allocates_request(user, request) -> bool:
    return allocates_for_team(user, request.team)


@rules.predicate
def sees_request_family(user, request) -> bool:
    return user.has_perm("people.access_family", request.family)


rules.add_perm(
    "referrals.access_request",
    rules.is_authenticated & (in_request_team | allocates_request | sees_request_family),
)
rules.add_perm("referrals.allocate_request", rules.is_authenticated & allocates_request)
