"""Two-factor sign-in: a signed-in user reaches only the two-factor pages until they
confirm a code; setting up an authenticator app with a QR code or a typed key; one-time
recovery codes; slowing down repeated wrong codes; and every step on the audit log."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from tests.accounts.two_factor import (
    RECOVERY,
    SET_UP,
    SIGN_IN,
    TWO_FACTOR,
    VERIFY,
    app_code,
    give_authenticator_app,
    give_recovery_codes,
    pass_second_factor,
)
from tests.factories import PASSWORD, make_staff

EMAIL = "sam.worker@example.test"
HOME = "/"
FAMILIES = "/families/"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor_required")]


@pytest.fixture
def user(db):
    return make_staff(Role.KEY_WORKER, email=EMAIL)


def _field_error(response) -> str:
    """The GOV.UK error message shown by the code field."""
    match = re.search(
        r'<p id="id_code-error" class="govuk-error-message">(.*?)</p>',
        response.content.decode(),
        re.DOTALL,
    )
    assert match, "no error message by the code field"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


def _recovery_codes_on(response) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


def _set_up(client, user) -> tuple[TOTPDevice, list[str]]:
    """Open the set-up page and confirm the code the new app shows."""
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SET_UP, {"code": app_code(device), "next": FAMILIES})
    assert response.status_code == 200
    return device, _recovery_codes_on(response)


# Enforcement -------------------------------------------------------------------------


def test_a_signed_in_user_without_a_second_factor_is_sent_to_the_two_factor_step(client, user):
    client.force_login(user)

    response = client.get(FAMILIES)

    assert response.status_code == 302
    assert response["Location"] == f"{TWO_FACTOR}?next=%2Ffamilies%2F"


def test_the_two_factor_step_sends_a_user_without_an_app_to_set_one_up(client, user):
    client.force_login(user)

    response = client.get(TWO_FACTOR, {"next": FAMILIES})

    assert response.status_code == 302
    assert response["Location"] == f"{SET_UP}?next=%2Ffamilies%2F"


def test_the_two_factor_step_asks_a_user_with_an_app_for_a_code(client, user):
    give_authenticator_app(user)
    client.force_login(user)

    response = client.get(TWO_FACTOR)

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_sign_in_with_the_password_goes_on_to_the_code_and_keeps_where_the_user_was_going(
    client, user
):
    give_authenticator_app(user)

    response = client.post(
        SIGN_IN, {"username": EMAIL, "password": PASSWORD, "next": FAMILIES}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Ffamilies%2F"
    assert "Enter your two-factor code" in response.content.decode()


def test_a_post_to_a_page_before_the_second_factor_is_refused_with_a_redirect(client, user):
    client.force_login(user)

    response = client.post("/tasks/", {"anything": "1"})

    assert response.status_code == 302
    assert response["Location"] == TWO_FACTOR


def test_htmx_requests_are_sent_to_the_two_factor_step_with_hx_redirect(client, user):
    client.force_login(user)

    response = client.get(FAMILIES, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{TWO_FACTOR}?next=%2Ffamilies%2F"


def test_the_admin_is_held_back_too(client):
    admin_user = make_staff(Role.SYSTEM_ADMINISTRATOR, is_staff=True)
    client.force_login(admin_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)


def test_signing_out_works_before_the_second_factor(client, user):
    client.force_login(user)

    response = client.post("/account/sign-out/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_user_who_confirmed_a_code_reaches_every_page(client, user):
    pass_second_factor(client, user)

    assert client.get(FAMILIES).status_code == 200


def test_an_offsite_next_address_is_ignored(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)

    response = client.post(VERIFY, {"code": app_code(device), "next": "https://evil.example/"})

    assert response["Location"] == HOME


# Setting up an authenticator app -------------------------------------------------------


def test_set_up_shows_a_qr_code_image_and_the_key_to_type_in(client, user):
    client.force_login(user)

    response = client.get(SET_UP)

    assert response.status_code == 200
    content = response.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    qr = re.search(r'<img class="eh-qr-code" src="data:image/svg\+xml;base64,([^"]+)"', content)
    assert qr, "no QR code image"
    assert base64.b64decode(qr.group(1)).lstrip().startswith(b"<?xml")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'data-testid="totp-secret">([^<]+)<', content).group(1)
    assert shown.replace(" ", "") == secret
    assert 'alt="QR code to scan with your authenticator app"' in content
    # The strict Content-Security-Policy allows data: images and no inline script.
    assert "<script>" not in content


def test_reloading_set_up_shows_the_same_key(client, user):
    client.force_login(user)
    client.get(SET_UP)
    client.get(SET_UP)

    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_confirming_the_app_gives_ten_recovery_codes_once_and_is_audited(client, user):
    client.force_login(user)

    device, codes = _set_up(client, user)

    assert len(codes) == 10 == len(set(codes))
    device.refresh_from_db()
    assert device.confirmed
    static = StaticDevice.objects.get(user=user)
    assert sorted(static.token_set.values_list("token", flat=True)) == sorted(codes)
    event = AuditEvent.objects.get(code="two_factor.enrolled")
    assert event.actor == user
    assert event.kind == Kind.WRITE
    assert not any(code in str(event.details) for code in codes)
    # The session is now verified: the rest of the service opens.
    assert client.get(FAMILIES).status_code == 200


def test_the_recovery_codes_page_after_set_up_has_a_panel_and_a_warning(client, user):
    client.force_login(user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SET_UP, {"code": app_code(device), "next": FAMILIES})

    content = response.content.decode()
    assert "govuk-panel--confirmation" in content
    assert "Two-factor sign-in is set up" in content
    assert "govuk-warning-text" in content
    assert "shown only once" in content
    assert f'href="{FAMILIES}"' in content


def test_a_wrong_code_at_set_up_is_shown_by_the_field_and_nothing_is_confirmed(client, user):
    client.force_login(user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(SET_UP, {"code": wrong})

    assert response.status_code == 200
    assert _field_error(response) == (
        "The code is not correct. Check your authenticator app and try again"
    )
    assert "There is a problem" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(code="two_factor.verification_failed").details == {
        "method": "authenticator app",
        "reason": "wrong code",
    }


def test_set_up_asks_for_six_digits(client, user):
    client.force_login(user)
    client.get(SET_UP)

    response = client.post(SET_UP, {"code": "abc"})

    assert _field_error(response) == "Enter the 6-digit code from your authenticator app"


def test_set_up_is_closed_once_an_app_is_confirmed(client, user):
    give_authenticator_app(user)
    client.force_login(user)

    response = client.get(SET_UP)

    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=user).count() == 1


# Confirming a sign-in ------------------------------------------------------------------


def test_the_code_from_the_app_confirms_the_sign_in_and_is_audited(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)

    response = client.post(VERIFY, {"code": app_code(device), "next": FAMILIES})

    assert response.status_code == 302
    assert response["Location"] == FAMILIES
    event = AuditEvent.objects.get(code="two_factor.verified")
    assert event.actor == user
    assert event.kind == Kind.SIGN_IN
    assert event.details == {"method": "authenticator app"}


def test_confirming_the_code_gives_a_new_session_key(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)
    before = client.session.session_key

    client.post(VERIFY, {"code": app_code(device)})

    assert client.session.session_key != before
    assert client.get(FAMILIES).status_code == 200


def test_a_code_with_spaces_is_accepted(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)
    code = app_code(device)

    response = client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})

    assert response.status_code == 302


def test_a_wrong_code_is_shown_by_the_field_and_audited(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)
    wrong = f"{(int(app_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"code": wrong})

    assert response.status_code == 200
    assert _field_error(response) == (
        "The code is not correct. Check your authenticator app and try again"
    )
    assert client.get(FAMILIES).status_code == 302
    event = AuditEvent.objects.get(code="two_factor.verification_failed")
    assert event.actor == user
    assert event.kind == Kind.SIGN_IN


def test_an_empty_code_says_what_to_enter(client, user):
    give_authenticator_app(user)
    client.force_login(user)

    response = client.post(VERIFY, {"code": ""})

    assert _field_error(response) == (
        "Enter the 6-digit code from your authenticator app, or a recovery code"
    )


def test_a_code_cannot_be_used_twice(client, user):
    device = give_authenticator_app(user)
    code = app_code(device)
    client.force_login(user)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    client.force_login(user)

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert "is not correct" in _field_error(response)


# Throttling ----------------------------------------------------------------------------


def test_throttling_is_on_for_app_codes_and_recovery_codes(user):
    assert TOTPDevice(user=user).get_throttle_factor() > 0
    assert StaticDevice(user=user).get_throttle_factor() > 0


def test_after_a_wrong_code_even_the_right_one_must_wait(client, user):
    device = give_authenticator_app(user)
    client.force_login(user)
    client.post(VERIFY, {"code": "000000" if app_code(device) != "000000" else "111111"})

    response = client.post(VERIFY, {"code": app_code(device)})

    assert response.status_code == 200
    assert _field_error(response).startswith(
        "You have entered too many wrong codes. Wait 1 second, then try again"
    )
    reasons = list(
        AuditEvent.objects.filter(code="two_factor.verification_failed").values_list(
            "details__reason", flat=True
        )
    )
    assert sorted(reasons) == ["too many attempts", "wrong code"]


def test_each_wrong_code_doubles_the_wait(client, user):
    device = give_authenticator_app(user)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client.force_login(user)

    response = client.post(VERIFY, {"code": app_code(device)})

    assert "Wait 16 seconds" in _field_error(response)


def test_once_the_wait_is_over_the_right_code_works(client, user):
    device = give_authenticator_app(user)
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = timezone.now() - dt.timedelta(seconds=5)
    device.save()
    client.force_login(user)

    response = client.post(VERIFY, {"code": app_code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


# Recovery codes --------------------------------------------------------------------------


def test_a_recovery_code_works_once_and_its_use_is_audited(client, user):
    give_authenticator_app(user)
    give_recovery_codes(user, ["abcd2345", "efgh6723"])
    client.force_login(user)

    response = client.post(VERIFY, {"code": "ABCD-2345", "next": FAMILIES}, follow=True)

    assert response.redirect_chain[-1][0] == FAMILIES
    assert "You used a recovery code. You have 1 left" in response.content.decode()
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6723"]
    used = AuditEvent.objects.get(code="two_factor.recovery_code_used")
    assert used.actor == user
    assert used.details == {"codes_left": 1}
    assert AuditEvent.objects.get(code="two_factor.verified").details == {"method": "recovery code"}

    client.logout()
    client.force_login(user)
    again = client.post(VERIFY, {"code": "abcd2345"})

    assert again.status_code == 200
    assert _field_error(again) == (
        "The recovery code is not correct, or it has been used. Check it and try again"
    )


def test_making_new_recovery_codes_needs_an_app_code_and_replaces_the_old_ones(client, user):
    give_recovery_codes(user, ["abcd2345"])
    device = pass_second_factor(client, user)

    refused = client.post(RECOVERY, {"code": "12345"})
    assert _field_error(refused) == "Enter the 6-digit code from your authenticator app"
    response = client.post(RECOVERY, {"code": app_code(device, steps_ahead=1)})

    assert response.status_code == 200
    codes = _recovery_codes_on(response)
    assert len(codes) == 10
    assert "abcd2345" not in codes
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert "Your old recovery codes no longer work" in response.content.decode()
    event = AuditEvent.objects.get(code="two_factor.recovery_codes_regenerated")
    assert event.actor == user


def test_the_recovery_codes_page_says_how_many_are_left(client, user):
    give_recovery_codes(user, ["abcd2345", "efgh6723", "ijkl2345"])
    pass_second_factor(client, user)

    response = client.get(RECOVERY)

    assert "You have 3 unused recovery codes" in response.content.decode()


def test_the_recovery_codes_page_needs_the_second_factor_first(client, user):
    give_authenticator_app(user)
    client.force_login(user)

    response = client.get(RECOVERY)

    assert response.status_code == 302
    assert response["Location"].startswith(TWO_FACTOR)


# Password lockout still works ----------------------------------------------------------


def test_password_lockout_still_applies_with_two_factor_on(client, user):
    for _ in range(5):
        client.post(SIGN_IN, {"username": EMAIL, "password": "not the password"})

    response = client.post(SIGN_IN, {"username": EMAIL, "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
