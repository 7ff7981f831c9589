"""A Level 2 family's whole journey in a real browser, from the Request for Support to the
closed case: business support takes the request, the operations and delivery leader
allocates it, the key worker assesses, plans, reviews and asks to close, and the leader
agrees closure. Every page on the way (and the intake's error state) is checked with
axe-core and for CSP violations, console errors and uncaught exceptions."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Locator, Page, expect

from earlyhelp.cases.models import Case
from earlyhelp.referrals.models import RequestForSupport
from tests.browser.axe import assert_accessible
from tests.browser.helpers import assert_no_browser_errors, sign_in, sign_out
from tests.casework import STAR_AREAS, World, build_world

FAMILY = "Testfamily"
FUTURE_DOB_MESSAGE = "Date of birth must be today or in the past"
ACTION = "Keep to a bedtime routine of 7:30pm on school nights"


def _check(page: Page, label: str) -> None:
    """The page as it is now passes axe, and the browser has reported no problems."""
    assert_accessible(page, label)
    assert_no_browser_errors(page, label)


def _menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Menu")


def _long(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _fill_date(scope: Page | Locator, legend: str, day: dt.date) -> None:
    """GOV.UK's date input: day, month and year in the fieldset with this legend."""
    group = scope.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def _fill_star(scope: Page | Locator, score: int) -> None:
    for code in STAR_AREAS:
        scope.get_by_label(code.title(), exact=True).fill(str(score))


def _open_case_page(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FAMILY} family")


def _case_status(page: Page) -> Locator:
    """The case's status tag, in the first row of the case page's summary."""
    return (
        page.locator(".govuk-summary-list__row")
        .filter(has=page.get_by_role("term").filter(has_text=re.compile(r"^Status$")))
        .first.locator(".govuk-tag")
    )


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


# ---------------------------------------------------------------- 1. intake


def _fill_person(
    person: Locator,
    *,
    first_name: str,
    date_of_birth: dt.date,
    relationship: str,
    about: str,
    consent_by: str,
) -> None:
    person.get_by_label("First name", exact=True).fill(first_name)
    person.get_by_label("Last name", exact=True).fill(FAMILY)
    _fill_date(person, "Date of birth", date_of_birth)
    person.get_by_label("Relationship in the family", exact=True).select_option(label=relationship)
    person.get_by_role("group", name="About this person").get_by_label(about, exact=True).check()
    person.get_by_role("group", name="Consent to share information").get_by_label(
        "Given", exact=True
    ).check()
    person.get_by_label("Who gave or refused consent", exact=True).select_option(value=consent_by)


