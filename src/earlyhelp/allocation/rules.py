"""Who may propose and decide bulk allocations: the team's manager (operations and
delivery leader), the locality manager over its district, the head of service. A whole
district's queue: its locality manager or the head of service."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role
from earlyhelp.referrals.rules import allocates_for_team


@rules.predicate
def allocates_in_district(user, district) -> bool:
    if not user.is_authenticated or district is None:
        return False
    if user.has_role(Role.HEAD_OF_SERVICE):
        return True
    staff = getattr(user, "staff", None)
    return (
        user.has_role(Role.LOCALITY_MANAGER)
        and staff is not None
        and staff.locality_id is not None
        and staff.locality_id == district.locality_id
    )


@rules.predicate
def decides_proposal(user, proposal) -> bool:
    if proposal.team_id:
        return allocates_for_team(user, proposal.team)
    return allocates_in_district(user, proposal.district)


rules.add_perm("allocation.allocate_for_team", rules.is_authenticated & allocates_for_team)
rules.add_perm("allocation.allocate_in_district", allocates_in_district)
rules.add_perm("allocation.decide_proposal", rules.is_authenticated & decides_proposal)
