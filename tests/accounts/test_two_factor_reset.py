"""A system administrator resets someone's two-factor sign-in (page, API, admin action,
break-glass command), through one audited service; the API refuses a session that has not
confirmed its second factor; the demo can turn two-factor sign-in off, and the deployment
check says so if a live service does."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts.checks import two_factor_is_required
from earlyhelp.accounts.roles import Role
from earlyhelp.accounts.services import issue_api_token
from earlyhelp.audit.models import AuditEvent
from tests.accounts.two_factor import (
    SET_UP,
    STAFF,
    TWO_FACTOR,
    VERIFY,
    app_code,
    give_authenticator_app,
    give_recovery_codes,
    pass_second_factor,
)
from tests.factories import make_staff

ME = "/api/v1/me"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return make_staff(Role.SYSTEM_ADMINISTRATOR, email="admin@example.test")


@pytest.fixture
def worker(db):
    worker = make_staff(Role.KEY_WORKER, email="sam.worker@example.test")
    give_authenticator_app(worker)
    give_recovery_codes(worker, ["abcd2345", "efgh6723"])
    return worker


def _reset_url(user) -> str:
    return f"/account/two-factor/staff/{user.pk}/reset/"


def _api_reset_url(user_id: int) -> str:
    return f"/api/v1/users/{user_id}/two-factor/reset"


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _has_second_factor(user) -> bool:
    return (
        TOTPDevice.objects.filter(user=user).exists()
        or StaticDevice.objects.filter(user=user).exists()
    )


# The staff page and the reset page ---------------------------------------------------


def test_the_staff_page_shows_who_has_two_factor_sign_in_set_up(client, admin_user, worker):
    make_staff(Role.KEY_WORKER, email="new.starter@example.test")
    client.force_login(admin_user)

    response = client.get(STAFF)

    assert response.status_code == 200
    rows = {person.email: person for person in response.context["page"].object_list}
    assert rows["sam.worker@example.test"].has_authenticator_app
    assert rows["sam.worker@example.test"].recovery_codes_left == 2
    assert not rows["new.starter@example.test"].has_authenticator_app
    assert rows["new.starter@example.test"].recovery_codes_left == 0
    content = response.content.decode()
    assert f'href="{_reset_url(worker)}"' in content
    # No reset link for the administrator's own account.
    assert f'href="{_reset_url(admin_user)}"' not in content


def test_the_staff_page_searches_by_name_or_email(client, admin_user, worker):
    make_staff(Role.KEY_WORKER, email="someone.else@example.test")
    client.force_login(admin_user)

    response = client.get(STAFF, {"q": "sam.wor"})

    assert [p.email for p in response.context["page"].object_list] == [worker.email]


def test_the_staff_page_reads_a_fixed_number_of_queries_however_many_staff(
    client, admin_user, django_assert_max_num_queries
):
    for number in range(3):
        give_authenticator_app(make_staff(Role.KEY_WORKER, email=f"few{number}@example.test"))
    client.force_login(admin_user)
    with django_assert_max_num_queries(12) as few:
        client.get(STAFF)
    for number in range(15):
        person = make_staff(Role.KEY_WORKER, email=f"many{number}@example.test")
        give_authenticator_app(person)
        give_recovery_codes(person, [f"abcd{number:04d}".replace("0", "a")])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(STAFF)

    assert len(response.context["page"].object_list) == 19


def test_an_administrator_resets_someone_from_the_page_and_it_is_audited(
    client, admin_user, worker
):
    client.force_login(admin_user)
    confirm = client.get(_reset_url(worker))
    assert confirm.status_code == 200
    assert "Reset two-factor sign-in?" in confirm.content.decode()

    response = client.post(_reset_url(worker), follow=True)

    assert response.redirect_chain[-1][0] == STAFF
    assert "Two-factor sign-in reset for" in response.content.decode()
    assert not _has_second_factor(worker)
    event = AuditEvent.objects.get(code="two_factor.reset")
    assert event.actor == admin_user
    assert event.object_id == str(worker.pk)
    assert event.source == _reset_url(worker)
    assert event.details == {
        "user": worker.email,
        "had_authenticator_app": True,
        "had_recovery_codes": True,
    }


@pytest.mark.usefixtures("two_factor_required")
def test_after_a_reset_the_user_must_set_up_an_app_again_even_in_a_confirmed_session(
    client, admin_user, worker
):
    from django.test import Client

    pass_second_factor(client, worker)
    assert client.get("/families/").status_code == 200
    admin_client = Client()
    pass_second_factor(admin_client, admin_user)

    assert admin_client.post(_reset_url(worker)).status_code == 302

    response = client.get("/families/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SET_UP)


@pytest.mark.parametrize(
    "role", [Role.KEY_WORKER, Role.HEAD_OF_SERVICE, Role.QUALITY_REVIEW_OFFICER]
)
def test_only_system_administrators_see_the_staff_page_or_reset(client, worker, role):
    client.force_login(make_staff(role))

    assert client.get(STAFF).status_code == 403
    assert client.get(_reset_url(worker)).status_code == 403
    assert client.post(_reset_url(worker)).status_code == 403
    assert _has_second_factor(worker)
    assert not AuditEvent.objects.filter(code="two_factor.reset").exists()


def test_an_administrator_cannot_reset_their_own(client, admin_user):
    give_authenticator_app(admin_user)
    client.force_login(admin_user)

    assert "cannot reset your own" in client.get(_reset_url(admin_user)).content.decode()
    assert client.post(_reset_url(admin_user)).status_code == 403
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_resetting_an_unknown_account_is_404(client, admin_user):
    client.force_login(admin_user)

    assert client.post("/account/two-factor/staff/999999/reset/").status_code == 404


def test_the_admin_action_resets_through_the_same_service(client, worker):
    from earlyhelp.accounts.models import User

    root = User.objects.create_superuser("root@example.test", "a long admin password")
    client.force_login(root)

    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [worker.pk]},
        follow=True,
    )

    assert not _has_second_factor(worker)
    assert AuditEvent.objects.get(code="two_factor.reset").actor == root


# The API ----------------------------------------------------------------------------------


def test_an_administrator_resets_someone_through_the_api(client, admin_user, worker):
    _, key = issue_api_token(actor=admin_user, user=admin_user, name="Service desk")

    response = client.post(_api_reset_url(worker.pk), **_bearer(key))

    assert response.status_code == 200
    assert response.json() == {
        "user_id": worker.pk,
        "email": worker.email,
        "two_factor_set_up": False,
    }
    assert not _has_second_factor(worker)
    event = AuditEvent.objects.get(code="two_factor.reset")
    assert event.actor == admin_user
    assert event.source == f"API POST {_api_reset_url(worker.pk)}"


def test_the_api_refuses_a_reset_by_anyone_else_with_a_403_problem(client, worker):
    manager = make_staff(Role.HEAD_OF_SERVICE)
    _, key = issue_api_token(actor=manager, user=manager, name="Reports")

    response = client.post(_api_reset_url(worker.pk), **_bearer(key))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Only a system administrator can reset two-factor sign-in."
    assert _has_second_factor(worker)


@pytest.mark.parametrize("user_id", [0, 999_999, 2**63])
def test_the_api_answers_404_for_an_unknown_account(client, admin_user, user_id):
    _, key = issue_api_token(actor=admin_user, user=admin_user, name="Service desk")

    response = client.post(_api_reset_url(user_id), **_bearer(key))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.usefixtures("two_factor_required")
def test_the_api_refuses_a_session_without_the_second_factor_with_a_401_problem(client, worker):
    client.force_login(worker)

    response = client.get(ME)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Two-factor sign-in needed"
    assert "authenticator app" in body["detail"]


@pytest.mark.usefixtures("two_factor_required")
def test_the_api_accepts_a_session_once_the_second_factor_is_confirmed(client, worker):
    pass_second_factor(client, worker)

    assert client.get(ME).status_code == 200


@pytest.mark.usefixtures("two_factor_required")
def test_api_tokens_are_not_asked_for_a_second_factor(client, admin_user, worker):
    _, key = issue_api_token(actor=admin_user, user=worker, name="Case management sync")

    response = client.get(ME, **_bearer(key))

    assert response.status_code == 200
    assert response.json()["email"] == worker.email


@pytest.mark.usefixtures("two_factor_required")
def test_a_bad_token_does_not_let_an_unconfirmed_session_through(client, worker):
    client.force_login(worker)

    response = client.get(ME, **_bearer("eh_not-a-real-token"))

    assert response.status_code == 401


@pytest.mark.usefixtures("two_factor_required")
def test_an_administrator_without_the_second_factor_cannot_reset_through_the_api_session(
    client, admin_user, worker
):
    client.force_login(admin_user)

    response = client.post(_api_reset_url(worker.pk))

    assert response.status_code == 401
    assert _has_second_factor(worker)


# Break glass ------------------------------------------------------------------------------


def test_the_break_glass_command_resets_and_is_audited(worker):
    out = io.StringIO()

    call_command("reset_two_factor", "SAM.WORKER@example.test", stdout=out)

    assert "Two-factor sign-in reset for sam.worker@example.test" in out.getvalue()
    assert not _has_second_factor(worker)
    event = AuditEvent.objects.get(code="two_factor.reset")
    assert event.actor is None
    assert event.source == "manage.py reset_two_factor"


def test_the_break_glass_command_names_an_unknown_email():
    with pytest.raises(CommandError, match="No staff account"):
        call_command("reset_two_factor", "nobody@example.test")


# The demo bypass and the deployment check ---------------------------------------------


def test_with_two_factor_off_a_signed_in_user_goes_straight_in(client, settings, worker):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(worker)

    assert client.get("/families/").status_code == 200
    assert client.get(ME).status_code == 200


@pytest.mark.usefixtures("two_factor_required")
def test_with_two_factor_on_the_same_user_is_held_at_the_code(client, worker):
    client.force_login(worker)

    response = client.get("/families/")

    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)
    assert client.get(VERIFY).status_code == 200
    assert client.post(VERIFY, {"code": app_code(worker.totpdevice_set.get())}).status_code == 302


@pytest.mark.parametrize(
    ("required", "debug", "demo", "warned"),
    [
        (True, False, False, False),
        (False, False, False, True),
        (False, True, False, False),
        (False, False, True, False),
    ],
)
def test_the_deployment_check_warns_when_two_factor_is_off_in_a_live_service(
    required, debug, demo, warned
):
    with override_settings(TWO_FACTOR_REQUIRED=required, DEBUG=debug, DEMO_MODE=demo):
        messages = two_factor_is_required()

    assert [m.id for m in messages] == (["accounts.W001"] if warned else [])


def test_the_demo_sign_in_printout_says_two_factor_is_off_in_make_run():
    from earlyhelp.workforce.demo import demo_email

    make_staff(Role.KEY_WORKER, email=demo_email(Role.KEY_WORKER))
    out = io.StringIO()

    call_command("demo_sign_ins", stdout=out)

    text = " ".join(out.getvalue().split())
    assert "No two-factor code is asked for" in text
    assert "TWO_FACTOR_REQUIRED=0" in text
    assert "Signing in and two-factor authentication" in text


def test_make_run_serves_the_demo_with_two_factor_off():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    [serve] = [line for line in makefile.splitlines() if "runserver" in line]

    assert "DEMO_MODE=1" in serve
    assert "TWO_FACTOR_REQUIRED=0" in serve


def test_the_api_lists_staff_two_factor_sign_in_for_administrators(client, admin_user, worker):
    _, key = issue_api_token(actor=admin_user, user=admin_user, name="Service desk")

    response = client.get("/api/v1/users/two-factor", {"search": "sam"}, **_bearer(key))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"] == [
        {
            "user_id": worker.pk,
            "name": worker.get_full_name(),
            "email": worker.email,
            "two_factor_set_up": True,
            "recovery_codes_left": 2,
        }
    ]


def test_the_api_list_is_for_administrators_only(client, worker):
    _, key = issue_api_token(actor=worker, user=worker, name="Sync")

    response = client.get("/api/v1/users/two-factor", **_bearer(key))

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_the_api_list_reads_a_fixed_number_of_queries_however_many_staff(
    client, admin_user, django_assert_max_num_queries
):
    _, key = issue_api_token(actor=admin_user, user=admin_user, name="Service desk")
    give_authenticator_app(make_staff(Role.KEY_WORKER, email="few@example.test"))
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/users/two-factor", **_bearer(key))
    for number in range(12):
        person = make_staff(Role.KEY_WORKER, email=f"many{number}@example.test")
        give_authenticator_app(person)
        give_recovery_codes(person, ["abcd2345", "efgh6723"])

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/api/v1/users/two-factor", **_bearer(key))

    assert response.json()["count"] == 14


@pytest.mark.usefixtures("two_factor_required")
def test_an_administrator_without_the_second_factor_is_held_at_the_code_before_the_staff_page(
    client, admin_user, worker
):
    give_authenticator_app(admin_user)
    client.force_login(admin_user)

    assert client.get(STAFF)["Location"].startswith(TWO_FACTOR)
    assert client.post(_reset_url(worker))["Location"] == TWO_FACTOR
    assert _has_second_factor(worker)
