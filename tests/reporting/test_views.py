"""The dashboard, the records behind a figure, governance reports and extracts on the web."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent
from earlyhelp.reporting.models import GeneratedReport
from tests.reporting.data import build_more_cases, build_reporting_data

QUARTER = {"quarter": "2026Q2"}


@pytest.fixture
def data(world):
    return build_reporting_data(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_head_of_service_sees_the_county_figures_with_links(client, world, data):
    client.force_login(world.head)
    response = client.get(reverse("reporting:dashboard"), QUARTER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "County (every locality)" in html
    assert "figure=allocated-late" in html
    assert "<svg" in html
    assert "style=" not in html
    received = response.context["board"].received
    assert received == 5


def test_a_key_worker_may_not_see_the_dashboard_and_the_refusal_is_recorded(client, world):
    client.force_login(world.key_worker)
    response = client.get(reverse("reporting:dashboard"))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind="denied", object_type="reporting.dashboard").exists()


def test_nonsense_filters_are_shown_next_to_the_field(client, world):
    client.force_login(world.head)
    response = client.get(reverse("reporting:dashboard"), {"quarter": "2026Q9"})
    assert response.status_code == 400
    assert "Enter a quarter like 2026Q3" in response.content.decode()


def test_following_a_figure_lists_only_the_cases_the_user_may_see(client, world, data):
    client.force_login(world.manager)
    dashboard = client.get(reverse("reporting:dashboard"), QUARTER).content.decode()
    link = re.search(r'href="([^"]*figure=allocated)"', dashboard).group(1).replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The figure counted 4" in html
    assert f'href="/cases/{data.a.pk}/"' in html
    assert f'href="/cases/{data.d.pk}/"' not in html  # another team's case
    other = client.get(link.replace("figure=allocated", "figure=no-such-figure"))
    assert other.status_code == 404


def test_requests_behind_a_figure_link_to_the_request(client, world, data):
    client.force_login(world.head)
    response = client.get(reverse("reporting:figure"), {**QUARTER, "figure": "re-referrals"})
    assert f'href="/requests/{data.a.request_id}/"' in response.content.decode()


def test_generating_a_report_stores_it_and_downloads_it(client, world, data):
    client.force_login(world.head)
    response = client.post(
        reverse("reporting:reports"), {"locality": "", "quarter": "2026Q2", "format": "xlsx"}
    )
    report = GeneratedReport.objects.get()
    assert response.status_code == 302
    assert (report.quarter, report.format, report.generated_by) == ("2026Q2", "xlsx", world.head)
    download = client.get(reverse("reporting:download", args=[report.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert AuditEvent.objects.filter(code="reporting.report_generated").count() == 1
    assert AuditEvent.objects.filter(code="reporting.report_downloaded").count() == 1


def test_a_bad_report_request_is_shown_next_to_the_field(client, world):
    client.force_login(world.head)
    response = client.post(reverse("reporting:reports"), {"quarter": "Q3", "format": "pdf"})
    assert response.status_code == 400
    assert "Enter a quarter like 2026Q3" in response.content.decode()
    assert not GeneratedReport.objects.exists()


def test_case_extract_has_no_free_text(client, world, data):
    client.force_login(world.head)
    response = client.get(
        reverse("reporting:extract", args=["cases"]),
        {"date_from": "2026-04-01", "date_to": "2026-06-30"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "case_id"
    assert "closure_notes" not in rows[0]
    assert "notes" not in rows[0]
    assert {int(r[0]) for r in rows[1:]} == {data.a.pk, data.b.pk, data.c.pk, data.d.pk}


def test_request_and_contact_extracts(client, world, data):
    client.force_login(world.head)
    for kind, header in (("requests", "request_id"), ("contacts", "contact_id")):
        response = client.get(reverse("reporting:extract", args=[kind]), QUARTER)
        body = b"".join(response.streaming_content).decode()
        assert body.startswith(header)
        assert "presenting_needs" not in body
    assert client.get(reverse("reporting:extract", args=["notes"])).status_code == 404


def test_dashboard_queries_do_not_grow_with_the_cases(client, world, data):
    client.force_login(world.head)
    url = reverse("reporting:dashboard")
    client.get(url, QUARTER)  # warm the caches (calendar, configuration)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, QUARTER).status_code == 200
    build_more_cases(world, 8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, QUARTER).status_code == 200
    assert len(large) == len(small)


def test_figure_list_queries_do_not_grow_with_the_cases(client, world, data):
    client.force_login(world.head)
    url = reverse("reporting:figure")
    query = {**QUARTER, "figure": "allocated"}
    client.get(url, query)  # warm the caches (calendar, configuration)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, query).status_code == 200
    build_more_cases(world, 8)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, query).status_code == 200
    assert len(large) == len(small)
