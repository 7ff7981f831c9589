"""The reporting API: figures, the records behind them, reports and extracts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from earlyhelp.reporting.models import GeneratedReport
from tests.reporting.data import build_more_cases, build_reporting_data

BASE = "/api/v1/reporting"
QUARTER = {"quarter": "2026Q2"}


@pytest.fixture
def data(world):
    return build_reporting_data(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _figures(body) -> dict:
    return {f["label"]: f for s in body["sections"] for f in s["figures"]}


def test_dashboard_gives_every_figure_with_links(client, world, data):
    client.force_login(world.head)
    response = client.get(f"{BASE}/dashboard", QUARTER)
    assert response.status_code == 200
    found = _figures(response.json())
    assert found["Received"]["value"] == 5
    assert found["Allocation: share within 5 working days"]["value"] == 0.75
    assert found["Re-referrals within 12 months"]["figure"] == "re-referrals"
    assert "figure=re-referrals" in found["Re-referrals within 12 months"]["records_url"]


def test_records_behind_a_figure_only_those_the_user_may_open(client, world, data):
    client.force_login(world.other_manager)
    response = client.get(f"{BASE}/records", {**QUARTER, "figure": "allocated"})
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [data.d.pk]
    missing = client.get(f"{BASE}/records", {**QUARTER, "figure": "nothing"})
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/problem+json")


def test_nonsense_filters_are_422_problems(client, world):
    client.force_login(world.head)
    for params in (
        {"quarter": "2026Q7"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"date_from": "1066-10-14"},
        {"quarter": "2026Q1", "date_from": "2026-01-01"},
    ):
        response = client.get(f"{BASE}/dashboard", params)
        assert response.status_code == 422, params
        assert response["Content-Type"].startswith("application/problem+json")


def test_a_key_worker_is_refused(client, world):
    client.force_login(world.key_worker)
    assert client.get(f"{BASE}/dashboard").status_code == 403


def test_generate_and_download_a_report(client, world, data):
    client.force_login(world.head)
    response = client.post(
        f"{BASE}/reports",
        {"locality": world.district.locality_id, "quarter": "2026Q2", "format": "pdf"},
        content_type="application/json",
    )
    assert response.status_code == 201
    report = GeneratedReport.objects.get()
    assert report.locality == world.district.locality
    download = client.get(response.json()["download_url"])
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    listed = client.get(f"{BASE}/reports").json()
    assert [r["id"] for r in listed] == [report.pk]
    bad = client.post(
        f"{BASE}/reports",
        {"quarter": "last", "format": "pdf"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_extract_as_csv(client, world, data):
    client.force_login(world.head)
    response = client.get(f"{BASE}/extracts/requests", QUARTER)
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("request_id,")
    assert len(lines) == 1 + 5


def test_api_queries_do_not_grow_with_the_cases(client, world, data):
    client.force_login(world.head)
    client.get(f"{BASE}/dashboard", QUARTER)
    with CaptureQueriesContext(connection) as small:
        client.get(f"{BASE}/dashboard", QUARTER)
        client.get(f"{BASE}/records", {**QUARTER, "figure": "open"})
    build_more_cases(world, 8)
    with CaptureQueriesContext(connection) as large:
        client.get(f"{BASE}/dashboard", QUARTER)
        client.get(f"{BASE}/records", {**QUARTER, "figure": "open"})
    assert len(large) == len(small)
