"""The data-protection pages in a real browser: a subject access request and a retention
review, each page axe-core clean."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from earlyhelp.people.models import Person
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world
from tests.privacy.helpers import close_long_ago, household


def test_head_of_service_runs_a_subject_access_request_and_proposes_an_erasure(
    page: Page, live_server
):
    world = build_world()
    h = household(world)
    close_long_ago(h.case, closed_on=dt.date(2005, 3, 1))
    Person.objects.filter(pk=h.child.pk).update(date_of_birth=dt.date(1995, 1, 1))
    sign_in(page, live_server, world.head.email)

    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Data protection", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection")
    assert_accessible(page, "Data protection")
    page.get_by_role("link", name="Subject access requests").click()
    page.get_by_label("Name").fill("Sam")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Sam Testfamily")).to_be_visible()
    assert_accessible(page, "Person search results")
    page.get_by_role("link", name="Sam Testfamily").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Testfamily")
    assert_accessible(page, "Subject access preview")

    page.goto(f"{live_server.url}/privacy/retention/")
    assert_accessible(page, "Retention review list")
    page.get_by_role("link", name="Decide").first.click()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "Retention decision with errors")
    page.get_by_label("Erase").check()
    page.get_by_label("Reason").fill("Past the period")
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_text("someone else must approve it")).to_be_visible()
    assert_accessible(page, "Retention review proposed")
    assert_no_browser_errors(page, "Data protection pages")
