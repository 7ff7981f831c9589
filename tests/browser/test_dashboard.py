"""The performance dashboard in a real browser: a head of service opens it from the
menu, chooses a quarter, follows a figure to its cases and opens the governance reports
page; axe-core clean and nothing blocked by the Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world
from tests.reporting.data import build_reporting_data


def test_head_of_service_reads_the_dashboard_and_follows_a_figure(page: Page, live_server):
    world = build_world()
    data = build_reporting_data(world)
    sign_in(page, live_server, world.head.email)

    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Performance", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance")
    assert_accessible(page, "Performance dashboard (default period)")

    page.get_by_text("Choose the place and period").click()
    page.get_by_label("Quarter").fill("2026Q2")
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator("#scope")).to_contain_text("1 April 2026 to 30 June 2026")
    expect(
        page.get_by_role("img", name="Open cases by case type against the profile")
    ).to_be_visible()
    timescales = page.locator("#figures-timescales")
    expect(timescales.get_by_role("row", name="Allocation: median")).to_contain_text(
        "4 working days"
    )
    assert_accessible(page, "Performance dashboard for a quarter")

    timescales.get_by_role("link", name="Allocation: later, see the list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases behind a figure")
    expect(page.get_by_role("cell", name=data.b.urn, exact=True)).to_be_visible()
    assert_accessible(page, "Cases behind a figure")

    page.goto(f"{live_server.url}/reports/governance/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Governance reports")
    assert_accessible(page, "Governance reports page")
    assert_no_browser_errors(page, "Performance pages")
