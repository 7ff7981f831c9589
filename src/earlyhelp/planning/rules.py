"""Who may plan: head of service and locality managers see every scenario, make new ones
and copy any; a scenario is changed or deleted by its owner or the head of service; the
seed's scenario by nobody."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

PLANNER_ROLES = (Role.HEAD_OF_SERVICE, Role.LOCALITY_MANAGER)


@rules.predicate
def is_planner(user) -> bool:
    return user.is_authenticated and user.has_perm("planning.view_planningscenario")


@rules.predicate
def owns_scenario(user, scenario) -> bool:
    return scenario is not None and scenario.owner_id == user.pk


@rules.predicate
def is_head_of_service(user) -> bool:
    return user.is_authenticated and user.has_role(Role.HEAD_OF_SERVICE)


@rules.predicate
def is_default_scenario(user, scenario) -> bool:
    return scenario is not None and scenario.is_default


rules.add_perm("planning.plan", is_planner)
rules.add_perm("planning.see_scenario", is_planner)
rules.add_perm(
    "planning.edit_scenario",
    is_planner & ~is_default_scenario & (owns_scenario | is_head_of_service),
)
