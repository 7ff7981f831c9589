"""Families held by team A, a key worker there and one in team B."""

from __future__ import annotations

import pytest

from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import issue_api_token
from tests.factories import DistrictFactory, FamilyFactory, TeamFactory, make_staff


@pytest.fixture
def district(db):
    return DistrictFactory(postcode_districts=["PR1", "PR2"])


@pytest.fixture
def team_a(district):
    return TeamFactory(name="Preston North", district=district)


@pytest.fixture
def team_b(district):
    return TeamFactory(name="Preston South", district=district)


@pytest.fixture
def key_worker(team_a):
    return make_staff(Role.KEY_WORKER, team=team_a, email="kw.a@example.test")


@pytest.fixture
def other_key_worker(team_b):
    return make_staff(Role.KEY_WORKER, team=team_b, email="kw.b@example.test")


@pytest.fixture
def family(team_a, key_worker, district):
    return FamilyFactory(
        name="Ashworth",
        address_line_1="1 Fishergate",
        address_line_2="",
        town="Preston",
        postcode="PR1 2AB",
        district=district,
        team=team_a,
        key_worker=key_worker,
    )


@pytest.fixture
def bearer(key_worker):
    """API headers carrying a token issued to the team A key worker."""
    _, key = issue_api_token(actor=None, user=key_worker, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def other_bearer(other_key_worker):
    """API headers carrying a token issued to the team B key worker."""
    _, key = issue_api_token(actor=None, user=other_key_worker, name="Tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}
