"""A manager proposes a bulk allocation of the team's waiting queue and accepts it in a
real browser: the queue with its SLA forecast, the proposal with its reasons, and the
cases opened. Each page is checked with axe-core and for browser errors."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from earlyhelp.allocation.models import AllocationProposal, LineStatus
from earlyhelp.cases.models import Case
from tests.allocation.helpers import load, waiting
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def test_a_manager_accepts_a_bulk_proposal(page: Page, live_server):
    world = build_world()
    load(world.key_worker, 17)  # one place left
    requests = [waiting(world, name=name) for name in ("Ash", "Birch", "Cedar")]
    sign_in(page, live_server, world.manager.email)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Allocation").click()
    page.get_by_role("link", name=world.team.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Waiting requests and the 5-day forecast"
    )
    expect(page.get_by_role("cell", name="Ash family")).to_be_visible()
    _check(page, "the team's queue with its forecast")

    page.get_by_role("button", name="Propose allocation").click()
    proposal = AllocationProposal.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Allocation proposal {proposal.pk}")
    expect(page.get_by_text("Headroom: 11 cases").first).to_be_visible()
    _check(page, "the proposal")

    page.get_by_role("button", name="Submit decisions").click()

    expect(page.get_by_text("Allocated 3 requests")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Accepted")).to_have_count(3)
    _check(page, "the decided proposal")
    assert Case.objects.filter(request__in=requests).count() == 3
    assert set(proposal.lines.values_list("status", flat=True)) == {LineStatus.ACCEPTED}
    # The key worker with one place left took at most one of them.
    assert Case.objects.filter(request__in=requests, key_worker=world.key_worker).count() <= 1
