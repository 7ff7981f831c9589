"""Helpers for the two-factor tests: devices, the codes an authenticator app would show,
and a client that has passed the second step."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from earlyhelp.accounts.services import AUTHENTICATOR_APP, RECOVERY_CODES

SIGN_IN = "/account/sign-in/"
TWO_FACTOR = "/account/two-factor/"
SET_UP = "/account/two-factor/set-up/"
VERIFY = "/account/two-factor/verify/"
RECOVERY = "/account/two-factor/recovery-codes/"
STAFF = "/account/two-factor/staff/"


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the user's authenticator app shows now (or some 30-second steps on)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def give_authenticator_app(user) -> TOTPDevice:
    """A confirmed authenticator app, as if the user had set it up earlier."""
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_APP, confirmed=True)


def give_recovery_codes(user, codes: list[str]) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES, confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def pass_second_factor(client, user) -> TOTPDevice:
    """Sign the client in as the user and confirm a code, as at a real sign-in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or (
        give_authenticator_app(user)
    )
    client.force_login(user)
    response = client.post(VERIFY, {"code": app_code(device)})
    assert response.status_code == 302, response.content.decode()
    return device
