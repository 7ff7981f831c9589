"""Who sees the performance dashboard and governance reports: managers, the head of
service and quality review officers. The figures are aggregate over the service; the
records behind a figure are still only those the user may open."""

from __future__ import annotations

import rules

from earlyhelp.accounts.roles import Role

REPORTING_ROLES = (
    Role.OPERATIONS_DELIVERY_LEADER,
    Role.LOCALITY_MANAGER,
    Role.HEAD_OF_SERVICE,
    Role.QUALITY_REVIEW_OFFICER,
)


@rules.predicate
def reads_performance(user) -> bool:
    return user.has_role(*REPORTING_ROLES)


rules.add_perm("reporting.view_dashboard", rules.is_authenticated & reads_performance)
rules.add_perm("reporting.generate_report", rules.is_authenticated & reads_performance)
