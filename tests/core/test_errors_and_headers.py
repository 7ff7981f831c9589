"""GOV.UK error pages on the web, problem+json under /api/, and the security headers
on every page."""

from __future__ import annotations

import re

import pytest

from earlyhelp.accounts.roles import Role
from tests.factories import FamilyFactory, TeamFactory, make_staff

SIGN_IN = "/account/sign-in/"


@pytest.mark.django_db
def test_unknown_web_address_renders_the_govuk_page_not_found(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "<title>Page not found" in content
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in content
    assert "check it is correct" in content


@pytest.mark.django_db
def test_unknown_web_address_for_a_signed_in_user_keeps_the_navigation(client):
    client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'href="/families/"' in response.content.decode()


@pytest.mark.django_db
def test_refused_page_renders_the_govuk_403_page(client):
    team = TeamFactory()
    family = FamilyFactory(team=team, key_worker=make_staff(Role.KEY_WORKER, team=team))
    client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get(f"/families/{family.pk}/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "<title>You do not have access to this page" in content
    assert "This attempt has been recorded" in content
    assert "speak to your line manager" in content


@pytest.mark.django_db
def test_api_errors_are_problem_json_not_pages(client):
    client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get("/api/v1/families/987654")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert "<html" not in response.content.decode()


@pytest.mark.django_db
def test_unknown_path_under_api_outside_v1_is_problem_json(client):
    response = client.get("/api/v2/anything")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/families/", SIGN_IN, "/no-such-page/"])
def test_security_headers_are_on_every_page(client, path):
    if path != SIGN_IN:
        client.force_login(make_staff(Role.KEY_WORKER))

    response = client.get(path)

    assert response.status_code in {200, 404}
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(client):
    client.force_login(make_staff(Role.KEY_WORKER))

    assert "no-store" in client.get("/").headers["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/families/", SIGN_IN, "/audit/"])
def test_pages_have_no_inline_script_or_style_that_the_policy_would_block(client, path):
    if path != SIGN_IN:
        role = Role.QUALITY_REVIEW_OFFICER if path == "/audit/" else Role.DSO
        client.force_login(make_staff(role))

    response = client.get(path)

    assert response.status_code == 200
    content = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", content, flags=re.DOTALL)
    for attributes, body in scripts:
        if 'type="application/json"' in attributes:
            continue
        assert "src=" in attributes, attributes
        assert not body.strip(), body
    assert " style=" not in content
    assert "<style" not in content
    assert not re.search(r"\son[a-z]+=", content), "inline event handler"
