"""Finding a person in a real browser: the search form, a close spelling found, and the
error next to the field, each page passing axe-core."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from earlyhelp.people.models import Family, FamilyMember, Person
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.casework import build_world


def test_a_key_worker_finds_a_child_by_a_close_spelling(page: Page, live_server):
    world = build_world()
    family = Family.objects.create(name="Brennan", district=world.district, team=world.team)
    child = Person.objects.create(
        first_name="Siobhan", last_name="Brennan", date_of_birth=dt.date(2013, 9, 4)
    )
    FamilyMember.objects.create(family=family, person=child, relationship="child")
    sign_in(page, live_server, world.key_worker.email)

    page.goto(live_server.url + "/families/")
    page.get_by_role("link", name="Find a person by name or date of birth").click()
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Enter a name or a date of birth")).to_be_visible()
    assert_accessible(page, "Person search with an error")

    page.get_by_label("Name", exact=True).fill("Shivaun Brenan")
    page.get_by_role("button", name="Search").click()

    table = page.get_by_role("table")
    expect(table).to_contain_text("Siobhan Brennan")
    expect(table).to_contain_text("4 September 2013")
    assert_accessible(page, "Person search results")
    assert_no_browser_errors(page, "Person search")
