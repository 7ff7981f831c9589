"""Resource planning in a real browser: the head of service copies the default scenario,
raises the cases a year, sees the casework FTE change and compares with the default;
axe on the list, inputs, scenario and comparison pages, and no CSP violation."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from earlyhelp.accounts.roles import Role
from earlyhelp.planning import services
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.factories import make_staff


def _summary_value(page: Page, label: str):
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator("dt", has_text=re.compile(rf"^{re.escape(label)}$"))
    )
    return row.locator("dd")


def test_head_of_service_copies_changes_and_compares_a_scenario(page: Page, live_server):
    head = make_staff(Role.HEAD_OF_SERVICE)
    sign_in(page, live_server, head.email)

    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Resource planning", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resource planning")
    assert_accessible(page, "Scenario list")

    page.get_by_role("link", name=services.DEFAULT_NAME).click()
    expect(_summary_value(page, "Casework FTE required")).to_have_text("174.9")
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert_accessible(page, "Default scenario")

    page.get_by_role("button", name="Copy scenario").click()
    page.get_by_label("Name", exact=True).fill("Twelve thousand cases")
    page.get_by_role("button", name="Copy scenario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Twelve thousand cases")

    page.get_by_role("button", name="Change inputs").click()
    expect(page.get_by_label("Working weeks a year per FTE")).to_be_visible()
    assert_accessible(page, "Inputs form")
    page.get_by_label("Working weeks a year per FTE").fill("0")
    page.get_by_role("button", name="Save inputs").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be more than zero")
    assert_accessible(page, "Inputs form with an error")
    page.get_by_role("link", name=re.compile("Working weeks a year per FTE")).click()
    expect(page.get_by_label("Working weeks a year per FTE")).to_be_focused()
    page.get_by_label("Working weeks a year per FTE").fill("46")
    page.get_by_label("Total cases a year").fill("12000")
    page.get_by_role("button", name="Save inputs").click()

    expect(_summary_value(page, "Casework FTE required")).to_have_text("209.88")
    expect(_summary_value(page, "Slots required")).to_have_text("106,200")

    page.get_by_role("link", name="Resource planning", exact=True).click()
    page.get_by_label(f"Compare {services.DEFAULT_NAME}").check()
    page.get_by_label("Compare Twelve thousand cases").check()
    page.get_by_role("button", name="Compare chosen scenarios").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Compare scenarios")
    row = page.locator("#figures tr").filter(
        has=page.locator("th", has_text=re.compile(r"^Casework FTE required"))
    )
    expect(row.locator("td")).to_have_text(["174.9", "209.88"])
    expect(row).to_contain_text("differs")
    assert_accessible(page, "Comparison")
    assert_no_browser_errors(page, "Planning journey")


def test_simulated_scenario_page_passes_axe_with_its_chart(page: Page, live_server):
    manager = make_staff(Role.LOCALITY_MANAGER)
    scenario = services.create_scenario(actor=manager, name="Simulated year")
    services.simulate_scenario(
        actor=manager, scenario_id=scenario.pk, replications=2, seed=4, workers_levels=[130, 175]
    )
    sign_in(page, live_server, manager.email)

    page.goto(f"{live_server.url}/planning/{scenario.pk}/")

    expect(page.locator("svg[role=img]")).to_have_count(3)
    expect(page.get_by_role("table", name=re.compile("Share allocated on time"))).to_be_visible()
    assert_accessible(page, "Simulated scenario")
    assert_no_browser_errors(page, "Simulated scenario")
