"""Safeguarding notes in a real browser: the key worker adds a note from the case page
(after an empty form is refused with the error summary), then corrects it; another key
worker in the team sees only that the notes are restricted. Every page is checked with
axe-core and for CSP violations and console errors."""

from __future__ import annotations

from django.utils import timezone
from playwright.sync_api import Page, expect

from earlyhelp.cases.models import SafeguardingNote
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in, sign_out
from tests.casework import build_world, open_case

SECRET = "Child disclosed that an uncle hit him at the weekend"


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def _fill_when(page: Page) -> None:
    now = timezone.localtime()
    group = page.get_by_role("group", name="Date", exact=True)
    group.get_by_label("Day", exact=True).fill(str(now.day))
    group.get_by_label("Month", exact=True).fill(str(now.month))
    group.get_by_label("Year", exact=True).fill(str(now.year))
    page.get_by_label("Time", exact=True).fill("00:00")


def test_add_and_correct_a_safeguarding_note_and_others_see_it_is_restricted(
    page: Page, live_server
):
    world = build_world()
    case = open_case(world)
    notes = page.locator("#safeguarding-notes ~ *")

    sign_in(page, live_server, world.key_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/#safeguarding-notes")
    expect(page.locator("#safeguarding-notes")).to_have_text("Safeguarding notes")
    expect(page.get_by_text("No safeguarding notes have been added.")).to_be_visible()
    _check(page, "Case page with no safeguarding notes")

    page.get_by_role("button", name="Add a safeguarding note").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a safeguarding note")
    _check(page, "Add a safeguarding note")

    page.get_by_role("button", name="Add the note").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date")
    expect(summary).to_contain_text("Enter the safeguarding note")
    _check(page, "Add a safeguarding note, with errors")

    _fill_when(page)
    page.get_by_label("Disclosure", exact=True).check()
    page.get_by_label("Note", exact=True).fill(SECRET)
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Safeguarding note added"
    )
    expect(notes.filter(has_text=SECRET).first).to_be_visible()
    _check(page, "Case page with a safeguarding note")

    first = SafeguardingNote.objects.get()
    page.get_by_role("link", name="Correct the note of").click()
    expect(page.get_by_label("Does this note correct an earlier one? (optional)")).to_have_value(
        str(first.pk)
    )
    _check(page, "Correcting a safeguarding note")
    _fill_when(page)
    page.get_by_label("Note", exact=True).fill("It was his step-uncle, not his uncle")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(f'a[href="#safeguarding-note-{first.pk}"]')).to_be_visible()
    _check(page, "Case page with a correction")
    assert SafeguardingNote.objects.exclude(pk=first.pk).get().corrects == first
    sign_out(page)

    sign_in(page, live_server, world.second_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_text("Safeguarding notes are restricted.")).to_be_visible()
    expect(page.get_by_text(SECRET)).to_have_count(0)
    expect(page.get_by_role("button", name="Add a safeguarding note")).to_have_count(0)
    _check(page, "Case page for someone the notes are restricted from")
