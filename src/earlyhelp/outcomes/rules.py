"""Who may see outcomes figures. Everyone doing casework sees the figures of the cases
they may open; managers, the head of service and quality review officers see figures
over the whole service, which are aggregate (the cases behind a figure are still only
those the user may open)."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

OUTCOMES_ROLES = (
    Role.KEY_WORKER,
    Role.SENIOR_PRACTITIONER,
    Role.OPERATIONS_DELIVERY_LEADER,
    Role.LOCALITY_MANAGER,
    Role.DSO,
    Role.HEAD_OF_SERVICE,
    Role.QUALITY_REVIEW_OFFICER,
)
SERVICE_FIGURE_ROLES = (
    Role.OPERATIONS_DELIVERY_LEADER,
    Role.LOCALITY_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.QUALITY_REVIEW_OFFICER,
)


@rules.predicate
def does_casework_or_reviews(user) -> bool:
    return user.has_role(*OUTCOMES_ROLES)


@rules.predicate
def sees_service_figures(user) -> bool:
    return user.has_role(*SERVICE_FIGURE_ROLES)


rules.add_perm("outcomes.view_outcomes", rules.is_authenticated & does_casework_or_reviews)
rules.add_perm("outcomes.view_cohort_figures", rules.is_authenticated & sees_service_figures)
