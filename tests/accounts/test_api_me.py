"""GET /api/v1/me: who the caller is, by Bearer token or signed-in session; anything
else is 401 problem+json."""

from __future__ import annotations

import pytest
from django.utils import timezone

from earlyhelp.accounts.models import ApiToken
from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import issue_api_token
from earlyhelp.audit.models import AuditEvent
from tests.factories import DistrictFactory, LocalityFactory, TeamFactory, make_staff

ME = "/api/v1/me"


@pytest.fixture
def worker(db):
    locality = LocalityFactory(name="Central")
    district = DistrictFactory(name="Preston", locality=locality)
    team = TeamFactory(name="Preston North", district=district)
    return make_staff(
        Role.KEY_WORKER, team=team, first_name="Sam", last_name="Worker", email="sam@example.test"
    )


@pytest.fixture
def admin_user(db):
    return make_staff(Role.SYSTEM_ADMINISTRATOR)


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _assert_unauthorised(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["title"]
    assert body["detail"]


@pytest.mark.django_db
def test_me_without_credentials_is_401_problem_json(client):
    _assert_unauthorised(client.get(ME))


@pytest.mark.django_db
def test_me_with_an_unknown_token_is_401(client, worker):
    _assert_unauthorised(client.get(ME, **_bearer("eh_not-a-real-token")))


@pytest.mark.django_db
def test_me_with_a_bearer_token_names_the_user_roles_team_district_and_locality(
    client, worker, admin_user
):
    _, key = issue_api_token(actor=admin_user, user=worker, name="Case management sync")

    response = client.get(ME, **_bearer(key))

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Sam Worker"
    assert body["email"] == "sam@example.test"
    assert body["roles"] == [Role.KEY_WORKER.value]
    assert body["role_names"] == [Role.KEY_WORKER.label]
    assert body["team"] == "Preston North"
    assert body["district"] == "Preston"
    assert body["locality"] == "Central"


@pytest.mark.django_db
def test_issuing_a_token_stores_only_its_hash_and_is_audited(worker, admin_user):
    token, key = issue_api_token(actor=admin_user, user=worker, name="Sync")

    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in {stored.key_hash, stored.prefix}
    assert key.startswith(stored.prefix)
    event = AuditEvent.objects.get(code="api_token.issued")
    assert event.actor == admin_user
    assert key not in str(event.details)


@pytest.mark.django_db
def test_using_a_token_records_when_it_was_last_used(client, worker, admin_user):
    token, key = issue_api_token(actor=admin_user, user=worker, name="Sync")

    client.get(ME, **_bearer(key))

    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_me_with_a_revoked_token_is_401(client, worker, admin_user):
    token, key = issue_api_token(actor=admin_user, user=worker, name="Sync")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])

    _assert_unauthorised(client.get(ME, **_bearer(key)))


@pytest.mark.django_db
def test_me_with_a_token_of_a_switched_off_account_is_401(client, worker, admin_user):
    _, key = issue_api_token(actor=admin_user, user=worker, name="Sync")
    worker.is_active = False
    worker.save(update_fields=["is_active"])

    _assert_unauthorised(client.get(ME, **_bearer(key)))


@pytest.mark.django_db
def test_me_with_a_signed_in_session_is_200(client, worker):
    client.force_login(worker)

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["team"] == "Preston North"


@pytest.mark.django_db
def test_an_administrator_issues_a_token_in_the_admin_and_it_signs_in_to_the_api(client):
    from earlyhelp.accounts.models import User

    admin_user = User.objects.create_superuser("root@example.test", "a long admin password")
    staff = make_staff(Role.KEY_WORKER)
    client.force_login(admin_user)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_token", "_selected_action": [staff.pk]},
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"]]
    key = message.split(": ")[1].split(" ")[0]
    assert ApiToken.objects.filter(user=staff).count() == 1
    assert key not in ApiToken.objects.get(user=staff).key_hash
    api = client.__class__()
    answer = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 200
    assert answer.json()["email"] == staff.email
