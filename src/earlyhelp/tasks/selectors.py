"""Each user's task list, and their team's for managers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from earlyhelp.accounts.roles import Role
from earlyhelp.tasks.models import Task


def tasks_for_user(*, user, include_team: bool = False) -> QuerySet[Task]:
    """Open tasks assigned to the user; with ``include_team``, a manager's team's too."""
    mine = Q(assignee=user)
    if include_team and user.has_role(
        Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE
    ):
        mine |= Q(team__manager=user) | Q(assignee__staff__line_manager=user)
    return (
        Task.objects.filter(mine, completed_at__isnull=True)
        .select_related("assignee", "case__family", "request__family", "team")
        .order_by("due_on", "pk")
    )
