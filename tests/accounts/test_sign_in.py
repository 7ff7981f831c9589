"""Signing in and out, lockout after repeated failures, idle sessions and password
reset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from tests.factories import PASSWORD, make_staff

SIGN_IN = "/account/sign-in/"
SIGN_OUT = "/account/sign-out/"
PASSWORD_RESET = "/account/password-reset/"
EMAIL = "sam.worker@example.test"
NEW_PASSWORD = "plum harbour lantern nine"


@pytest.fixture
def user(db):
    return make_staff(Role.KEY_WORKER, email=EMAIL)


def _sign_in(client, email: str = EMAIL, password: str = PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": email, "password": password}, **extra)


def _signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_email_and_password_sign_in_and_are_audited(client, user):
    response = _sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(user.pk)
    event = AuditEvent.objects.get(code="user.signed_in")
    assert event.kind == Kind.SIGN_IN
    assert event.actor == user
    assert event.source == SIGN_IN


@pytest.mark.django_db
def test_email_is_not_case_sensitive_at_sign_in(client, user):
    response = _sign_in(client, email=EMAIL.upper())

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(client, user):
    response = _sign_in(client, password="not the password")

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert "Enter a correct email address and password" in content
    assert _signed_in_user_id(client) is None
    event = AuditEvent.objects.get(code="user.sign_in_failed")
    assert event.kind == Kind.SIGN_IN
    assert event.actor is None
    assert event.details == {"username": EMAIL}
    assert not AuditEvent.objects.filter(code="user.signed_in").exists()


@pytest.mark.django_db
def test_five_failures_lock_the_account_from_that_address_even_with_the_right_password(
    client, user
):
    for _ in range(5):
        _sign_in(client, password="not the password")

    response = _sign_in(client)

    assert response.status_code == 429
    assert "You cannot sign in for 15 minutes" in response.content.decode()
    assert _signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(code="user.signed_in").exists()


@pytest.mark.django_db
def test_changing_the_case_of_the_email_does_not_escape_the_lockout(client, user):
    for email in [EMAIL, EMAIL.upper(), EMAIL.title(), EMAIL.capitalize(), EMAIL.swapcase()]:
        _sign_in(client, email=email, password="not the password")

    assert _sign_in(client).status_code == 429


@pytest.mark.django_db
def test_four_failures_do_not_lock_the_account(client, user):
    for _ in range(4):
        assert _sign_in(client, password="not the password").status_code == 200

    response = _sign_in(client)

    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_lockout_is_for_that_email_from_that_address_only(client, user):
    other = make_staff(Role.KEY_WORKER, email="other.worker@example.test")
    for _ in range(5):
        _sign_in(client, password="not the password", REMOTE_ADDR="192.0.2.10")

    assert _sign_in(client, REMOTE_ADDR="192.0.2.10").status_code == 429
    assert _sign_in(client, REMOTE_ADDR="192.0.2.20").status_code == 302
    client.logout()
    assert _sign_in(client, email=other.email, REMOTE_ADDR="192.0.2.10").status_code == 302


def test_sessions_expire_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "earlyhelp.core.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_requests_within_a_minute_of_a_refresh_do_not_write_the_session(client, user):
    client.force_login(user)
    client.get("/")  # the first request refreshes the expiry
    session_key = client.session.session_key
    expiry = timezone.now() + dt.timedelta(minutes=20)
    Session.objects.filter(session_key=session_key).update(expire_date=expiry)

    assert client.get("/").status_code == 200

    assert Session.objects.get(session_key=session_key).expire_date == expiry


@pytest.mark.django_db
def test_each_request_pushes_the_session_expiry_on(client, user):
    client.force_login(user)
    session_key = client.session.session_key
    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )

    response = client.get("/")

    assert response.status_code == 200
    expiry = Session.objects.get(session_key=session_key).expire_date
    remaining = expiry - timezone.now()
    assert dt.timedelta(minutes=29) < remaining <= dt.timedelta(minutes=30)


@pytest.mark.django_db
def test_an_idle_session_past_its_expiry_is_signed_out(client, user):
    client.force_login(user)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


@pytest.mark.django_db
def test_sign_out_refuses_get(client, user):
    client.force_login(user)

    response = client.get(SIGN_OUT)

    assert response.status_code == 405
    assert _signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_sign_out_by_post_ends_the_session_and_is_audited(client, user):
    client.force_login(user)

    response = client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert _signed_in_user_id(client) is None
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.get(code="user.signed_out")
    assert event.actor == user


@pytest.mark.django_db
def test_sign_out_needs_the_csrf_token(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(SIGN_OUT).status_code == 403
    assert _signed_in_user_id(client) == str(user.pk)


def _reset_link(message) -> str:
    match = re.search(
        r"https?://testserver(/account/password-reset/[^/\s]+/[^/\s]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


@pytest.mark.django_db
def test_password_reset_sends_one_email_with_a_link(client, user):
    response = client.post(PASSWORD_RESET, {"email": EMAIL})

    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert _reset_link(message)


@pytest.mark.django_db
def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, user):
    response = client.post(PASSWORD_RESET, {"email": "nobody@example.test"})

    assert response.status_code == 302
    assert response["Location"] == "/account/password-reset/sent/"
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_link_lets_the_user_set_a_new_password_of_12_or_more_characters(
    client, user
):
    client.post(PASSWORD_RESET, {"email": EMAIL})
    link = _reset_link(mail.outbox[0])

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()
    set_password_url = form_page.redirect_chain[-1][0]

    too_short = client.post(
        set_password_url, {"new_password1": "eleven char", "new_password2": "eleven char"}
    )
    assert too_short.status_code == 200
    assert "at least 12 characters" in too_short.content.decode()

    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved.status_code == 302
    assert saved["Location"] == "/account/password-reset/complete/"

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert _sign_in(client, password=NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_password_reset_link_works_once(client, user):
    client.post(PASSWORD_RESET, {"email": EMAIL})
    link = _reset_link(mail.outbox[0])
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "This link has expired" in again.content.decode()
