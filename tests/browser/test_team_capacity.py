"""Team capacity in a real browser: a manager opens the team view, sorts it by headroom,
opens a worker with the caseload chart, records an absence (first with an end before
the start) and sees it reduce the week's slots; axe on every page, no CSP violation."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world
from tests.workforce.helpers import hold


def _fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_manager_sorts_the_team_opens_a_worker_and_records_an_absence(page: Page, live_server):
    world = build_world()
    hold(world.key_worker, {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1})
    hold(world.second_worker, {"L2B": 3})
    sign_in(page, live_server, world.manager.email)

    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Team capacity", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Capacity of {world.team.name}")
    assert_accessible(page, "Team capacity")

    table = page.locator("#team-capacity")
    page.get_by_role("link", name=re.compile(r"^Headroom \(cases\)")).click()
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Headroom")
    first_row = table.locator("tbody tr").first
    expect(first_row).to_contain_text(world.key_worker.get_full_name())
    expect(first_row).to_contain_text("Over capacity")
    page.get_by_role("link", name=re.compile(r"^Headroom \(cases\)")).click()
    expect(table.locator("th[aria-sort=descending]")).to_contain_text("Headroom")
    expect(table.locator("tbody tr").first).to_contain_text(world.second_worker.get_full_name())
    assert_accessible(page, "Team capacity sorted")

    table.get_by_role("link", name=world.key_worker.get_full_name()).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Capacity of {world.key_worker.get_full_name()}"
    )
    expect(page.get_by_role("img", name="Caseload allocation: 18 cases")).to_be_visible()
    assert_accessible(page, "Worker capacity")

    page.get_by_role("link", name="Record an absence").click()
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    page.get_by_label("Annual leave").check()
    _fill_date(page, "First day away", monday + dt.timedelta(days=4))
    _fill_date(page, "Last day away", monday)
    page.get_by_role("button", name="Record absence").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The last day must be the same as or after the first day"
    )
    assert_accessible(page, "Absence form with an error")

    _fill_date(page, "First day away", monday)
    _fill_date(page, "Last day away", monday + dt.timedelta(days=13))
    page.get_by_role("button", name="Record absence").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Absence recorded")
    expect(page.locator("#absences ~ table")).to_contain_text("Annual leave")
    expect(
        page.get_by_role("img", name=re.compile("visits needed against visit slots"))
    ).to_be_visible()
    expect(page.locator(".govuk-inset-text")).to_have_text(
        f"{world.key_worker.get_full_name()} is recorded as absent today."
    )
    slots = page.locator("tr").filter(has=page.locator("th", has_text="Slots available"))
    expect(slots.locator("td")).to_have_text("0")
    assert_accessible(page, "Worker capacity with an absence")
    assert_no_browser_errors(page, "Team capacity journey")
