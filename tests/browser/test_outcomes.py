"""The outcomes pages in a real browser: the cohort Star page with its charts and tables,
a case's Star radar chart, following a figure to its cases; axe-core clean and nothing
blocked by the Content-Security-Policy."""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world
from tests.outcomes.data import build_outcomes_data


def test_head_of_service_reads_cohort_star_and_follows_a_figure(page: Page, live_server):
    world = build_world()
    data = build_outcomes_data(world)
    sign_in(page, live_server, world.head.email)

    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Outcomes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes")
    assert_accessible(page, "Cohort outcomes page")

    page.get_by_role("link", name="Outcomes Star distance travelled").click()
    expect(page.get_by_role("img", name="Share of families improving in each area")).to_be_visible()
    expect(page.get_by_role("img", name="Mean distance travelled in each area")).to_be_visible()
    table = page.locator("#cohort-star")
    expect(table.get_by_role("row", name="Routines")).to_contain_text("+3.00")
    assert_accessible(page, "Cohort Star page")

    table.get_by_role("link", name="families declining in Boundaries").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases behind a figure")
    expect(page.get_by_role("cell", name=data.a.urn, exact=True)).to_be_visible()
    assert_accessible(page, "Cases behind a figure")
    assert_no_browser_errors(page, "Outcomes pages")


def test_key_worker_sees_a_case_star_as_a_radar_chart(page: Page, live_server):
    world = build_world()
    data = build_outcomes_data(world)
    sign_in(page, live_server, world.key_worker.email)

    page.goto(live_server.url + reverse("cases:detail", args=[data.a.pk]))
    page.get_by_role("link", name="Outcomes targeted and achieved, and the Star chart").click()
    chart = page.get_by_role("img", name="Family Star: scores at each reading")
    expect(chart).to_be_visible()
    assert chart.locator("polygon[stroke-width='3']").count() == 2
    expect(page.locator("#star-table-0").get_by_role("row", name="Routines")).to_contain_text(
        "+5 (improving)"
    )
    expect(page.locator("#case-outcomes")).to_contain_text("Achieved")
    assert_accessible(page, "Case outcomes and Star chart")
    assert_no_browser_errors(page, "Case outcomes page")