def _business_support_takes_the_request(page: Page, live_server, world: World) -> RequestForSupport:
    sign_in(page, live_server, world.business_support.email)
    _check(page, "Home page, business support officer")

    _menu(page).get_by_role("link", name="Requests for Support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for Support")
    _check(page, "Requests for Support queue, business support officer")

    page.get_by_role("button", name="New Request for Support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New Request for Support")
    _check(page, "New Request for Support form")

    today = timezone.localdate()
    page.get_by_role("group", name="How did the request come in?").get_by_label(
        "Agency request for support", exact=True
    ).check()
    # Date and time received are filled in with now.
    page.get_by_label("Referrer's name", exact=True).fill("Pat Referrer")
    page.get_by_label("Organisation (optional)", exact=True).fill("Preston Primary School")
    page.get_by_label("Role (optional)", exact=True).fill("Head teacher")
    page.get_by_label("Email address (optional)", exact=True).fill("referrer@example.test")
    page.get_by_label("Address line 1", exact=True).fill("1 Test Street")
    page.get_by_label("Town or city", exact=True).fill("Preston")
    page.get_by_label("Postcode", exact=True).fill("PR1 2AB")

    parent = page.get_by_role("group", name="Person 1", exact=True)
    child = page.get_by_role("group", name="Person 2", exact=True)
    _fill_person(
        parent,
        first_name="Sam",
        date_of_birth=dt.date(1990, 4, 1),
        relationship="Parent or carer",
        about="Parent or carer",
        consent_by="self",
    )
    # The bad value: a child born tomorrow.
    _fill_person(
        child,
        first_name="Alex",
        date_of_birth=today + dt.timedelta(days=1),
        relationship="Child or young person",
        about="The request is about this child or young person",
        consent_by="m0",  # the parent, person 1, decides for a child under 13
    )
    page.get_by_label("What are the family's needs?", exact=True).fill(
        "Struggling with routines: Alex is not sleeping and is late for school"
    )
    page.get_by_role("group", name="Priority target groups (optional)").get_by_label(
        "Experiencing neglect", exact=True
    ).check()
    page.get_by_role("group", name="Does the family already have a CAF?").get_by_label(
        "No", exact=True
    ).check()
    # Let the live look-up of possible matches (htmx) finish first: the test server's
    # in-memory SQLite database is shared between its threads.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Send the request", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("link", name=FUTURE_DOB_MESSAGE)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: New Request for Support"))
    child = page.get_by_role("group", name="Person 2", exact=True)
    expect(child.locator(".govuk-error-message")).to_contain_text(FUTURE_DOB_MESSAGE)
    # What was typed is kept.
    expect(page.get_by_label("Referrer's name", exact=True)).to_have_value("Pat Referrer")
    expect(child.get_by_label("First name", exact=True)).to_have_value("Alex")
    assert not RequestForSupport.objects.exists()
    _check(page, "New Request for Support form with a date of birth in the future")

    _fill_date(child, "Date of birth", dt.date(2018, 6, 1))
    # Let the live look-up of possible matches (htmx) finish first: the test server's
    # in-memory SQLite database is shared between its threads.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Send the request", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FAMILY} family")
    rfs = RequestForSupport.objects.get()
    assert rfs.caf_urn
    assert rfs.allocation_due_by
    expect(_success(page)).to_contain_text(
        f"Allocate by {_long(rfs.allocation_due_by)}. URN: {rfs.caf_urn}."
    )
    _check(page, "Request for Support page after intake")

    sign_out(page)
    _check(page, "Sign-in page after signing out")
    return rfs


# ---------------------------------------------------------------- 2. allocation


