"""The outcomes API: the same figures as the pages, the same filters refused with the same
words (as problem+json), access to cases and the cases behind a figure, query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from earlyhelp.audit.models import AuditEvent, Kind
from tests.outcomes.data import build_outcomes_data
from tests.outcomes.test_views import _more_cases

API = "/api/v1/outcomes"


@pytest.fixture
def data(world):
    return build_outcomes_data(world)


def _get(client, user, path, params=None):
    client.force_login(user)
    return client.get(path, params or {})


def test_framework_lists_five_outcomes(client, world, data):
    body = _get(client, world.head, f"{API}/framework").json()
    assert [o["number"] for o in body] == [1, 2, 3, 4, 5]
    assert body[1]["star_areas"] == ["Routines (Family Star)", "Progress (Family Star)"]


def test_cohort_outcomes_figures_and_links(client, world, data):
    body = _get(client, world.head, f"{API}/cohort").json()
    assert body["service_wide"] is True
    assert body["cases"] == 5
    first = body["outcomes"][0]
    assert (first["targeted"], first["achieved"]) == (4, 1)
    assert first["targeted_share"] == pytest.approx(0.8)
    assert first["targeted_cases_url"] == f"{API}/cohort/cases?figure=targeted-1"


def test_cohort_star_figures(client, world, data):
    body = _get(client, world.head, f"{API}/cohort/star").json()
    assert (body["families"], body["with_baseline"], body["measured"]) == (4, 3, 2)
    routines = next(a for a in body["areas"] if a["code"] == "routines")
    assert routines["mean_distance_travelled"] == pytest.approx(3.0)
    assert routines["improving_share"] == pytest.approx(1.0)


def test_cohort_filters_apply_in_the_api(client, world, data):
    body = _get(client, world.head, f"{API}/cohort", {"district": world.other_district.pk}).json()
    assert body["cases"] == 1
    assert body["cases_url"].endswith(f"district={world.other_district.pk}&figure=cases")


def test_bad_filters_are_a_problem_naming_the_field(client, world, data):
    response = _get(
        client, world.head, f"{API}/cohort", {"date_from": "2026-07-01", "date_to": "2026-06-01"}
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"field": "date_to", "message": "The end of the period must be on or after its start"}
    ]
    response = _get(client, world.head, f"{API}/cohort", {"team": 999999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "team"


def test_a_key_worker_following_a_figure_sees_only_their_own_cases(client, world, data):
    body = _get(client, world.other_worker, f"{API}/cohort/cases", {"figure": "targeted-1"}).json()
    assert [item["id"] for item in body["items"]] == [data.c.pk]


def test_a_manager_following_a_service_wide_figure_sees_only_cases_they_may_open(
    client, world, data
):
    body = _get(
        client, world.locality_manager, f"{API}/cohort/cases", {"figure": "targeted-1"}
    ).json()
    assert body["count"] == 3
    assert data.c.pk not in [item["id"] for item in body["items"]]


def test_unknown_figure_is_not_found(client, world, data):
    response = _get(client, world.head, f"{API}/cohort/cases", {"figure": "nonsense"})
    assert response.status_code == 404


def test_case_outcomes_and_star(client, world, data):
    body = _get(client, world.key_worker, f"{API}/cases/{data.a.pk}").json()
    assert body["star_threshold"] == 7
    assert [o["number"] for o in body["outcomes"] if o["achieved"]] == [2, 3]
    [star] = _get(client, world.key_worker, f"{API}/cases/{data.a.pk}/star").json()
    assert [r["kind"] for r in star["readings"]] == ["baseline", "review"]
    routines = next(a for a in star["areas"] if a["code"] == "routines")
    assert (routines["distance_travelled"], routines["direction"]) == (5, "improving")


def test_case_outcomes_refused_outside_the_family_and_audited(client, world, data):
    response = _get(client, world.other_worker, f"{API}/cases/{data.a.pk}/star")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_worker).exists()


def test_business_support_has_no_outcomes_figures(client, world, data):
    assert _get(client, world.business_support, f"{API}/cohort").status_code == 403


def test_outcomes_endpoints_are_in_the_openapi_schema(client, world):
    paths = _get(client, world.head, "/api/v1/openapi.json").json()["paths"]
    for path in ("/framework", "/cohort", "/cohort/star", "/cohort/cases", "/cases/{case_id}"):
        assert f"{API}{path}" in paths


def _queries(client, path, params=None) -> int:
    client.get(path, params or {})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/cohort", {}),
        ("/cohort/star", {}),
        ("/cohort/cases", {"figure": "improving-routines"}),
        ("/cohort/cases", {"figure": "cases"}),
    ],
)
def test_cohort_api_queries_do_not_grow_with_cases(client, world, data, path, params):
    client.force_login(world.head)
    small = _queries(client, f"{API}{path}", params)
    _more_cases(world, 6)
    assert _queries(client, f"{API}{path}", params) == small


def test_star_breakdown_api(client, world, data):
    body = _get(client, world.head, f"{API}/cohort/star/breakdown", {"by": "district"}).json()
    assert [row["label"] for row in body["rows"]] == ["Lancaster", "Preston"]
    preston = body["rows"][1]
    assert preston["improving"][body["areas"].index("routines")] == 2
    assert preston["families_url"].endswith(f"district={world.district.pk}&figure=families")
    response = _get(client, world.head, f"{API}/cohort/star/breakdown", {"by": "colour"})
    assert response.status_code == 422


def test_star_breakdown_api_queries_do_not_grow_with_cases(client, world, data):
    client.force_login(world.head)
    path, params = f"{API}/cohort/star/breakdown", {"by": "locality"}
    small = _queries(client, path, params)
    _more_cases(world, 6)
    assert _queries(client, path, params) == small
