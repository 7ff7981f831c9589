"""Each role's home page, and the navigation each role sees."""

from __future__ import annotations

import pytest

from earlyhelp.accounts.roles import Role
from tests.factories import UserFactory, make_staff


def _nav_labels(response) -> list[str]:
    return [item["label"] for item in response.context["navigation"]]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_home_page_renders_for_each_role_and_names_it(client, role):
    client.force_login(make_staff(role))

    response = client.get("/")

    assert response.status_code == 200
    assert role.label in response.content.decode()


@pytest.mark.django_db
def test_home_page_for_an_account_with_no_role_says_so(client):
    client.force_login(UserFactory())

    response = client.get("/")

    assert response.status_code == 200
    assert "Your account has no role yet" in response.content.decode()


@pytest.mark.django_db
def test_home_page_asks_a_signed_out_visitor_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


@pytest.mark.django_db
def test_key_worker_sees_families_in_the_navigation(client):
    client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get("/")

    assert "Families" in _nav_labels(response)
    assert "Audit log" not in _nav_labels(response)
    assert "Administration" not in _nav_labels(response)
    assert "Two-factor sign-in" not in _nav_labels(response)
    assert 'href="/families/"' in response.content.decode()
    # Everyone can make new recovery codes for their own two-factor sign-in.
    assert 'href="/account/two-factor/recovery-codes/"' in response.content.decode()


@pytest.mark.django_db
def test_quality_review_officer_sees_audit_log_but_not_families(client):
    client.force_login(make_staff(Role.QUALITY_REVIEW_OFFICER))

    response = client.get("/")

    assert "Audit log" in _nav_labels(response)
    assert "Families" not in _nav_labels(response)
    content = response.content.decode()
    assert 'href="/audit/"' in content
    assert 'href="/families/"' not in content


@pytest.mark.django_db
def test_system_administrator_sees_administration(client):
    client.force_login(make_staff(Role.SYSTEM_ADMINISTRATOR))

    response = client.get("/")

    assert "Administration" in _nav_labels(response)
    assert "Two-factor sign-in" in _nav_labels(response)
    assert 'href="/admin/"' in response.content.decode()


@pytest.mark.django_db
def test_current_page_is_marked_in_the_navigation(client):
    client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get("/families/")

    active = [item["label"] for item in response.context["navigation"] if item["active"]]
    assert active == ["Families"]
    assert 'aria-current="true"' in response.content.decode()


@pytest.mark.django_db
def test_signed_out_pages_have_no_navigation(client):
    response = client.get("/account/sign-in/")

    assert response.status_code == 200
    assert response.context["navigation"] == []
