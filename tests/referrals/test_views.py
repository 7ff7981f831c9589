"""The Request for Support pages: the allocation queue, the intake form (with matching),
the request page, allocation, resubmission with consent and withdrawal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.models import OutboxMessage
from earlyhelp.people.models import Family, FamilyMember, Person
from earlyhelp.referrals import services as rfs_services
from earlyhelp.referrals.models import RequestForSupport, Status
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import submit
from tests.factories import FamilyFactory, FamilyMemberFactory, make_staff

PARENT = {
    "first_name": "Sam",
    "last_name": "Testfamily",
    "date_of_birth": dt.date(1990, 4, 1),
    "relationship": "parent",
    "about": ["parent_or_carer"],
    "consent": "given",
    "consent_given_by": "self",
}
CHILD = {
    "first_name": "Alex",
    "last_name": "Testfamily",
    "date_of_birth": dt.date(2018, 6, 1),
    "relationship": "child",
    "about": ["subject"],
    "consent": "given",
    "consent_given_by": "m0",
}


def _date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(day.day),
        f"{name}_month": str(day.month),
        f"{name}_year": str(day.year),
    }


def intake_data(*, members=(PARENT, CHILD), received: dt.datetime | None = None, **fields):
    """A complete intake form as a browser posts it: six member rows, unused ones empty."""
    received = timezone.localtime(received or timezone.now() - dt.timedelta(hours=1))
    data = {
        "members-TOTAL_FORMS": "6",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "6",
        "route": "agency",
        **_date_fields("received_on", received.date()),
        "received_time": f"{received:%H:%M}",
        "referrer_name": "Pat Referrer",
        "referrer_organisation": "Preston Primary School",
        "referrer_role": "Head teacher",
        "referrer_email": "referrer@example.test",
        "referrer_phone": "",
        "family_name": "Testfamily",
        "address_line_1": "1 Test Street",
        "address_line_2": "",
        "town": "Preston",
        "postcode": "PR1 2AB",
        "presenting_needs": "Struggling with routines",
        "target_groups": ["neglect"],
        "tfu_criteria": ["2"],
        "caf_exists": "no",
        "caf_urn": "",
        "caf_lead_professional": "",
        "caf_lead_professional_email": "",
    }
    for index in range(6):
        prefix = f"members-{index}-"
        row = {
            "first_name": "",
            "last_name": "",
            "gender": "not_known",
            "relationship": "",
            "preferred_language": "English",
            "school_or_setting": "",
            "consent_given_by": "",
            "match": "",
            **(members[index] if index < len(members) else {}),
        }
        dob = row.pop("date_of_birth", None)
        data.update({f"{prefix}date_of_birth_{part}": "" for part in ("day", "month", "year")})
        if dob:
            data.update(_date_fields(f"{prefix}date_of_birth", dob))
        data.update({f"{prefix}{key}": value for key, value in row.items()})
    data.update(fields)
    return data


def _writes() -> int:
    return AuditEvent.objects.filter(kind=Kind.WRITE).count()


def _counts() -> tuple[int, int, int, int]:
    return (
        Family.objects.count(),
        Person.objects.count(),
        RequestForSupport.objects.count(),
        _writes(),
    )


def _error_summary(html: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert found, "no error summary"
    return found[0]


def _field_error(html: str, field_id: str) -> str:
    found = re.search(
        rf'<p id="{re.escape(field_id)}-error" class="govuk-error-message">(.*?)</p>', html, re.S
    )
    assert found, f"no error message by {field_id}"
    return found[1]


# The queue ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_shows_working_days_left_and_overdue_in_red(client, world):
    submit(world)
    late = submit(world, received_at=timezone.now() - dt.timedelta(days=10))
    client.force_login(world.manager)

    response = client.get("/requests/")

    assert response.status_code == 200
    html = response.content.decode()
    days_left = re.search(r'govuk-tag--(?:blue|yellow)">\d working days? left<', html)
    assert days_left, "the new request shows no working days left"
    overdue = re.search(r'govuk-tag--red">Overdue by \d+ working days?<', html)
    assert overdue, "the overdue request has no red tag"
    assert late.allocation_due_by < timezone.localdate()
    # Nearest deadline first: the overdue request comes first.
    assert overdue.start() < days_left.start()
    assert f'href="/requests/{late.pk}/"' in html
    assert "New Request for Support" in html


@pytest.mark.django_db
def test_queue_due_today_tag(client, world):
    request = submit(world)
    RequestForSupport.objects.filter(pk=request.pk).update(allocation_due_by=timezone.localdate())
    client.force_login(world.manager)

    html = client.get("/requests/").content.decode()

    assert 'govuk-tag--orange">Due today<' in html


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/requests/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_queue_query_count_does_not_grow_with_the_number_of_requests(client, world):
    for _ in range(3):
        submit(world)
    client.force_login(world.manager)
    client.get("/requests/")  # warm caches (content types, calendar)
    with_3 = _queue_queries(client)
    for _ in range(27):
        submit(world)

    with_30 = _queue_queries(client)

    assert with_30 == with_3
    assert client.get("/requests/").content.decode().count('href="/requests/') >= 30


@pytest.mark.django_db
def test_queue_tabs_show_returned_and_allocated_requests(client, world):
    returned = submit(world, consents=[])
    allocated = submit(world)
    rfs_services.allocate_request(
        actor=world.manager, request_id=allocated.pk, key_worker_id=world.key_worker.pk
    )
    client.force_login(world.manager)

    waiting_html = client.get("/requests/").content.decode()
    returned_html = client.get("/requests/?status=returned_for_consent").content.decode()
    allocated_html = client.get("/requests/?status=allocated").content.decode()

    assert f"/requests/{returned.pk}/" not in waiting_html
    assert f"/requests/{returned.pk}/" in returned_html
    assert "Returned for consent (1)" in waiting_html
    assert f"/requests/{allocated.pk}/" in allocated_html
    assert f"/requests/{allocated.pk}/" not in returned_html


@pytest.mark.django_db
def test_queue_hides_new_request_button_from_users_who_cannot_take_requests(client, world):
    client.force_login(world.dso)

    html = client.get("/requests/").content.decode()

    assert "New Request for Support" not in html


@pytest.mark.django_db
def test_queue_needs_sign_in(client, world):
    response = client.get("/requests/")

    assert response.status_code == 302
    assert "/account/" in response["Location"]


# Intake ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_intake_form_renders_govuk_fields(client, world):
    client.force_login(world.business_support)

    response = client.get("/requests/new/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-date-input"' in html
    assert 'name="received_on_day"' in html
    assert 'name="members-0-date_of_birth_year"' in html
    assert 'name="members-5-first_name"' in html
    assert 'name="members-6-first_name"' not in html
    assert "Experiencing neglect" in html  # target groups from the configuration
    assert "Criterion 1" in html
    assert 'hx-get="/requests/match-people/"' in html
    assert 'hx-trigger="change"' in html
    assert "style=" not in html
    assert "<script>" not in html
    assert "<label for=" not in html  # one GOV.UK label per radio and checkbox
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


@pytest.mark.django_db
def test_intake_is_refused_to_a_role_that_cannot_take_requests(client, world):
    client.force_login(world.dso)

    assert client.get("/requests/new/").status_code == 403
    assert client.post("/requests/new/", intake_data()).status_code == 403


@pytest.mark.django_db
def test_intake_with_consent_queues_the_request_for_allocation(client, world):
    client.force_login(world.business_support)

    response = client.post("/requests/new/", intake_data(), follow=False)

    assert response.status_code == 302
    rfs = RequestForSupport.objects.get()
    assert response["Location"] == f"/requests/{rfs.pk}/"
    assert rfs.status == Status.AWAITING_ALLOCATION
    assert rfs.route == "agency"
    assert rfs.referrer_name == "Pat Referrer"
    assert rfs.team == world.team
    assert rfs.caf_urn
    assert rfs.urn_issued
    assert list(rfs.target_groups.values_list("code", flat=True)) == ["neglect"]
    assert list(rfs.tfu_criteria.values_list("number", flat=True)) == [2]
    family = rfs.family
    assert family.name == "Testfamily"
    assert family.postcode == "PR1 2AB"
    people = {m.person.first_name: m for m in rfs.members.select_related("person")}
    assert set(people) == {"Sam", "Alex"}
    assert people["Alex"].is_subject
    assert not people["Alex"].is_parent_or_carer
    assert people["Sam"].is_parent_or_carer
    assert not people["Sam"].is_subject
    assert FamilyMember.objects.filter(family=family).count() == 2
    consents = {c.person.first_name: c for c in rfs.consents.select_related("person", "given_by")}
    assert consents["Alex"].given_by.first_name == "Sam"
    assert consents["Sam"].given_by.first_name == "Sam"
    assert Task.objects.filter(request=rfs, kind=TaskKind.ALLOCATE).count() == 1
    assert OutboxMessage.objects.filter(request=rfs, kind=MessageKind.ACKNOWLEDGEMENT).exists()

    page = client.get(response["Location"])

    html = page.content.decode()
    assert "govuk-notification-banner--success" in html
    assert "queued for allocation" in html
    assert rfs.caf_urn in html
    assert rfs.allocation_due_by.strftime("%B %Y") in html


@pytest.mark.django_db
def test_intake_by_someone_outside_the_team_goes_back_to_the_queue(client, world):
    talkzone_worker = make_staff(Role.TALKZONE_WORKER, team=None)
    client.force_login(talkzone_worker)

    response = client.post("/requests/new/", intake_data())

    assert response.status_code == 302
    assert response["Location"] == "/requests/"
    assert RequestForSupport.objects.get().team == world.team


@pytest.mark.django_db
def test_intake_without_consent_returns_the_request_and_asks_the_referrer(client, world):
    client.force_login(world.business_support)
    parent = {**PARENT, "consent": "not_recorded", "consent_given_by": ""}
    child = {**CHILD, "consent": "not_recorded", "consent_given_by": ""}

    response = client.post("/requests/new/", intake_data(members=(parent, child)))

    assert response.status_code == 302
    rfs = RequestForSupport.objects.get()
    assert rfs.status == Status.RETURNED_FOR_CONSENT
    assert rfs.allocation_due_by is None
    assert not rfs.consents.exists()
    message = OutboxMessage.objects.get(request=rfs, kind=MessageKind.CONSENT_REQUEST)
    assert message.to == "referrer@example.test"
    assert not Task.objects.filter(request=rfs, kind=TaskKind.ALLOCATE).exists()
    html = client.get(response["Location"]).content.decode()
    assert "returned to the referrer for consent" in html
    assert "Resubmit with consent" in html


@pytest.mark.django_db
def test_intake_with_a_young_child_consenting_for_themselves_is_returned(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "consent_given_by": "self"}

    client.post("/requests/new/", intake_data(members=(PARENT, child)))

    rfs = RequestForSupport.objects.get()
    assert rfs.status == Status.RETURNED_FOR_CONSENT
    assert "parent or carer" in rfs.consent_problems[0]["message"]


@pytest.mark.django_db
def test_intake_records_an_existing_caf_and_asks_its_lead_professional(client, world):
    client.force_login(world.business_support)
    data = intake_data(
        caf_exists="yes",
        caf_urn="LAN-2025-000042",
        caf_lead_professional="Jo School",
        caf_lead_professional_email="jo@example.test",
    )

    client.post("/requests/new/", data)

    rfs = RequestForSupport.objects.get()
    assert rfs.caf_exists
    assert rfs.caf_urn == "LAN-2025-000042"
    assert not rfs.urn_issued
    assert Task.objects.filter(request=rfs, kind=TaskKind.CONTACT_LEAD_PROFESSIONAL).exists()


def _assert_refused(client, data, *, field_id: str, message: str):
    before = _counts()
    response = client.post("/requests/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in _error_summary(html)
    assert message in _field_error(html, field_id)
    assert f'href="#{field_id}' in _error_summary(html)
    assert "<title>Error: " in html
    assert _counts() == before
    return html


@pytest.mark.django_db
def test_date_of_birth_in_the_future_comes_back_by_the_field(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "date_of_birth": timezone.localdate() + dt.timedelta(days=30)}

    _assert_refused(
        client,
        intake_data(members=(PARENT, child)),
        field_id="id_members-1-date_of_birth",
        message="Date of birth must be today or in the past",
    )


@pytest.mark.django_db
def test_child_over_19_without_send_comes_back_by_the_field(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "date_of_birth": dt.date(2000, 1, 1)}

    _assert_refused(
        client,
        intake_data(members=(PARENT, child)),
        field_id="id_members-1-date_of_birth",
        message="A child or young person must be 19 or under, or 25 or under with SEND",
    )


@pytest.mark.django_db
def test_young_person_of_22_with_send_is_accepted(client, world):
    client.force_login(world.business_support)
    today = timezone.localdate()
    young_person = {
        **CHILD,
        "date_of_birth": dt.date(today.year - 22, 1, 1),
        "about": ["subject", "has_send"],
        "consent_given_by": "self",
    }

    response = client.post("/requests/new/", intake_data(members=(PARENT, young_person)))

    assert response.status_code == 302
    person = Person.objects.get(first_name="Alex")
    assert person.has_send


@pytest.mark.django_db
def test_received_in_the_future_comes_back_by_the_date_received(client, world):
    client.force_login(world.business_support)

    _assert_refused(
        client,
        intake_data(received=timezone.now() + dt.timedelta(days=2)),
        field_id="id_received_on",
        message="The date received must be in the past",
    )


@pytest.mark.django_db
def test_missing_referrer_name_comes_back_by_the_field(client, world):
    client.force_login(world.business_support)

    _assert_refused(
        client,
        intake_data(referrer_name=""),
        field_id="id_referrer_name",
        message="Enter the referrer&#x27;s name",
    )


@pytest.mark.django_db
def test_postcode_outside_the_service_area_comes_back_by_the_postcode(client, world):
    client.force_login(world.business_support)

    _assert_refused(
        client,
        intake_data(postcode="M1 1AA"),
        field_id="id_postcode",
        message="That postcode is not in any of the service&#x27;s districts.",
    )


@pytest.mark.django_db
def test_not_a_real_date_of_birth(client, world):
    client.force_login(world.business_support)
    data = intake_data()
    data["members-1-date_of_birth_month"] = "13"

    _assert_refused(
        client,
        data,
        field_id="id_members-1-date_of_birth",
        message="Date of birth must be a real date",
    )


@pytest.mark.django_db
def test_consent_given_without_saying_who_gave_it(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "consent_given_by": ""}

    _assert_refused(
        client,
        intake_data(members=(PARENT, child)),
        field_id="id_members-1-consent_given_by",
        message="Select who gave or refused consent",
    )


@pytest.mark.django_db
def test_consent_given_by_an_empty_row(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "consent_given_by": "m4"}

    _assert_refused(
        client,
        intake_data(members=(PARENT, child)),
        field_id="id_members-1-consent_given_by",
        message="Choose someone named on this request",
    )


@pytest.mark.django_db
def test_no_child_the_request_is_about(client, world):
    client.force_login(world.business_support)
    child = {**CHILD, "about": []}
    before = _counts()

    response = client.post("/requests/new/", intake_data(members=(PARENT, child)))

    assert response.status_code == 200
    summary = _error_summary(response.content.decode())
    assert "Add at least one child or young person the request is about" in summary
    assert 'href="#members"' in summary
    assert _counts() == before


@pytest.mark.django_db
def test_existing_caf_without_its_urn(client, world):
    client.force_login(world.business_support)

    _assert_refused(
        client,
        intake_data(caf_exists="yes", caf_lead_professional="Jo School"),
        field_id="id_caf_urn",
        message="Enter the URN of the existing CAF",
    )


@pytest.mark.django_db
def test_rows_left_empty_are_ignored(client, world):
    client.force_login(world.business_support)
    data = intake_data()
    data["members-4-gender"] = "not_known"  # defaults alone do not make a row

    response = client.post("/requests/new/", data)

    assert response.status_code == 302
    assert RequestForSupport.objects.get().members.count() == 2


# Matching ----------------------------------------------------------------------------


@pytest.fixture
def known_sam(world):
    """Sam Testfamily, already known to the service in a family of the same district."""
    family = FamilyFactory(
        name="Testfamily", district=world.district, team=world.team, postcode="PR1 2AB"
    )
    return FamilyMemberFactory(
        family=family,
        person__first_name="Sam",
        person__last_name="Testfamily",
        person__date_of_birth=dt.date(1990, 4, 1),
        person__postcode="PR1 2AB",
        relationship="parent",
    ).person


@pytest.mark.django_db
def test_a_possible_match_comes_back_for_the_user_to_decide(client, world, known_sam):
    client.force_login(world.business_support)
    before = _counts()

    response = client.post("/requests/new/", intake_data())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Is this the same person?" in html
    assert f'name="members-0-match" type="radio" value="{known_sam.pk}"' in html
    assert 'value="new"' in html
    assert "same date of birth" in html
    assert "1 April 1990" in html
    assert "Select whether Sam Testfamily is someone already known" in _error_summary(html)
    assert 'href="#id_members-0-match_0"' in html
    assert _counts() == before


@pytest.mark.django_db
def test_choosing_the_match_links_the_existing_person(client, world, known_sam):
    client.force_login(world.business_support)
    people_before = Person.objects.count()
    data = intake_data(**{"members-0-match": str(known_sam.pk)})

    response = client.post("/requests/new/", data)

    assert response.status_code == 302
    rfs = RequestForSupport.objects.get()
    assert rfs.members.filter(person=known_sam).exists()
    assert Person.objects.count() == people_before + 1  # only Alex is new
    assert Person.objects.filter(first_name="Sam", last_name="Testfamily").count() == 1
    assert rfs.family == known_sam.memberships.get().family


@pytest.mark.django_db
def test_choosing_new_person_creates_one(client, world, known_sam):
    client.force_login(world.business_support)
    people_before = Person.objects.count()

    response = client.post("/requests/new/", intake_data(**{"members-0-match": "new"}))

    assert response.status_code == 302
    assert Person.objects.count() == people_before + 2
    assert Person.objects.filter(first_name="Sam", last_name="Testfamily").count() == 2
    rfs = RequestForSupport.objects.get()
    assert not rfs.members.filter(person=known_sam).exists()


@pytest.mark.django_db
def test_a_person_who_was_not_offered_cannot_be_linked(client, world, known_sam):
    stranger = FamilyMemberFactory(
        person__first_name="Unrelated", person__last_name="Person"
    ).person
    client.force_login(world.business_support)
    before = _counts()

    response = client.post("/requests/new/", intake_data(**{"members-0-match": str(stranger.pk)}))

    assert response.status_code == 200
    assert "select again" in response.content.decode()
    assert _counts() == before


@pytest.mark.django_db
def test_match_fragment_lists_people_already_known(client, world, known_sam):
    client.force_login(world.business_support)

    response = client.get(
        "/requests/match-people/",
        {
            "row": "members-0",
            "members-0-first_name": "Sam",
            "members-0-last_name": "Testfamily",
            "members-0-date_of_birth_day": "1",
            "members-0-date_of_birth_month": "4",
            "members-0-date_of_birth_year": "1990",
            "postcode": "PR1 2AB",
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Sam Testfamily" in html
    assert "1 April 1990" in html
    assert "same date of birth" in html


@pytest.mark.django_db
def test_match_fragment_takes_plain_parameters(client, world, known_sam):
    client.force_login(world.business_support)

    html = client.get(
        "/requests/match-people/",
        {"first_name": "Sam", "last_name": "Testfamily", "date_of_birth": "1990-04-01"},
    ).content.decode()

    assert "Sam Testfamily" in html


@pytest.mark.django_db
def test_match_fragment_is_empty_when_nobody_matches(client, world, known_sam):
    client.force_login(world.business_support)

    html = client.get(
        "/requests/match-people/", {"first_name": "Noone", "last_name": "Elsewhere"}
    ).content.decode()

    assert html.strip() == ""


@pytest.mark.django_db
def test_match_fragment_is_refused_to_a_role_that_cannot_take_requests(client, world):
    client.force_login(world.dso)

    response = client.get("/requests/match-people/", {"last_name": "Testfamily"})

    assert response.status_code == 403


# The request page --------------------------------------------------------------------


@pytest.mark.django_db
def test_request_page_for_the_team(client, world):
    request = submit(world)
    client.force_login(world.key_worker)

    response = client.get(f"/requests/{request.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Awaiting allocation" in html
    assert "Pat Referrer" in html
    assert f'href="/families/{request.family_id}/"' in html
    assert "Alex Testfamily" in html
    assert "Experiencing neglect" in html
    assert request.caf_urn in html
    assert "working day" in html
    assert "Withdraw" in html
    assert f"/requests/{request.pk}/allocate/" not in html  # a key worker cannot allocate
    assert AuditEvent.objects.filter(
        kind=Kind.VIEW, code="request.viewed", object_id=str(request.pk)
    ).exists()


@pytest.mark.django_db
def test_request_page_offers_allocation_to_the_manager(client, world):
    request = submit(world)
    client.force_login(world.manager)

    html = client.get(f"/requests/{request.pk}/").content.decode()

    assert f'href="/requests/{request.pk}/allocate/"' in html


@pytest.mark.django_db
def test_request_page_refuses_a_key_worker_of_another_district(client, world):
    request = submit(world)
    client.force_login(world.other_worker)

    response = client.get(f"/requests/{request.pk}/")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, object_id=str(request.pk)).exists()


@pytest.mark.django_db
def test_request_page_of_an_unknown_request_is_404(client, world):
    client.force_login(world.manager)

    assert client.get("/requests/999999/").status_code == 404


@pytest.mark.django_db
def test_returned_request_page_lists_the_consent_problems(client, world):
    request = submit(world, consents=[])
    client.force_login(world.business_support)

    html = client.get(f"/requests/{request.pk}/").content.decode()

    assert "Returned for consent" in html
    assert "No consent to share information recorded" in html
    assert f'href="/requests/{request.pk}/resubmit/"' in html


# Allocation --------------------------------------------------------------------------


@pytest.mark.django_db
def test_allocate_page_lists_workers_with_their_open_cases(client, world):
    request = submit(world)
    client.force_login(world.manager)

    response = client.get(f"/requests/{request.pk}/allocate/")

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(f"{world.key_worker}, Preston Family Support: 0 open cases") in html
    assert escape(str(world.other_worker)) not in html


@pytest.mark.django_db
def test_manager_allocates_and_is_sent_to_the_case(client, world):
    request = submit(world)
    client.force_login(world.manager)

    response = client.post(
        f"/requests/{request.pk}/allocate/",
        {"key_worker": str(world.key_worker.pk), "reason": "Has capacity"},
    )

    case = Case.objects.get(request=request)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.key_worker == world.key_worker
    assert case.allocation_reason == "Has capacity"
    request.refresh_from_db()
    assert request.status == Status.ALLOCATED


@pytest.mark.django_db
def test_second_allocation_is_told_it_is_already_allocated(client, world):
    request = submit(world)
    client.force_login(world.manager)
    client.post(f"/requests/{request.pk}/allocate/", {"key_worker": str(world.key_worker.pk)})

    response = client.post(
        f"/requests/{request.pk}/allocate/", {"key_worker": str(world.second_worker.pk)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "already allocated" in _error_summary(html)
    assert Case.objects.filter(request=request).count() == 1
    assert Case.objects.get(request=request).key_worker == world.key_worker


@pytest.mark.django_db
def test_allocating_without_choosing_a_worker(client, world):
    request = submit(world)
    client.force_login(world.manager)

    response = client.post(f"/requests/{request.pk}/allocate/", {"key_worker": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a key worker" in _field_error(html, "id_key_worker")
    assert 'href="#id_key_worker_0"' in html
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_allocating_to_a_worker_of_another_district_is_refused(client, world):
    request = submit(world)
    client.force_login(world.manager)

    response = client.post(
        f"/requests/{request.pk}/allocate/", {"key_worker": str(world.other_worker.pk)}
    )

    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_key_worker_cannot_open_the_allocate_page(client, world):
    request = submit(world)
    client.force_login(world.key_worker)

    assert client.get(f"/requests/{request.pk}/allocate/").status_code == 403
    response = client.post(
        f"/requests/{request.pk}/allocate/", {"key_worker": str(world.key_worker.pk)}
    )
    assert response.status_code == 403
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_returned_request_cannot_be_allocated(client, world):
    request = submit(world, consents=[])
    client.force_login(world.manager)

    response = client.post(
        f"/requests/{request.pk}/allocate/", {"key_worker": str(world.key_worker.pk)}
    )

    assert response.status_code == 200
    assert "cannot allocate" in _error_summary(response.content.decode())
    assert not Case.objects.exists()


# Resubmission and withdrawal ---------------------------------------------------------


def _person_ids(request) -> dict[str, int]:
    return {m.person.first_name: m.person_id for m in request.members.select_related("person")}


@pytest.mark.django_db
def test_resubmitting_with_consent_queues_the_request(client, world):
    request = submit(world, consents=[])
    ids = _person_ids(request)
    client.force_login(world.business_support)
    page = client.get(f"/requests/{request.pk}/resubmit/")
    assert page.status_code == 200
    assert "No consent to share information recorded" in page.content.decode()

    response = client.post(
        f"/requests/{request.pk}/resubmit/",
        {
            f"consent_{ids['Sam']}": "given",
            f"given_by_{ids['Sam']}": str(ids["Sam"]),
            f"consent_{ids['Alex']}": "given",
            f"given_by_{ids['Alex']}": str(ids["Sam"]),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    request.refresh_from_db()
    assert request.status == Status.AWAITING_ALLOCATION
    assert request.allocation_due_by is not None
    html = client.get(response["Location"]).content.decode()
    assert "resubmitted" in html
    assert "queued for allocation" in html


@pytest.mark.django_db
def test_resubmitting_with_consent_still_missing_stays_returned(client, world):
    request = submit(world, consents=[])
    ids = _person_ids(request)
    client.force_login(world.business_support)

    response = client.post(
        f"/requests/{request.pk}/resubmit/",
        {f"consent_{ids['Sam']}": "given", f"given_by_{ids['Sam']}": str(ids["Sam"])},
    )

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.RETURNED_FOR_CONSENT
    assert request.version == 2


@pytest.mark.django_db
def test_resubmitting_nothing_asks_for_consent(client, world):
    request = submit(world, consents=[])
    client.force_login(world.business_support)
    writes = _writes()

    response = client.post(f"/requests/{request.pk}/resubmit/", {})

    assert response.status_code == 200
    assert "Record consent for at least one person" in _error_summary(response.content.decode())
    assert _writes() == writes


@pytest.mark.django_db
def test_resubmitting_consent_without_who_gave_it(client, world):
    request = submit(world, consents=[])
    ids = _person_ids(request)
    client.force_login(world.business_support)

    response = client.post(f"/requests/{request.pk}/resubmit/", {f"consent_{ids['Alex']}": "given"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Select who gave or refused consent" in _field_error(html, f"id_given_by_{ids['Alex']}")


@pytest.mark.django_db
def test_a_request_waiting_for_allocation_cannot_be_resubmitted(client, world):
    request = submit(world)
    client.force_login(world.business_support)

    html = client.get(f"/requests/{request.pk}/resubmit/").content.decode()

    assert "only a request returned for consent can be resubmitted" in html
    assert '<form method="post" novalidate id="consent-grid"' not in html


@pytest.mark.django_db
def test_withdrawing_a_request(client, world):
    request = submit(world)
    client.force_login(world.business_support)
    assert client.get(f"/requests/{request.pk}/withdraw/").status_code == 200

    response = client.post(
        f"/requests/{request.pk}/withdraw/", {"reason": "Family moved out of the county"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    event = AuditEvent.objects.get(code="request.withdrawn")
    assert event.details["reason"] == "Family moved out of the county"
    assert not Task.objects.filter(
        request=request, kind=TaskKind.ALLOCATE, completed_at=None
    ).exists()
    html = client.get(response["Location"]).content.decode()
    assert "withdrawn" in html


@pytest.mark.django_db
def test_withdrawing_needs_a_reason(client, world):
    request = submit(world)
    client.force_login(world.business_support)

    response = client.post(f"/requests/{request.pk}/withdraw/", {"reason": "  "})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Give the reason for withdrawing the request" in _field_error(html, "id_reason")
    request.refresh_from_db()
    assert request.status == Status.AWAITING_ALLOCATION


@pytest.mark.django_db
def test_an_allocated_request_cannot_be_withdrawn(client, world):
    request = submit(world)
    rfs_services.allocate_request(
        actor=world.manager, request_id=request.pk, key_worker_id=world.key_worker.pk
    )
    client.force_login(world.manager)

    response = client.post(f"/requests/{request.pk}/withdraw/", {"reason": "Changed mind"})

    assert response.status_code == 200
    assert "cannot be withdrawn" in response.content.decode()
    request.refresh_from_db()
    assert request.status == Status.ALLOCATED


@pytest.mark.django_db
def test_withdraw_is_refused_to_another_district(client, world):
    request = submit(world)
    client.force_login(world.other_worker)

    response = client.post(f"/requests/{request.pk}/withdraw/", {"reason": "No"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_intake_records_consent_for_each_purpose_answered(client, world):
    client.force_login(world.business_support)
    parent = {**PARENT, "consent_assessment": "given", "consent_referral_on": "refused"}
    child = {**CHILD, "consent_assessment": "given"}

    response = client.post("/requests/new/", intake_data(members=(parent, child)))

    assert response.status_code == 302
    rfs = RequestForSupport.objects.get()
    recorded = {
        (c.person.first_name, c.purpose, c.given, c.given_by.first_name)
        for c in rfs.consents.select_related("person", "given_by")
    }
    assert recorded == {
        ("Sam", "share_information", True, "Sam"),
        ("Sam", "assessment", True, "Sam"),
        ("Sam", "referral_on", False, "Sam"),
        ("Alex", "share_information", True, "Sam"),
        ("Alex", "assessment", True, "Sam"),
    }
    assert rfs.status == Status.AWAITING_ALLOCATION
