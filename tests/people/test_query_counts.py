"""The family list, on the web and in the API, costs the same number of queries
however many families the user sees."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from earlyhelp.accounts.roles import Role
from tests.factories import FamilyFactory, FamilyMemberFactory, make_staff


def _add_families(team, how_many: int) -> None:
    for _ in range(how_many):
        # Each with its own key worker in the team and members, so that any lazy
        # lookup per row would show up as extra queries.
        family = FamilyFactory(team=team, key_worker=make_staff(Role.KEY_WORKER, team=team))
        FamilyMemberFactory.create_batch(2, family=family)


def _queries(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def worker(db):
    return make_staff(Role.KEY_WORKER)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/families/", "/api/v1/families"])
def test_family_list_uses_the_same_queries_for_3_and_30_families(client, worker, url):
    team = worker.staff.team
    FamilyFactory.create_batch(5)  # other teams' families, not shown
    _add_families(team, 3)
    client.force_login(worker)
    _queries(client, url)  # warm any per-process caches

    with_3 = _queries(client, url)
    _add_families(team, 27)
    with_30 = _queries(client, url)

    assert with_30 == with_3


@pytest.mark.django_db
def test_family_list_shows_all_30_families_on_one_page(client, worker):
    _add_families(worker.staff.team, 30)
    client.force_login(worker)

    web = client.get("/families/")
    api = client.get("/api/v1/families")

    assert len(web.context["page"].object_list) == 30
    assert api.json()["count"] == 30
    assert {item["member_count"] for item in api.json()["items"]} == {2}


@pytest.mark.django_db
def test_family_detail_uses_the_same_queries_for_2_and_20_members(client, worker):
    family = FamilyFactory(team=worker.staff.team, key_worker=worker)
    FamilyMemberFactory.create_batch(2, family=family)
    client.force_login(worker)
    url = f"/families/{family.pk}/"
    _queries(client, url)

    with_2 = _queries(client, url)
    FamilyMemberFactory.create_batch(18, family=family)
    with_20 = _queries(client, url)

    assert with_20 == with_2
