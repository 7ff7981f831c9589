"""Deadlines in working days across bank holidays and the service's closure days, with
time frozen: the allocation deadline runs from receipt, the initial visit deadline from
allocation. The API shows the same dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from earlyhelp.cases.models import Case
from earlyhelp.configuration.models import ClosureDay
from earlyhelp.referrals import services as rfs
from tests.casework import submit

LONDON = ZoneInfo("Europe/London")


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def freeze(monkeypatch):
    """Freeze ``django.utils.timezone.now`` (and so ``timezone.localdate``) at a moment."""

    def _freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return _freeze


def allocate(world, request) -> Case:
    return rfs.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
    )


def test_frozen_now_is_the_one_the_services_use(world, freeze):
    freeze(at(2026, 4, 2, 11))
    request = submit(world, received_at=at(2026, 4, 1, 15))

    case = allocate(world, request)

    assert timezone.localdate() == dt.date(2026, 4, 2)
    assert request.acknowledged_at == at(2026, 4, 2, 11)
    assert case.allocated_at == at(2026, 4, 2, 11)


def test_allocation_due_counts_five_working_days_over_christmas(world, freeze):
    # Christmas Day (Friday), Boxing Day's substitute (Monday 28th) and New Year's Day
    # (Friday) are not working days.
    freeze(at(2026, 12, 23, 12))

    request = submit(world, received_at=at(2026, 12, 23, 9))

    assert request.allocation_due_by == dt.date(2027, 1, 4)
    assert request.allocation_due_by.strftime("%A") == "Monday"


def test_allocation_due_also_skips_the_services_closure_days(world, freeze):
    for day in (29, 30, 31):
        ClosureDay.objects.create(date=dt.date(2026, 12, day), reason="Christmas closure")
    freeze(at(2026, 12, 23, 12))

    request = submit(world, received_at=at(2026, 12, 23, 9))

    # 24 December is the first working day; then 4, 5, 6 and 7 January.
    assert request.allocation_due_by == dt.date(2027, 1, 7)
    assert request.allocation_due_by.strftime("%A") == "Thursday"


def test_allocation_due_counts_from_a_weekend_receipt_as_from_monday(world, freeze):
    freeze(at(2026, 12, 27, 12))  # Sunday

    request = submit(world, received_at=at(2026, 12, 26, 20))  # Saturday evening

    # The clock starts on Tuesday 29th (Monday 28th is a bank holiday).
    assert request.allocation_due_by == dt.date(2027, 1, 6)


def test_allocation_due_uses_the_london_date_of_receipt(world, freeze):
    freeze(at(2026, 6, 10, 12))

    # 23:30 UTC on Monday 8 June is 00:30 on Tuesday 9 June in London (BST).
    request = submit(world, received_at=dt.datetime(2026, 6, 8, 23, 30, tzinfo=dt.UTC))

    assert request.allocation_due_by == dt.date(2026, 6, 16)


def test_initial_visit_due_counts_seven_working_days_over_easter(world, freeze):
    freeze(at(2026, 4, 1, 12))
    request = submit(world, received_at=at(2026, 4, 1, 9))
    freeze(at(2026, 4, 2, 15))  # Thursday before Good Friday

    case = allocate(world, request)

    # Good Friday (3 April) and Easter Monday (6 April) are not working days.
    assert case.initial_visit_due_by == dt.date(2026, 4, 15)
    assert case.initial_visit_due_by.strftime("%A") == "Wednesday"
    task = case.tasks.get(kind="initial_visit")
    assert task.due_on == dt.date(2026, 4, 15)


def test_api_shows_the_allocation_deadline_as_an_iso_date(world, freeze):
    freeze(at(2026, 12, 23, 12))
    client = Client()
    client.force_login(world.business_support)
    body = {
        "route": "agency",
        "received_at": "2026-12-23T09:00:00+00:00",
        "referrer": {"name": "Pat Referrer", "email": "referrer@example.test"},
        "address": {"address_line_1": "3 Holly Lane", "postcode": "PR1 4EF"},
        "members": [
            {
                "key": "mum",
                "first_name": "Noelle",
                "last_name": "Holly",
                "relationship": "parent",
                "is_subject": False,
                "is_parent_or_carer": True,
                "confirmed_new": True,
            },
            {
                "key": "kid",
                "first_name": "Ivy",
                "last_name": "Holly",
                "date_of_birth": "2019-12-25",
                "confirmed_new": True,
            },
        ],
        "consents": [
            {
                "member_key": key,
                "purpose": "share_information",
                "given": True,
                "given_by_key": "mum",
            }
            for key in ("mum", "kid")
        ],
        "presenting_needs": "Christmas crisis",
    }

    created = client.post("/api/v1/requests", body, content_type="application/json")

    assert created.status_code == 201, created.content
    assert created.json()["allocation_due_by"] == "2027-01-04"
    request_id = created.json()["id"]
    client.force_login(world.manager)
    queue = client.get("/api/v1/requests").json()["items"]
    assert [(r["id"], r["allocation_due_by"]) for r in queue] == [(request_id, "2027-01-04")]
    # From Wednesday 23 December to Monday 4 January: five working days left.
    assert queue[0]["working_days_left"] == 5


def test_api_shows_the_initial_visit_deadline_as_an_iso_date(world, freeze):
    freeze(at(2026, 4, 1, 12))
    request = submit(world, received_at=at(2026, 4, 1, 9))
    freeze(at(2026, 4, 2, 15))
    client = Client()
    client.force_login(world.manager)

    allocated = client.post(
        f"/api/v1/requests/{request.pk}/allocate",
        {"key_worker_id": world.key_worker.pk},
        content_type="application/json",
    )

    assert allocated.status_code == 200, allocated.content
    assert allocated.json()["status"] == "allocated"
    case_id = allocated.json()["case_id"]
    client.force_login(world.key_worker)
    case = client.get(f"/api/v1/cases/{case_id}").json()
    assert case["initial_visit_due_by"] == "2026-04-15"
    caseload = client.get("/api/v1/cases").json()["items"]
    assert [(c["id"], c["initial_visit_due_by"]) for c in caseload] == [(case_id, "2026-04-15")]
