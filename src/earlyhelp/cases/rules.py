"""Who may work on a case: whoever may open the family's record."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role


@rules.predicate
def works_on_case(user, case) -> bool:
    return user.has_perm("people.access_family", case.family)


@rules.predicate
def manages_case_worker(user, case) -> bool:
    """The worker's line manager (and up the line), the team's manager, head of service."""
    if user.has_role(Role.HEAD_OF_SERVICE):
        return True
    if case.team.manager_id == user.pk:
        return True
    staff = getattr(case.key_worker, "staff", None)
    seen: set[int] = set()
    while staff is not None and staff.line_manager_id and staff.line_manager_id not in seen:
        if staff.line_manager_id == user.pk:
            return True
        seen.add(staff.line_manager_id)
        staff = getattr(staff.line_manager, "staff", None)
    return False


@rules.predicate
def is_dso(user) -> bool:
    return user.is_authenticated and user.has_role(Role.DSO)


rules.add_perm("cases.work_on_case", rules.is_authenticated & works_on_case)
rules.add_perm("cases.manage_case", rules.is_authenticated & manages_case_worker)
rules.add_perm("cases.record_safeguarding_outcome", is_dso)
