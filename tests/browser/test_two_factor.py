"""Two-factor sign-in in a real browser: setting up an authenticator app from the key on
the page, the recovery codes, then confirming a later sign-in with a code (after a wrong
one); each page checked with axe-core and under the strict Content-Security-Policy."""

from __future__ import annotations

import base64
import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from earlyhelp.accounts.roles import Role
from tests.accounts.two_factor import app_code, give_authenticator_app
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_out, submit_sign_in
from tests.factories import make_staff

pytestmark = pytest.mark.usefixtures("two_factor_required")


def _code_field(page: Page):
    return page.get_by_label(re.compile(r"^Code"))


def test_setting_up_an_app_then_signing_in_with_a_code_passes_axe(page: Page, live_server):
    user = make_staff(Role.KEY_WORKER, email="sam.worker@example.test")

    submit_sign_in(page, live_server, user.email)

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    qr_code = page.get_by_role("img", name="QR code to scan with your authenticator app")
    expect(qr_code).to_be_visible()
    assert_accessible(page, "Two-factor set-up page")
    page.get_by_text("I cannot scan the QR code").click()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=user)
    assert secret == base64.b32encode(device.bin_key).decode().rstrip("=")

    _code_field(page).fill("12")
    page.get_by_role("button", name="Confirm code").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the 6-digit code from your authenticator app"
    )
    assert_accessible(page, "Two-factor set-up page with an error")

    _code_field(page).fill(app_code(device))
    page.get_by_role("button", name="Confirm code").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is set up")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert_accessible(page, "Recovery codes page")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page).to_have_url(live_server.url + "/")
    sign_out(page)

    submit_sign_in(page, live_server, user.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your two-factor code")
    assert_accessible(page, "Two-factor code page")
    right = app_code(device, steps_ahead=1)
    _code_field(page).fill("000000" if right != "000000" else "111111")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-message")).to_contain_text("The code is not correct")
    assert_accessible(page, "Two-factor code page with an error")

    page.wait_for_timeout(1100)  # the wait after one wrong code is one second
    _code_field(page).fill(right)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_server.url + "/")
    assert_no_browser_errors(page, "Two-factor sign-in journey")


def test_staff_two_factor_page_and_reset_pass_axe(page: Page, live_server):
    admin_user = make_staff(Role.SYSTEM_ADMINISTRATOR, email="admin@example.test")
    device = give_authenticator_app(admin_user)
    worker = make_staff(Role.KEY_WORKER, email="sam.worker@example.test")
    give_authenticator_app(worker)

    submit_sign_in(page, live_server, admin_user.email)
    _code_field(page).fill(app_code(device))
    page.get_by_role("button", name="Continue").click()
    page.goto(live_server.url + reverse("accounts:two-factor-staff"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Staff two-factor sign-in")
    assert_accessible(page, "Staff two-factor page")
    page.get_by_role("link", name=f"Reset two-factor sign-in for {worker.email}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset two-factor sign-in?")
    assert_accessible(page, "Reset two-factor page")
    page.get_by_role("button", name="Reset two-factor sign-in").click()

    expect(page.get_by_role("alert", name="Success")).to_contain_text(
        "Two-factor sign-in reset for"
    )
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert_no_browser_errors(page, "Staff two-factor reset")