def _manager_allocates(page: Page, live_server, world: World, rfs: RequestForSupport) -> Case:
    sign_in(page, live_server, world.manager.email)
    _check(page, "Home page, operations and delivery leader")

    _menu(page).get_by_role("link", name="Requests for Support", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests for Support")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=f"{FAMILY} family"))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile(r"\d+ working days? left"))
    expect(row).to_contain_text(date_format(rfs.allocation_due_by, "j M Y"))
    _check(page, "Requests for Support queue, operations and delivery leader")

    row.get_by_role("link", name=f"{FAMILY} family").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FAMILY} family")
    _check(page, "Request for Support page, operations and delivery leader")

    page.get_by_role("button", name="Allocate", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocate to a key worker")
    _check(page, "Allocate page")

    page.get_by_label(re.compile(rf"^{re.escape(str(world.key_worker))}, ")).check()
    page.get_by_label("Why this worker?", exact=True).fill("Has capacity and knows the school")
    page.get_by_role("button", name="Allocate", exact=True).click()

    _open_case_page(page)
    expect(_success(page)).to_contain_text(f"Allocated to {world.key_worker}")
    case = Case.objects.get()
    assert case.key_worker_id == world.key_worker.pk
    _check(page, "Case page after allocation")

    sign_out(page)
    return case


# ---------------------------------------------------------------- 3. casework


def _key_worker_assesses(page: Page, world: World, case: Case) -> None:
    now = timezone.localtime()
    today = now.date()

    _menu(page).get_by_role("link", name="My caseload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    _check(page, "My caseload")
    page.get_by_role("link", name=f"{FAMILY} family", exact=True).click()
    _open_case_page(page)
    expect(page.get_by_text(f"Case {case.urn}", exact=True)).to_be_visible()
    _check(page, "Case page in assessment, key worker")

    page.get_by_role("link", name="Record a contact", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a contact")
    _check(page, "Record a contact")
    _fill_date(page, "Date of the contact", today)
    page.get_by_label("Time", exact=True).fill(f"{now:%H:%M}")  # not in the future
    page.get_by_role("group", name="Type of contact").get_by_label("Home visit", exact=True).check()
    page.get_by_label("How long it took, in minutes", exact=True).fill("90")
    attendees = page.get_by_role("group", name="Family members who took part")
    for checkbox in attendees.get_by_role("checkbox").all():
        checkbox.check()
    page.get_by_label("Notes", exact=True).fill("Initial visit with Sam and Alex at home")
    page.get_by_role("button", name="Save contact", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Contact recorded. It is the initial visit")
    _check(page, "Case page after the initial visit")

    page.get_by_role("link", name="Record consent to the CAF").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Has the family given consent to the CAF?"
    )
    _check(page, "Consent to the CAF")
    page.get_by_label("Yes, consent given", exact=True).check()
    page.get_by_role("button", name="Save", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Consent to the CAF recorded")

    page.get_by_role("link", name="Edit the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment (CAF)")
    _check(page, "Assessment (CAF) form")
    for domain, needs in (
        ("Child's developmental needs", "Alex's sleep routine and school attendance"),
        ("Parenting capacity", "Consistent boundaries at bedtime"),
        ("Family and environmental factors", "Damp in the children's bedroom"),
    ):
        page.get_by_role("group", name=domain).get_by_label("Needs", exact=True).fill(needs)
    page.get_by_label("Voice of the child or young person", exact=True).fill(
        "I want to sleep better and not be tired at school"
    )
    page.get_by_role("button", name="Save draft", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Assessment draft saved")

    page.get_by_role("link", name="Record an Outcomes Star", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an Outcomes Star")
    _check(page, "Record an Outcomes Star")
    page.get_by_label("Baseline (assessment)", exact=True).check()
    _fill_date(page, "Date the Star was taken", today)
    _fill_star(page, 3)
    page.get_by_role("button", name="Save the Star", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Family Star recorded")

    page.get_by_role("link", name="Complete the assessment", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Complete the assessment")
    _check(page, "Complete the assessment")
    page.get_by_role("button", name="Complete the assessment", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Assessment completed")
    _check(page, "Case page with the assessment complete")

    page.get_by_role("link", name="Record the decision", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the decision")
    _check(page, "Record the decision")
    page.get_by_label("Level 2: targeted support through CAF/TAF", exact=True).check()
    page.get_by_label("Lead professional from this service", exact=True).select_option(
        value=str(world.key_worker.pk)
    )
    page.get_by_label("L2A: L2A", exact=True).check()
    page.get_by_label("Rationale and evidence", exact=True).fill(
        "Needs across all three domains that a CAF/TAF plan can meet; no safeguarding concern"
    )
    page.get_by_role("button", name="Record the decision", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Decision recorded: Level 2")
    _check(page, "Case page with a Level 2 plan")


def _key_worker_plans_reviews_and_asks_to_close(page: Page, case: Case) -> None:
    today = timezone.localdate()

    page.get_by_role("button", name="Add an action", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action to the plan")
    _check(page, "Add an action to the plan")
    page.get_by_label("What will be done?", exact=True).fill(ACTION)
    page.get_by_label("Who will do it?", exact=True).fill("Sam, with the key worker")
    _fill_date(page, "By when?", today + dt.timedelta(weeks=6))
    page.get_by_label("How will success be measured?", exact=True).fill(
        "Alex is asleep by 8pm on 5 nights a week"
    )
    page.get_by_role("button", name="Add action", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Action added to the plan")

    page.get_by_role("button", name="Schedule a TAF meeting", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Schedule a Team Around the Family meeting"
    )
    _check(page, "Schedule a TAF meeting")
    _fill_date(page, "Date of the meeting", today + dt.timedelta(days=7))
    page.get_by_label("Start time", exact=True).fill("10:00")
    page.get_by_label("Where is the meeting?", exact=True).fill("Preston Primary School")
    page.get_by_label("Preston Primary School", exact=True).check()
    page.get_by_role("button", name="Schedule meeting and send invitations", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Invitations sent to 1 agency")

    page.get_by_role("button", name="Submit the CAF", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the plan before you submit the CAF"
    )
    expect(page.get_by_role("cell", name=ACTION)).to_be_visible()
    _check(page, "Check the plan before you submit the CAF")
    page.get_by_role("button", name="Submit the CAF", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("CAF and TAF plan submitted to the CAF mailbox")
    _check(page, "Case page with the CAF submitted")

    page.get_by_role("button", name="Record a review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a review of the plan")
    _check(page, "Record a review of the plan")
    _fill_date(page, "Date the review was held", today)
    page.get_by_role("group", name=f"Progress on “{ACTION}”").get_by_label(
        "Achieved", exact=True
    ).check()
    page.get_by_label("Summary of progress", exact=True).fill(
        "Alex sleeps through most nights and has not been late this half term"
    )
    outcome = page.get_by_role("group", name="Outcome of the review")
    outcome.get_by_label("Close", exact=True).check()
    # Held on the day the plan started, so not the 12-week review: the Star is optional.
    expect(page.get_by_text("This is the 12-week review")).to_have_count(0)
    page.get_by_role("button", name="Save and submit the review", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Review recorded and submitted to the CAF mailbox")

    page.get_by_role("button", name="Ask to close the case", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask to close the case")
    _check(page, "Ask to close the case")
    page.get_by_role("group", name="Why is the case closing?").get_by_label(
        "Needs met", exact=True
    ).check()
    _fill_star(page.get_by_role("group", name="Outcomes Star at closure"), 7)
    page.get_by_role("button", name="Send for agreement", exact=True).click()
    _open_case_page(page)
    expect(_success(page)).to_contain_text("Closure sent to")
    expect(_case_status(page)).to_have_text("Closure awaiting agreement")
    _check(page, "Case page with closure awaiting agreement")


# ---------------------------------------------------------------- 4. closure agreed


def _assert_in_order(rows: list[str], steps: list[list[str]]) -> None:
    """Every text of each step is in a row after all the rows of the step before."""
    after = 0
    for step in steps:
        found = []
        for text in step:
            index = next((i for i in range(after, len(rows)) if text in rows[i]), None)
            assert index is not None, (
                f"{text!r} is missing from the chronology, or comes too early:\n" + "\n".join(rows)
            )
            found.append(index)
        after = max(found) + 1


def _manager_agrees_closure(page: Page, live_server, world: World, case: Case) -> None:
    sign_in(page, live_server, world.manager.email)
    _check(page, "Home page, operations and delivery leader, with a closure to agree")
    _menu(page).get_by_role("link", name="Tasks", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    _check(page, "My tasks, operations and delivery leader")

    link = page.get_by_role("link", name=f"{FAMILY} family, case {case.urn}")
    expect(link).to_have_count(1)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case closure")
    _check(page, "Approval page for the closure")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Save decision", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    expect(_success(page)).to_contain_text(f"You approved the case closure for case {case.urn}")
    _check(page, "My tasks after approving the closure")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    _open_case_page(page)
    expect(_case_status(page)).to_have_text("Closed")
    closure = page.locator(".govuk-summary-list__row").filter(has_text="Reason")
    expect(closure).to_contain_text("Needs met")
    _check(page, "Case page, closed")

    page.get_by_role("link", name="View the chronology of the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology")
    _check(page, "Chronology")
    events = page.get_by_role("table").get_by_role("row").all_inner_texts()
    # Each step of the journey, in order; one step's events (written in one transaction,
    # at the same moment) may come in any order among themselves.
    steps = [
        ["Request for Support received", f"URN {case.urn}"],
        ["Allocated to", "Case opened"],
        ["Contact recorded"],
        ["Consent to the CAF recorded"],
        ["Assessment updated"],
        ["Outcomes Star taken (baseline)"],
        ["Assessment completed"],
        ["Decision: level 2, case type L2A"],
        ["Action added to the plan"],
        ["TAF meeting scheduled"],
        ["CAF/TAF submitted to the CAF mailbox"],
        [f"Review held on {_long(timezone.localdate())}: close"],
        ["Closure requested", "Approval requested from"],
        ["Approved", "Case closed"],
    ]
    _assert_in_order(events, steps)

    sign_out(page)


def test_level_2_family_goes_from_request_to_agreed_closure_in_the_browser(page: Page, live_server):
    world = build_world()

    rfs = _business_support_takes_the_request(page, live_server, world)
    case = _manager_allocates(page, live_server, world, rfs)
    sign_in(page, live_server, world.key_worker.email)
    _check(page, "Home page, key worker")
    _key_worker_assesses(page, world, case)
    _key_worker_plans_reviews_and_asks_to_close(page, case)
    sign_out(page)
    _manager_agrees_closure(page, live_server, world, case)

    case.refresh_from_db()
    assert case.status == "closed"
