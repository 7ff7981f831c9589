"""The outcomes pages: figures, links to the cases behind them (filtered again by access),
one case's outcomes and radar chart, refusals, and SQL queries that do not grow with the
number of cases."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from earlyhelp.audit.models import AuditEvent, Kind
from tests.casework import open_case
from tests.outcomes.data import _star, build_outcomes_data


@pytest.fixture
def data(world):
    return build_outcomes_data(world)


def test_cohort_outcomes_page_shows_figures_linked_to_their_cases(client, world, data):
    client.force_login(world.head)
    response = client.get(reverse("outcomes:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cases targeting and achieving each outcome" in page
    assert "figure=targeted-1" in page
    assert "figure=achieved-2" in page
    assert "<svg" in page
    assert 'role="img"' in page
    assert " style=" not in page


def test_cohort_star_page_shows_improving_share_and_mean_distance(client, world, data):
    client.force_login(world.head)
    response = client.get(reverse("outcomes:star"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "figure=improving-routines" in page
    assert "+3.00" in page  # routines: mean distance travelled
    assert "100%" in page
    assert " style=" not in page


def test_filters_are_applied_and_bad_ones_explained(client, world, data):
    client.force_login(world.head)
    response = client.get(
        reverse("outcomes:index"), {"date_from": "2026-07-01", "date_to": "2026-06-01"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The end of the period must be on or after its start" in page
    assert "govuk-error-summary" in page
    response = client.get(reverse("outcomes:index"), {"district": world.other_district.pk})
    assert re.search(r"Cases in the cohort: <a [^>]*>1<", response.content.decode())


def test_a_key_worker_following_a_figure_sees_only_cases_they_may_open(client, world, data):
    client.force_login(world.other_worker)
    response = client.get(reverse("outcomes:cases"), {"figure": "targeted-1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert data.c.urn in page
    for other in (data.a, data.a0, data.b):
        assert reverse("cases:detail", args=[other.pk]) not in page


def test_a_manager_sees_service_wide_counts_but_only_their_cases_listed(client, world, data):
    client.force_login(world.locality_manager)
    response = client.get(reverse("outcomes:cases"), {"figure": "targeted-1"})
    page = response.content.decode()
    assert "The figure counted 4 cases. You may open 3 of them" in page
    assert reverse("cases:detail", args=[data.c.pk]) not in page
    assert reverse("cases:detail", args=[data.a.pk]) in page


def test_an_unknown_figure_is_not_found(client, world, data):
    client.force_login(world.head)
    assert client.get(reverse("outcomes:cases"), {"figure": "bogus"}).status_code == 404


def test_roles_without_outcomes_are_refused_and_the_refusal_audited(client, world):
    client.force_login(world.business_support)
    assert client.get(reverse("outcomes:index")).status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.business_support).exists()


def test_navigation_shows_outcomes_to_managers_not_key_workers(client, world):
    client.force_login(world.manager)
    assert 'href="/outcomes/"' in client.get(reverse("core:home")).content.decode()
    client.force_login(world.key_worker)
    assert 'href="/outcomes/"' not in client.get(reverse("core:home")).content.decode()


def test_case_outcomes_page_has_radar_chart_with_a_polygon_per_reading(client, world, data):
    client.force_login(world.key_worker)
    response = client.get(reverse("outcomes:case", args=[data.a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('stroke-width="3"') >= 2  # a polygon and a legend line per reading
    assert svg.count("<polygon") == 10 + 2  # ten scale rings, baseline and review
    assert "Baseline (assessment)" in svg
    assert "Review" in svg
    assert "+5 (improving)" in page
    assert "-1 (declining)" in page
    assert " style=" not in page
    assert AuditEvent.objects.filter(
        kind=Kind.VIEW, code="case.outcomes_viewed", subject_case_id=data.a.pk
    ).exists()


def test_case_outcomes_page_is_refused_to_a_worker_outside_the_family(client, world, data):
    client.force_login(world.other_worker)
    assert client.get(reverse("outcomes:case", args=[data.a.pk])).status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_worker).exists()


def _more_cases(world, count: int) -> None:
    for _ in range(count):
        case = open_case(world)
        _star(world, case, "baseline", case.allocated_at.date(), {"routines": 3, "home": 4})
        _star(world, case, "review", case.allocated_at.date(), {"routines": 5, "home": 4})


def _queries(client, url, params=None) -> int:
    client.get(url, params or {})  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("outcomes:index", {}),
        ("outcomes:star", {}),
        ("outcomes:cases", {"figure": "measured-routines"}),
        ("outcomes:cases", {"figure": "targeted-2"}),
    ],
)
def test_cohort_pages_queries_do_not_grow_with_cases(client, world, data, name, params):
    client.force_login(world.head)
    url = reverse(name)
    small = _queries(client, url, params)
    _more_cases(world, 6)
    assert _queries(client, url, params) == small


def test_case_outcomes_page_queries_do_not_grow_with_readings(client, world, data):
    client.force_login(world.key_worker)
    url = reverse("outcomes:case", args=[data.a.pk])
    small = _queries(client, url)
    for _ in range(4):
        _star(world, data.a, "review", data.a.allocated_at.date(), {"routines": 6})
    assert _queries(client, url) == small


def test_the_case_page_links_to_its_outcomes_and_star_chart(client, world, data):
    client.force_login(world.key_worker)
    page = client.get(reverse("cases:detail", args=[data.a.pk])).content.decode()
    assert reverse("outcomes:case", args=[data.a.pk]) in page


def test_star_page_compares_districts_side_by_side_with_links(client, world, data):
    client.force_login(world.head)
    response = client.get(reverse("outcomes:star"), {"breakdown": "district"})
    page = response.content.decode()
    assert 'id="star-breakdown"' in page
    assert f"district={world.district.pk}&amp;figure=improving-routines" in page
    assert " style=" not in page


def test_star_breakdown_page_queries_do_not_grow_with_cases(client, world, data):
    client.force_login(world.head)
    params = {"breakdown": "target_group"}
    small = _queries(client, reverse("outcomes:star"), params)
    _more_cases(world, 6)
    assert _queries(client, reverse("outcomes:star"), params) == small


def test_cases_list_with_bad_filters_explains_them(client, world, data):
    client.force_login(world.head)
    response = client.get(
        reverse("outcomes:cases"),
        {
            "figure": "cases",
            "locality": world.other_district.locality_id,
            "district": world.district.pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a district in the locality chosen, or no locality" in page
    assert "govuk-error-summary" in page
