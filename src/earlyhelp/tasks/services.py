"""Creating and completing tasks. Other apps' services call these inside their own
transactions, so a task exists exactly when the step that needs it does."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from earlyhelp.tasks.models import Kind, Task


def create_task(
    *,
    kind: Kind,
    title: str,
    assignee=None,
    team=None,
    case=None,
    request=None,
    approval=None,
    due_on: dt.date | None = None,
) -> Task:
    """A task for one user, or for a team when nobody holds the work yet."""
    task = Task(
        kind=kind,
        title=title[:200],
        assignee=assignee,
        team=team,
        case=case,
        request=request,
        approval=approval,
        due_on=due_on,
    )
    task.full_clean()
    task.save()
    return task


def complete_tasks(*, actor, kind: Kind, case=None, request=None, approval=None) -> int:
    """Mark the open tasks of a kind for a case, request or approval as done."""
    tasks = Task.objects.filter(kind=kind, completed_at__isnull=True)
    if case is not None:
        tasks = tasks.filter(case=case)
    if request is not None:
        tasks = tasks.filter(request=request)
    if approval is not None:
        tasks = tasks.filter(approval=approval)
    return tasks.update(completed_at=timezone.now(), completed_by=actor)


def reassign_tasks(*, case=None, request=None, to_user, kinds: tuple[Kind, ...]) -> int:
    """Hand open tasks of these kinds to a user (e.g. to the worker on allocation)."""
    tasks = Task.objects.filter(kind__in=kinds, completed_at__isnull=True)
    if case is not None:
        tasks = tasks.filter(case=case)
    if request is not None:
        tasks = tasks.filter(request=request)
    return tasks.update(assignee=to_user)
