"""Troubled Families in a real browser: the key worker attaches a family from the case
page (after an ineligible attempt is refused by the field) and records progress; the
head of service reads programme progress and the claims report and makes a claim. Every
page is checked with axe-core and for CSP violations and console errors."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from earlyhelp.claims.loader import load_frameworks
from earlyhelp.claims.models import Claim, NeedProgress
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in, sign_out
from tests.casework import build_world, open_case
from tests.claims.conftest import attach, sustain, today


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def _subnav(page: Page, name: str):
    nav = page.get_by_role("navigation", name="Claims pages")
    return nav.get_by_role("link", name=name, exact=True)


def _fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def test_attach_record_progress_and_claim_in_the_browser(page: Page, live_server):
    world = build_world()
    load_frameworks()
    due = attach(world, attached_on=today() - dt.timedelta(days=300))
    sustain(due)
    case = open_case(world)

    # The key worker attaches the family from the case page.
    sign_in(page, live_server, world.key_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="The family's programme attachment, progress and claim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Attach the family to Troubled Families (phase 2)"
    )
    _check(page, "Attach form")
    page.get_by_label("Families affected by domestic violence and abuse", exact=True).check()
    page.get_by_label("Evidence: Families affected by domestic violence and abuse").fill(
        "MARAC referral"
    )
    page.get_by_role("button", name="Attach the family").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 2 needs")
    _check(page, "Attach form with the refusal")

    page.get_by_label("Parents or children with a range of health problems", exact=True).check()
    page.get_by_label("Evidence: Parents or children with a range of health problems").fill(
        "GP letter"
    )
    page.get_by_role("button", name="Attach the family").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is attached")
    _check(page, "Attached family")

    page.get_by_role("link", name="Record progress on Parents or children with a range").click()
    page.get_by_label("Progress made", exact=True).check()
    _fill_date(page, "Date of the evidence", today())
    page.get_by_label("Evidence", exact=True).fill("Attending the clinic every week")
    _check(page, "Progress form")
    page.get_by_role("button", name="Save progress").click()
    expect(page.locator("#needs ~ table").first).to_contain_text("Attending the clinic")
    assert NeedProgress.objects.filter(evidence="Attending the clinic every week").exists()
    sign_out(page)

    # The head of service reads the figures and the report, and claims.
    sign_in(page, live_server, world.head.email)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Family outcomes claims"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme progress")
    _check(page, "Programme progress")
    _subnav(page, "Attached families").click()
    _check(page, "Attached families")
    _subnav(page, "Families who look eligible").click()
    _check(page, "Families who look eligible")

    _subnav(page, "Claims report").click()
    _fill_date(page, "From", today() - dt.timedelta(days=200))
    _fill_date(page, "To", today())
    page.get_by_role("button", name="Show the window").click()
    expect(page.locator("#due-progress")).to_contain_text("Sustained on crime-asb")
    _check(page, "Claims report")

    page.get_by_role("link", name=f"Make the claim for the {due.family.name} family").click()
    _check(page, "Claim confirmation")
    page.get_by_role("button", name="Make the claim").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Claim made")
    assert Claim.objects.get().attachment == due

    page.goto(f"{live_server.url}/claims/report/")
    expect(page.locator("#claimed")).to_contain_text(f"{due.family.name} family")
    _check(page, "Claims report with the claim")
