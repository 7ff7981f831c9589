"""The task list: my open tasks soonest due first, overdue ones tagged, managers' team
view, and a query count that does not grow with the number of tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from earlyhelp.approvals.models import Approval
from earlyhelp.tasks.models import Kind
from earlyhelp.tasks.services import create_task
from tests.casework import open_case, submit


@pytest.mark.django_db
def test_my_tasks_link_to_their_case_and_tag_the_overdue(client, world):
    case = open_case(world)
    late = create_task(
        kind=Kind.REVIEW,
        title="Late review",
        assignee=world.key_worker,
        case=case,
        due_on=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(world.key_worker)

    response = client.get(reverse("tasks:list"))

    assert response.status_code == 200
    content = response.content.decode()
    assert escape(f"Initial visit to the {case.family.name} family") in content
    assert reverse("cases:detail", args=[case.pk]) in content
    rows = {row.task.pk: row for row in response.context["rows"]}
    assert rows[late.pk].overdue
    assert content.count('govuk-tag--red">Overdue') == 1
    # Soonest due first: the overdue task leads.
    assert response.context["rows"][0].task == late


@pytest.mark.django_db
def test_tasks_link_to_requests_and_approvals(client, world):
    request = submit(world)
    create_task(kind=Kind.ALLOCATE, title="Allocate", assignee=world.manager, request=request)
    case = open_case(world)
    approval = Approval.objects.create(
        kind="case_closure",
        case=case,
        requested_by=world.key_worker,
        requested_at=timezone.now(),
        approver=world.manager,
    )
    create_task(
        kind=Kind.APPROVE,
        title="Approve closure",
        assignee=world.manager,
        approval=approval,
        case=case,
    )
    client.force_login(world.manager)

    content = client.get(reverse("tasks:list")).content.decode()

    assert f'href="/requests/{request.pk}/"' in content
    assert f'href="{reverse("approvals:decide", args=[approval.pk])}"' in content


@pytest.mark.django_db
def test_a_manager_sees_their_teams_tasks(client, world):
    case = open_case(world)
    client.force_login(world.manager)

    mine = client.get(reverse("tasks:list"))
    team = client.get(reverse("tasks:list"), {"team": "1"})

    title = escape(f"Initial visit to the {case.family.name} family")
    assert title not in mine.content.decode()
    assert title in team.content.decode()
    assert '<h1 class="govuk-heading-l">My team\'s tasks</h1>' in team.content.decode()
    assert escape(world.key_worker.get_full_name()) in team.content.decode()


@pytest.mark.django_db
def test_a_key_worker_asking_for_the_team_view_sees_only_their_own(client, world):
    open_case(world, worker=world.second_worker)
    client.force_login(world.key_worker)

    response = client.get(reverse("tasks:list"), {"team": "1"})

    assert response.context["team"] is False
    assert response.context["rows"] == []
    assert "You have no open tasks." in response.content.decode()


def _tasks(world, count: int) -> None:
    """Tasks of each kind of link: a case, a request, an approval."""
    case = open_case(world)
    request = submit(world)
    approval = Approval.objects.create(
        kind="plan",
        case=case,
        requested_by=world.manager,
        requested_at=timezone.now(),
        approver=world.key_worker,
    )
    today = timezone.localdate()
    for number in range(count):
        links = [{"case": case}, {"request": request}, {"approval": approval, "case": case}]
        create_task(
            kind=Kind.REVIEW,
            title=f"Task {number}",
            assignee=world.key_worker,
            due_on=today + dt.timedelta(days=number - 2),
            **links[number % 3],
        )


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tasks:list"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_task_list_query_count_does_not_grow_with_tasks(client, world):
    client.force_login(world.key_worker)
    _tasks(world, 3)
    _list_queries(client)
    three = _list_queries(client)

    _tasks(world, 27)
    thirty = _list_queries(client)

    assert three == thirty
