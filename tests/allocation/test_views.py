"""Allocation pages: the queue with its SLA forecast, proposing, deciding a proposal, the
allocate page's recommendations; refusals; query counts that do not grow with rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from earlyhelp.allocation.models import AllocationProposal, LineStatus
from earlyhelp.allocation.services import propose_bulk_allocation
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case
from tests.allocation.helpers import load, waiting

pytestmark = pytest.mark.django_db


def queries(client, path: str) -> int:
    client.get(path)  # warm the session and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_queue_shows_on_track_and_at_risk_requests(client, world):
    load(world.key_worker, 18)
    load(world.second_worker, 17)  # one free place, no recent closures
    today = timezone.localdate()
    waiting(world, name="Ash", due_by=today + dt.timedelta(days=1))
    waiting(world, name="Birch", due_by=today + dt.timedelta(days=7))
    client.force_login(world.manager)

    html = client.get(f"/allocation/teams/{world.team.pk}/").content.decode()

    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)
    assert "Ash family" in rows[1]
    assert "On track" in rows[1]
    assert "Birch family" in rows[2]
    assert "At risk: no place frees up" in rows[2]
    assert "1 free place" in html


def test_proposing_from_the_queue_opens_the_proposal(client, world):
    waiting(world, name="Ash")
    client.force_login(world.manager)

    response = client.post(f"/allocation/teams/{world.team.pk}/")

    proposal = AllocationProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/allocation/proposals/{proposal.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Ash family" in html
    assert "Headroom: 11 cases" in html  # 11 slots a week: fewer than the 18-case limit


def test_accepting_a_proposal_on_the_page_allocates(client, world):
    request = waiting(world, name="Ash")
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    line = proposal.lines.get()
    client.force_login(world.manager)

    response = client.post(f"/allocation/proposals/{proposal.pk}/", {f"line_{line.pk}": "accept"})

    assert response.status_code == 302
    assert Case.objects.get(request=request).key_worker_id == line.proposed_worker_id
    page = client.get(response["Location"]).content.decode()
    assert "Allocated 1 request" in page


def test_a_line_that_no_longer_fits_is_shown_in_the_error_summary(client, world):
    load(world.key_worker, 17)
    load(world.second_worker, 18)
    waiting(world, name="Ash")
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    line = proposal.lines.get()
    load(world.key_worker, 1)
    client.force_login(world.manager)

    response = client.post(
        f"/allocation/proposals/{proposal.pk}/", {f"line_{line.pk}": "accept"}, follow=True
    )

    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)[0]
    assert "Ash family" in summary
    assert "no longer has headroom" in summary
    assert f'href="#line-{line.pk}"' in summary
    line.refresh_from_db()
    assert line.status == LineStatus.PENDING
    assert not Case.objects.filter(request=line.request).exists()


def test_deciding_nothing_is_an_error_by_the_form(client, world):
    waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    line = proposal.lines.get()
    client.force_login(world.manager)

    response = client.post(f"/allocation/proposals/{proposal.pk}/", {f"line_{line.pk}": "later"})

    assert response.status_code == 200
    assert "Choose a decision for at least one request" in response.content.decode()


def test_other_teams_cannot_see_the_queue_or_proposal_and_it_is_audited(client, world):
    waiting(world)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    client.force_login(world.other_manager)

    assert client.get(f"/allocation/teams/{world.team.pk}/").status_code == 403
    assert client.get(f"/allocation/proposals/{proposal.pk}/").status_code == 403
    assert client.get(f"/allocation/districts/{world.district.pk}/").status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_manager).count() == 3


def test_a_key_worker_has_no_allocation_page_or_navigation(client, world):
    client.force_login(world.key_worker)

    assert client.get("/allocation/").status_code == 403
    assert 'href="/allocation/"' not in client.get("/").content.decode()
    client.force_login(world.manager)
    assert 'href="/allocation/"' in client.get("/").content.decode()


def test_the_allocate_page_ranks_workers_with_reasons(client, world):
    load(world.key_worker, 18)
    request = waiting(world)
    client.force_login(world.manager)

    html = client.get(f"/requests/{request.pk}/allocate/").content.decode()

    table = re.search(r"Recommended key workers.*?</table>", html, re.S)[0]
    assert table.index(escape(world.second_worker.get_full_name())) < table.index(
        escape(world.key_worker.get_full_name())
    )
    assert "No headroom" in table
    assert "Headroom: 11 cases" in table


def test_choosing_a_full_worker_on_the_page_asks_for_the_reason(client, world):
    load(world.key_worker, 18)
    request = waiting(world)
    client.force_login(world.manager)

    response = client.post(
        f"/requests/{request.pk}/allocate/", {"key_worker": str(world.key_worker.pk)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="id_reason-error".*?has no headroom', html, re.S)
    assert not Case.objects.filter(request=request).exists()


def _grow(world, count: int) -> None:
    for number in range(count):
        waiting(world, name=f"Family{number}")


def test_queue_page_queries_do_not_grow_with_requests(client, world):
    client.force_login(world.manager)
    _grow(world, 2)
    few = queries(client, f"/allocation/teams/{world.team.pk}/")
    _grow(world, 20)
    assert queries(client, f"/allocation/teams/{world.team.pk}/") == few


def test_proposal_page_queries_do_not_grow_with_lines(client, world):
    client.force_login(world.manager)
    _grow(world, 2)
    small = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    few = queries(client, f"/allocation/proposals/{small.pk}/")
    _grow(world, 20)
    large = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    assert queries(client, f"/allocation/proposals/{large.pk}/") == few


def test_proposing_costs_the_same_queries_for_more_requests_and_workers(world):
    propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)  # warm caches
    _grow(world, 2)
    with CaptureQueriesContext(connection) as few:
        propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    _grow(world, 20)
    load(world.key_worker, 3)
    with CaptureQueriesContext(connection) as many:
        propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    assert len(many) == len(few)


def test_allocate_page_queries_do_not_grow_with_cases(client, world):
    request = waiting(world)
    client.force_login(world.manager)
    few = queries(client, f"/requests/{request.pk}/allocate/")
    load(world.key_worker, 10)
    load(world.second_worker, 5)
    assert queries(client, f"/requests/{request.pk}/allocate/") == few


def test_a_long_proposal_is_decided_a_page_at_a_time(client, world, monkeypatch):
    monkeypatch.setattr("earlyhelp.allocation.views.LINES_PER_PAGE", 2)
    for name in ("Ash", "Birch", "Cedar"):
        waiting(world, name=name)
    proposal = propose_bulk_allocation(actor=world.manager, team_id=world.team.pk)
    last = proposal.lines.order_by("position").last()
    client.force_login(world.manager)

    page_two = client.get(f"/allocation/proposals/{proposal.pk}/", {"page": 2}).content.decode()
    response = client.post(
        f"/allocation/proposals/{proposal.pk}/?page=2", {f"line_{last.pk}": "accept"}
    )

    assert page_two.count('<tr class="govuk-table__row" id="line-') == 1
    assert "for 3 waiting requests: 3 placed" in page_two
    assert response["Location"] == f"/allocation/proposals/{proposal.pk}/?page=2"
    assert Case.objects.get().request_id == last.request_id
