"""Safeguarding concerns in a real browser: another key worker in the team raises a
concern and reads it back; the DSO reads it on the outcome page and records the
outcome; the key worker reads both; a business support officer in the team sees the
concern, its status and dates but only "Details are restricted to those who need them".
Every page is checked with axe-core and for CSP violations and console errors."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from earlyhelp.cases.models import SafeguardingConcern
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in, sign_out
from tests.casework import build_world, open_case

CONCERN = "Alex said his stepfather locks him in his room at night"
OUTCOME = "Strategy discussion with CSC; section 47 enquiry opened"
RESTRICTED = "Details are restricted to those who need them"


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def test_a_concern_is_read_by_those_who_need_it_and_seen_as_restricted_by_others(
    page: Page, live_server
):
    world = build_world()
    case = open_case(world)
    case_page = f"{live_server.url}/cases/{case.pk}/"
    concerns = page.locator(".govuk-summary-card").filter(has_text="Concern raised")

    sign_in(page, live_server, world.second_worker.email)
    page.goto(case_page)
    page.get_by_role("button", name="Child needs protection").click()
    page.get_by_label("What is the concern?").fill(CONCERN)
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Safeguarding concern raised"
    )
    expect(concerns.filter(has_text=CONCERN)).to_have_count(1)
    _check(page, "Case page for the person who raised the concern")
    sign_out(page)

    concern = SafeguardingConcern.objects.get()
    sign_in(page, live_server, world.dso.email)
    page.goto(live_server.url + reverse("cases:safeguarding-outcome", args=[concern.pk]))
    expect(page.get_by_text(CONCERN)).to_be_visible()
    _check(page, "Record the safeguarding outcome")
    page.get_by_label("What is the outcome?").fill(OUTCOME)
    page.get_by_role("button", name="Record outcome").click()
    expect(concerns.filter(has_text=OUTCOME)).to_have_count(1)
    sign_out(page)

    sign_in(page, live_server, world.key_worker.email)
    page.goto(case_page)
    expect(concerns.filter(has_text=CONCERN).filter(has_text=OUTCOME)).to_have_count(1)
    sign_out(page)

    sign_in(page, live_server, world.business_support.email)
    page.goto(case_page)
    card = concerns.first
    expect(card).to_contain_text(str(world.second_worker))
    expect(card).to_contain_text(f"Recorded by {world.dso}")
    expect(card.locator(".govuk-inset-text")).to_have_text(RESTRICTED)
    expect(page.get_by_text(CONCERN)).to_have_count(0)
    expect(page.get_by_text(OUTCOME)).to_have_count(0)
    _check(page, "Case page for someone the concern's details are restricted from")
