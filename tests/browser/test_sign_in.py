"""Signing in and out in a real browser: what each role lands on, the error state, the
accessibility of each, and that the strict Content-Security-Policy breaks no script."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from earlyhelp.accounts.roles import Role
from tests.browser.axe import assert_accessible
from tests.browser.helpers import (
    assert_no_browser_errors,
    browser_log,
    sign_in,
    sign_out,
    submit_sign_in,
)
from tests.factories import make_staff

WRONG_LOGIN_MESSAGE = "Enter a correct email address and password"


def _menu(page: Page):
    return page.get_by_role("navigation", name="Menu")


def test_sign_in_page_passes_axe(page: Page, live_server):
    page.goto(live_server.url + reverse("accounts:sign-in"))

    expect(page).to_have_title(f"Sign in \N{EN DASH} {settings.SERVICE_NAME}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {settings.SERVICE_NAME}")
    assert_accessible(page, "Sign-in page")


def test_sign_in_page_passes_axe_on_a_phone_without_sideways_scrolling(
    mobile_page: Page, live_server
):
    mobile_page.goto(live_server.url + reverse("accounts:sign-in"))

    expect(mobile_page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert mobile_page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    ), "the sign-in page is wider than a 375px screen"
    assert_accessible(mobile_page, "Sign-in page at 375px")


def test_key_worker_lands_on_home_with_role_and_families_link_then_signs_out(
    page: Page, live_server
):
    key_worker = make_staff(Role.KEY_WORKER)

    sign_in(page, live_server, key_worker.email)

    expect(page).to_have_url(live_server.url + reverse("core:home"))
    expect(page.get_by_text("Key worker", exact=True)).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Families", exact=True)).to_be_visible()
    assert_accessible(page, "Home page, key worker")

    sign_out(page)

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sign in to {settings.SERVICE_NAME}")
    # Signed out for real: home sends the browser back to sign in.
    page.goto(live_server.url + reverse("core:home"))
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:sign-in"))))


def test_quality_review_officer_sees_audit_log_and_not_families(page: Page, live_server):
    officer = make_staff(Role.QUALITY_REVIEW_OFFICER)

    sign_in(page, live_server, officer.email)

    expect(page.get_by_text("Quality review officer", exact=True)).to_be_visible()
    expect(_menu(page).get_by_role("link", name="Audit log", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Families", exact=True)).to_have_count(0)
    assert_accessible(page, "Home page, quality review officer")


def test_wrong_password_shows_the_error_summary_and_passes_axe(page: Page, live_server):
    key_worker = make_staff(Role.KEY_WORKER)

    submit_sign_in(page, live_server, key_worker.email, "not the password at all")

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name=WRONG_LOGIN_MESSAGE)).to_be_visible()
    expect(page).to_have_title(f"Error: Sign in \N{EN DASH} {settings.SERVICE_NAME}")
    # GOV.UK Frontend's error summary takes focus so screen readers announce it.
    expect(summary).to_be_focused()
    # The email address is kept; the password is not.
    expect(page.get_by_label("Email address", exact=True)).to_have_value(key_worker.email)
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page, "Sign-in page after a wrong password")


def test_wrong_password_message_links_to_the_email_field(page: Page, live_server):
    key_worker = make_staff(Role.KEY_WORKER)
    submit_sign_in(page, live_server, key_worker.email, "not the password at all")

    link = page.locator(".govuk-error-summary").get_by_role("link", name=WRONG_LOGIN_MESSAGE)
    email = page.get_by_label("Email address", exact=True)
    expect(link).to_be_visible()
    assert link.get_attribute("href") == "#" + email.get_attribute("id")
    link.click()
    expect(email).to_be_focused()


def test_scripts_from_files_start_govuk_frontend_and_htmx_without_errors(page: Page, live_server):
    key_worker = make_staff(Role.KEY_WORKER)

    page.goto(live_server.url + reverse("accounts:sign-in"))
    # core/init.js ran (no inline script), so GOV.UK Frontend's CSS knows JS is on...
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    # ...and core/app.mjs imported GOV.UK Frontend and initialised its components.
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_have_attribute(
        "data-govuk-button-init", ""
    )
    assert page.evaluate("() => typeof window.htmx === 'object'"), "htmx did not load"

    sign_in(page, live_server, key_worker.email)
    expect(page.locator("[data-module='govuk-service-navigation']")).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )
    assert page.evaluate("() => document.body.classList.contains('govuk-frontend-supported')")
    assert not browser_log(page).page_errors, browser_log(page).page_errors


def test_sign_in_and_home_pages_cause_no_csp_violations_or_console_errors(page: Page, live_server):
    key_worker = make_staff(Role.KEY_WORKER)

    page.goto(live_server.url + reverse("accounts:sign-in"))
    expect(page.locator(".govuk-skip-link")).to_have_attribute("data-govuk-skip-link-init", "")
    assert_no_browser_errors(page, "Sign-in page")

    sign_in(page, live_server, key_worker.email)
    expect(page.locator("[data-module='govuk-service-navigation']")).to_have_attribute(
        "data-govuk-service-navigation-init", ""
    )
    assert_no_browser_errors(page, "Home page, key worker")


def test_console_watch_reports_a_blocked_inline_script(page: Page, live_server):
    """The harness's own check: a CSP violation reaches ``assert_no_browser_errors``."""
    page.goto(live_server.url + reverse("accounts:sign-in"))

    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
        }"""
    )

    assert not page.evaluate("() => window.inlineRan === true"), "CSP let an inline script run"
    # The console message arrives asynchronously; waiting lets Playwright deliver it.
    for _ in range(20):
        if browser_log(page).csp_violations():
            break
        page.wait_for_timeout(100)
    with pytest.raises(AssertionError, match="Content Security Policy"):
        assert_no_browser_errors(page, "Sign-in page with an injected inline script")
