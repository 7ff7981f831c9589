from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Router, Schema

from earlyhelp.core.pagination import Page, paginate
from earlyhelp.tasks.selectors import tasks_for_user

router = Router(tags=["Tasks"])


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    assignee: str | None
    team: str | None
    due_on: dt.date | None
    overdue: bool
    case_id: int | None
    request_id: int | None
    approval_id: int | None


@router.get("", response=Page[TaskOut], summary="My task list")
def list_tasks(request, team: bool = False, page: int = 1):
    """Open tasks, soonest due first; `team=true` adds a manager's team's tasks."""
    today = timezone.localdate()

    def item(task):
        return TaskOut(
            id=task.pk,
            kind=task.kind,
            title=task.title,
            assignee=str(task.assignee) if task.assignee_id else None,
            team=task.team.name if task.team_id else None,
            due_on=task.due_on,
            overdue=bool(task.due_on and task.due_on < today),
            case_id=task.case_id,
            request_id=task.request_id,
            approval_id=task.approval_id,
        )

    return paginate(tasks_for_user(user=request.auth, include_team=team), page, item)
