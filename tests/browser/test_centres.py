"""A worker takes a group session's register on a phone (375 pixels wide): names ticked,
heads counted by age band, a head count below the named attendees refused by its field,
then saved. The centre pages are checked with axe-core on a desktop too."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from earlyhelp.centres.models import AgeBand, Attendance, HeadCount, ProgrammeSession
from earlyhelp.centres.services import add_programme_session, add_to_rota, enrol_participant
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in
from tests.centres.conftest import build_programme, make_run
from tests.factories import PersonFactory


def _check(page: Page, label: str) -> None:
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def _world():
    p = build_programme()
    AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4, sort_order=0)
    AgeBand.objects.create(code="5-11", name="5 to 11", min_age=5, max_age=11, sort_order=1)
    AgeBand.objects.create(code="adult", name="Adults", min_age=18, sort_order=2)
    run = make_run(p, starts_on=timezone.localdate() - dt.timedelta(weeks=1))
    people = [
        PersonFactory(first_name=first, last_name="Testperson")
        for first in ("Aisha", "Bethany", "Callum")
    ]
    for person in people:
        enrol_participant(actor=p.outreach, run_id=run.pk, person_id=person.pk, consent_given=True)
    return p, run, people


def test_a_worker_takes_a_register_on_a_phone(mobile_page: Page, live_server):
    p, run, (aisha, bethany, _) = _world()
    session = run.sessions.get(number=1)
    page = mobile_page
    sign_in(page, live_server, p.outreach.email)

    page.goto(live_server.url + reverse("centres:run", args=[run.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Positive parenting")
    _check(page, "Run page on a phone")
    page.get_by_role("link", name="Session 1 register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for session 1")
    _check(page, "Register on a phone")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_label("Aisha Testperson").check()
    page.get_by_label("Bethany Testperson").check()
    page.get_by_label("Adults").fill("1")
    page.get_by_role("button", name="Save register").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The head count (1) is below the number of named attendees (2)")
    expect(page.locator("#id_band_0-4-error")).to_be_visible()
    expect(page.get_by_label("Aisha Testperson")).to_be_checked()
    _check(page, "Register with an error on a phone")
    assert not Attendance.objects.exists()

    page.get_by_label("Adults").fill("2")
    page.get_by_label("0 to 4").fill("3")
    page.get_by_role("button", name="Save register").click()

    expect(page.get_by_text("Register saved: 2 named, 5 in the head count")).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(reverse("centres:run", args=[run.pk])) + "$"))
    _check(page, "Run page after the register on a phone")
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {aisha.pk, bethany.pk}
    assert dict(
        HeadCount.objects.filter(session=session).values_list("age_band__code", "count")
    ) == {
        "0-4": 3,
        "adult": 2,
    }


def test_the_centre_pages_are_accessible(page: Page, live_server):
    p, _run, _ = _world()
    session = add_programme_session(
        actor=p.manager, centre_id=p.enhanced.pk, weekday=1, starts_at=dt.time(10),
        ends_at=dt.time(12), title="Stay and play", room_id=p.hall.pk, expected_attendance=12,
        staff={"grade_6": 1, "outreach_a": 2, "delivery_support": 1},
    )  # fmt: skip
    add_to_rota(
        actor=p.manager, session_id=session.pk, staff_id=p.outreach.staff.pk, post="outreach_a"
    )
    sign_in(page, live_server, p.manager.email)

    for url, heading in (
        (reverse("centres:list"), "Neighbourhood centres"),
        (reverse("centres:detail", args=[p.enhanced.pk]), "Ribbleton Neighbourhood Centre"),
        (reverse("centres:session", args=[session.pk]), "Stay and play"),
        (reverse("centres:check"), "Specification check"),
        (reverse("centres:programmes"), "Group programmes"),
        (reverse("centres:programme", args=[p.parenting.pk]), "Positive parenting"),
        (reverse("centres:run-new", args=[p.parenting.pk]), "Run this programme"),
    ):
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        _check(page, heading)

    page.goto(live_server.url + reverse("centres:session-new", args=[p.core.pk]))
    page.get_by_label("Title").fill("Youth club")
    page.get_by_label("Day of the week").select_option("Wednesday")
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("End time").fill("20:30")
    page.get_by_role("button", name="Add session").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "within the centre's opening on Wednesdays, 09:00 to 17:00"
    )
    _check(page, "Add a session with an error")
    assert ProgrammeSession.objects.filter(centre=p.core).count() == 0
