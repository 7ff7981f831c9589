"""An outreach worker records a detached session on a 375-pixel-wide phone screen: first
with the end before the start (refused, with the message by the field), then properly.
A manager then looks at the rota, the Talkzone log and the reach report on a desktop.
Every page is checked with axe-core and for CSP violations and console errors."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from earlyhelp.outreach.models import OutreachSession
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.outreach.conftest import build_outreach_world


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def _fits_the_screen(page: Page) -> None:
    """Nothing makes the phone scroll sideways."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


def test_an_outreach_worker_records_a_detached_session_on_a_phone(mobile_page: Page, live_server):
    ow = build_outreach_world()
    page = mobile_page
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    sign_in(page, live_server, ow.outreach_worker.email)

    page.goto(live_server.url + "/outreach/")
    _check(page, "Outreach sessions on a phone")
    page.get_by_role("button", name="Record a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a session")
    _fits_the_screen(page)
    _check(page, "Session form on a phone")

    page.get_by_label("Detached", exact=True).check()
    page.get_by_label("District", exact=True).select_option(label=ow.world.district.name)
    page.get_by_label("Neighbourhood, village or estate").fill("Moor Park")
    page.get_by_label("This is a priority neighbourhood").check()
    page.get_by_label("Street location").check()
    date = page.get_by_role("group", name="Date of the session")
    date.get_by_label("Day", exact=True).fill(str(yesterday.day))
    date.get_by_label("Month", exact=True).fill(str(yesterday.month))
    date.get_by_label("Year", exact=True).fill(str(yesterday.year))
    page.get_by_label("Start time").fill("19:00")
    page.get_by_label("End time").fill("18:00")
    page.get_by_label("11 to 15").fill("8")
    page.get_by_label("16 to 19").fill("3")
    page.get_by_label("Anti-social behaviour").check()
    page.get_by_label("Follow-ups agreed").fill("2")
    page.get_by_role("button", name="Save session").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The end time must be after the start time")
    expect(page.locator("#id_end_time-error")).to_contain_text(
        "The end time must be after the start time"
    )
    _fits_the_screen(page)
    _check(page, "Session form with an error on a phone")

    page.get_by_label("End time").fill("21:00")
    page.get_by_role("button", name="Save session").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Session recorded")
    expect(page.get_by_role("heading", level=1)).to_have_text("Detached session in Moor Park")
    _fits_the_screen(page)
    _check(page, "Session page on a phone")
    session = OutreachSession.objects.get()
    assert session.priority_neighbourhood is True
    assert sum(c.count for c in session.contact_counts.all()) == 11


def test_a_manager_reads_the_rota_talkzone_log_and_reach(page: Page, live_server):
    ow = build_outreach_world()
    sign_in(page, live_server, ow.world.head.email)

    for path, heading in (
        ("/talkzone/", "Talkzone"),
        ("/talkzone/new/", "Record a Talkzone contact"),
        ("/talkzone/rota/", None),
        ("/outreach/areas/", "Areas served"),
        ("/outreach/reach/", "Reach"),
    ):
        page.goto(live_server.url + path)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _check(page, path)
    expect(page.locator("svg.eh-chart")).to_be_visible()
