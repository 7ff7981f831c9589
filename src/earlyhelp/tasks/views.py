"""The task list: my open tasks, soonest due first, and for managers their team's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from earlyhelp.accounts.roles import MANAGER_ROLES
from earlyhelp.core.pagination import PAGE_SIZE
from earlyhelp.tasks.models import Task
from earlyhelp.tasks.selectors import tasks_for_user


@dataclass(frozen=True)
class TaskRow:
    task: Task
    href: str
    subject: str
    overdue: bool
    due_today: bool


def _row(task: Task, today: dt.date) -> TaskRow:
    """Where a task is done: the approval, else the case, else the request for support."""
    if task.case_id:
        subject = f"{task.case.family.name} family, case {task.case.urn}"
    elif task.request_id:
        subject = f"{task.request.family.name} family, request {task.request_id}"
    else:
        subject = ""
    if task.approval_id:
        href = reverse("approvals:decide", args=[task.approval_id])
    elif task.case_id:
        href = reverse("cases:detail", args=[task.case_id])
    elif task.request_id:
        # A request's page is at /requests/<id>/ (the referrals app's pages).
        href = f"/requests/{task.request_id}/"
    else:
        href = ""
    return TaskRow(
        task=task,
        href=href,
        subject=subject,
        overdue=task.due_on is not None and task.due_on < today,
        due_today=task.due_on == today,
    )


@login_required
@require_GET
def task_list(request):
    """My tasks; ``?team=1`` shows a manager their team's tasks as well."""
    is_manager = request.user.has_role(*MANAGER_ROLES)
    team = is_manager and request.GET.get("team") == "1"
    tasks = tasks_for_user(user=request.user, include_team=team)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "tasks/task_list.html",
        {
            "page": page,
            "rows": [_row(task, today) for task in page.object_list],
            "is_manager": is_manager,
            "team": team,
            "query": "team=1" if team else "",
        },
    )
