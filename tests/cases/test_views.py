"""The case pages on the web: the caseload, the case page, recording a contact, the
Outcomes Star and the decision. Each page is for those who may work on the case (others
get the 403 page, on the audit log); each form changes state through the service, and
bad input is shown by its field with nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.models import Kind as ApprovalKind
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases import services
from earlyhelp.cases.models import Case, Contact, Decision, Escalation, StarReading, Status
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import STAR_AREAS, assessed_case, open_case, star_scores

CASE_PAGES = (
    "detail",
    "record-contact",
    "assessment",
    "caf-consent",
    "employment-advisor",
    "complete-assessment",
    "record-star",
    "decision",
)


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.pk])


def date_fields(prefix: str, day: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


def contact_data(case: Case, **changes) -> dict:
    """A valid contact five minutes ago: a home visit with the family's parent."""
    when = timezone.localtime() - dt.timedelta(minutes=5)
    parent = case.family.memberships.get(relationship="parent").person
    data = {
        **date_fields("occurred_on", when.date()),
        "occurred_at_time": when.strftime("%H:%M"),
        "contact_type": "home_visit",
        "duration_minutes": "90",
        "attendees": [str(parent.pk)],
        "other_attendees": "Grandma",
        "referrer_attended": "on",
        "notes": "Met mum and Alex at home",
    }
    data.update(changes)
    return data


def field_error(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def summary_texts(response) -> list[str]:
    return [item["text"] for item in response.context["error_summary"]]


# ---------------------------------------------------------------- every page


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASE_PAGES)
def test_each_case_page_renders_for_the_key_worker(client, world, name):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.get(url(name, case))

    assert response.status_code == 200
    assert case.urn in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASE_PAGES)
def test_a_worker_of_another_district_gets_403_and_the_attempt_is_audited(client, world, name):
    case = open_case(world)
    client.force_login(world.other_worker)

    response = client.get(url(name, case))

    assert response.status_code == 403
    assert case.urn not in response.content.decode()
    refused = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refused.actor == world.other_worker
    assert refused.object_type == "cases.case"
    assert refused.object_id == str(case.pk)
    assert refused.source == url(name, case)


@pytest.mark.django_db
def test_posting_to_a_case_of_another_district_is_refused_and_writes_nothing(client, world):
    case = open_case(world)
    client.force_login(world.other_worker)

    response = client.post(url("record-contact", case), contact_data(case))

    assert response.status_code == 403
    assert not Contact.objects.exists()
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_worker).exists()


@pytest.mark.django_db
def test_case_pages_need_a_sign_in(client, world):
    case = open_case(world)

    response = client.get(url("detail", case))

    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


# ---------------------------------------------------------------- caseload


@pytest.mark.django_db
def test_caseload_lists_the_workers_open_cases_with_status_and_initial_visit(client, world):
    case = open_case(world)
    open_case(world, worker=world.second_worker)
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:caseload"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "My caseload" in content
    assert [row["case"] for row in response.context["rows"]] == [case]
    assert url("detail", case) in content
    assert case.urn in content
    assert "govuk-tag--blue" in content
    assert f"Due {case.initial_visit_due_by:%-d %b %Y}" in content


@pytest.mark.django_db
def test_caseload_tags_an_overdue_initial_visit_red(client, world):
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(
        initial_visit_due_by=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:caseload"))

    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in response.content.decode()


@pytest.mark.django_db
def test_caseload_shows_the_safeguarding_flag(client, world):
    case = open_case(world)
    services.raise_safeguarding_concern(
        actor=world.key_worker, case_id=case.pk, concern="Bruising seen"
    )
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:caseload"))

    assert "Concern open" in response.content.decode()


@pytest.mark.django_db
def test_a_manager_sees_a_reports_caseload(client, world):
    case = open_case(world)
    client.force_login(world.manager)

    response = client.get(reverse("cases:caseload"), {"worker": world.key_worker.pk})

    assert response.status_code == 200
    assert [row["case"] for row in response.context["rows"]] == [case]
    assert escape(f"Caseload of {world.key_worker}") in response.content.decode()
    assert world.key_worker in response.context["reports"]


@pytest.mark.django_db
def test_a_caseload_shows_only_cases_whose_families_the_viewer_may_see(client, world):
    open_case(world)
    client.force_login(world.other_manager)

    response = client.get(reverse("cases:caseload"), {"worker": world.key_worker.pk})

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "There are no open cases" in response.content.decode()


@pytest.mark.django_db
def test_caseload_for_an_unknown_worker_is_not_found(client, world):
    client.force_login(world.manager)

    assert client.get(reverse("cases:caseload"), {"worker": "98765"}).status_code == 404
    assert client.get(reverse("cases:caseload"), {"worker": "x"}).status_code == 404


@pytest.mark.django_db
def test_caseload_query_count_is_the_same_for_3_and_30_cases(client, world):
    client.force_login(world.key_worker)
    for _ in range(3):
        open_case(world)
    client.get(reverse("cases:caseload"))  # warm the session and caches
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("cases:caseload"))
    assert len(response.context["rows"]) == 3

    for _ in range(27):
        open_case(world)
    with CaptureQueriesContext(connection) as thirty:
        response = client.get(reverse("cases:caseload"))

    assert response.context["page"].paginator.count == 30
    assert len(thirty) == len(three)


# ---------------------------------------------------------------- the case page


@pytest.mark.django_db
def test_case_page_shows_header_timescales_and_sections(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.get(url("detail", case))

    content = response.content.decode()
    assert response.status_code == 200
    assert case.urn in content
    assert f'href="/families/{case.family_id}/"' in content
    assert escape(str(world.key_worker)) in content
    assert "Initial visit" in content
    assert "On time" in content
    assert "Initial visit with mum and Alex" in content  # the contact
    assert "Given" in content  # consent
    assert "Complete</strong>" in content  # assessment
    assert "Stuck" in content  # Star stage for a score of 3
    assert url("decision", case) in content
    assert url("record-contact", case) in content
    assert "Safeguarding concern open" not in content
    viewed = AuditEvent.objects.filter(kind=Kind.VIEW, code="case.viewed").last()
    assert viewed.actor == world.key_worker
    assert viewed.source == url("detail", case)


@pytest.mark.django_db
def test_case_page_shows_the_safeguarding_banner_when_flagged(client, world):
    case = open_case(world)
    services.raise_safeguarding_concern(
        actor=world.key_worker, case_id=case.pk, concern="Bruising seen"
    )
    client.force_login(world.key_worker)

    response = client.get(url("detail", case))

    content = response.content.decode()
    assert "govuk-notification-banner" in content
    assert "Safeguarding concern open" in content


@pytest.mark.django_db
def test_case_page_shows_the_decision_approval_and_messages(client, world):
    case = assessed_case(world)
    services.record_decision(
        actor=world.key_worker,
        case_id=case.pk,
        level="1",
        case_type_code="L2-L1",
        rationale="Universal services meet the needs",
        signposted_services="Stay and play",
    )
    services.raise_safeguarding_concern(actor=world.key_worker, case_id=case.pk, concern="Bruise")
    client.force_login(world.key_worker)

    response = client.get(url("detail", case))

    content = response.content.decode()
    assert "Universal services meet the needs" in content
    assert "Level 1 signpost and close" in content
    assert "Waiting for a decision" in content
    assert "Safeguarding alert" in content  # the messages sent
    assert world.dso.email in content
    assert url("decision", case) not in content  # decided: no second decision
    assert url("record-contact", case) in content  # still allowed while closing


@pytest.mark.django_db
def test_closed_case_page_offers_no_casework_actions(client, world):
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    client.force_login(world.key_worker)

    content = client.get(url("detail", case)).content.decode()

    for name in ("record-contact", "record-star", "decision", "caf-consent"):
        assert url(name, case) not in content


@pytest.mark.django_db
def test_case_page_query_count_does_not_grow_with_contacts_and_readings(client, world):
    case = open_case(world)
    worker = world.key_worker
    client.force_login(worker)

    def add(n: int) -> None:
        for i in range(n):
            services.record_contact(
                actor=worker,
                case_id=case.pk,
                occurred_at=timezone.now() - dt.timedelta(minutes=i + 1),
                contact_type="home_visit" if i % 2 else "phone",
                duration_minutes=60,
                notes=f"Contact {i}",
                attendee_ids=list(case.family.memberships.values_list("person_id", flat=True)),
            )
            services.record_star_reading(
                actor=worker,
                case_id=case.pk,
                kind="baseline",
                taken_on=timezone.localdate(),
                scores=star_scores(i % 10 + 1),
            )

    add(2)
    client.get(url("detail", case))
    with CaptureQueriesContext(connection) as two:
        client.get(url("detail", case))
    add(18)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url("detail", case))

    assert len(response.context["case"].contacts.all()) == 20
    assert len(twenty) == len(two)


# ---------------------------------------------------------------- record a contact


@pytest.mark.django_db
def test_recording_a_visit_sets_the_initial_visit_and_completes_its_task(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("record-contact", case), contact_data(case))

    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#contacts"
    contact = Contact.objects.get(case=case)
    assert contact.contact_type == "home_visit"
    assert contact.duration_minutes == 90
    assert contact.referrer_attended is True
    assert contact.other_attendees == "Grandma"
    assert [p.first_name for p in contact.attendees.all()] == ["Sam"]
    case.refresh_from_db()
    assert case.initial_visit_on == timezone.localdate(contact.occurred_at)
    task = Task.objects.get(case=case, kind=TaskKind.INITIAL_VISIT)
    assert task.completed_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Contact recorded. It is the initial visit" in page


@pytest.mark.django_db
def test_a_phone_call_is_not_the_initial_visit(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    client.post(url("record-contact", case), contact_data(case, contact_type="phone"))

    case.refresh_from_db()
    assert Contact.objects.filter(case=case).count() == 1
    assert case.initial_visit_on is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"occurred_on_day": "", "occurred_on_month": "", "occurred_on_year": ""},
            "occurred_on",
            "Enter the date of the contact",
        ),
        ({"occurred_on_month": ""}, "occurred_on", "The date of the contact must include a month"),
        ({"occurred_on_day": "31", "occurred_on_month": "2"}, "occurred_on", "must be a real date"),
        ({"occurred_at_time": "half past"}, "occurred_at_time", "like 14:30"),
        ({"contact_type": ""}, "contact_type", "Choose the type of contact"),
        ({"duration_minutes": "0"}, "duration_minutes", "between 1 and 720 minutes"),
        ({"duration_minutes": "721"}, "duration_minutes", "between 1 and 720 minutes"),
        ({"duration_minutes": "lots"}, "duration_minutes", "number of minutes"),
        ({"notes": ""}, "notes", "Enter notes of the contact"),
        ({"notes": "   "}, "notes", "Enter notes of the contact"),
        ({"attendees": ["999999"]}, "attendees", "Attendees must be members of the family"),
    ],
)
def test_bad_contact_input_is_shown_by_its_field_and_nothing_is_saved(
    client, world, changes, field, message
):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("record-contact", case), contact_data(case, **changes))

    assert response.status_code == 200
    assert any(message in error for error in field_error(response, field))
    assert any(message in text for text in summary_texts(response))
    assert "govuk-error-summary" in response.content.decode()
    assert response.content.decode().count("govuk-form-group--error") >= 1
    assert not Contact.objects.exists()
    case.refresh_from_db()
    assert case.initial_visit_on is None


@pytest.mark.django_db
def test_a_contact_in_the_future_is_refused_by_the_date(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(
        url("record-contact", case), contact_data(case, **date_fields("occurred_on", tomorrow))
    )

    assert field_error(response, "occurred_on") == ["The contact must have already happened"]
    summary = response.context["error_summary"]
    assert summary == [
        {"text": "The contact must have already happened", "href": "#id_occurred_on_day"}
    ]
    assert "govuk-input--error" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_member_of_another_family_cannot_attend(client, world):
    case = open_case(world)
    other = open_case(world)
    stranger = other.family.memberships.first().person
    client.force_login(world.key_worker)

    response = client.post(
        url("record-contact", case), contact_data(case, attendees=[str(stranger.pk)])
    )

    assert field_error(response, "attendees") == ["Attendees must be members of the family"]
    assert response.context["error_summary"][0]["href"] == "#id_attendees_0"
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_contact_on_a_closed_case_is_refused_in_the_error_summary(client, world):
    case = open_case(world)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    client.force_login(world.key_worker)

    response = client.post(url("record-contact", case), contact_data(case))

    assert response.status_code == 200
    assert summary_texts(response) == [
        "Contacts cannot be recorded on a closed case. This case is: Closed."
    ]
    assert not Contact.objects.exists()


# ---------------------------------------------------------------- Outcomes Star


def star_data(**changes) -> dict:
    data = {
        "kind": "baseline",
        **date_fields("taken_on", timezone.localdate()),
        **{f"scores_{area}": "4" for area in STAR_AREAS},
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_recording_a_star_saves_a_score_per_area(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("record-star", case), star_data(scores_home="9"))

    assert response.status_code == 302
    reading = StarReading.objects.get(case=case)
    assert reading.kind == "baseline"
    assert reading.star == world.star
    assert reading.scores == {**star_scores(4), "home": 9}
    page = client.get(url("detail", case)).content.decode()
    assert "Moving" in page  # the stage of a 9


@pytest.mark.django_db
def test_the_star_form_asks_for_each_area_of_the_default_star(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.get(url("record-star", case))

    names = [f.name for f in response.context["form"].score_fields()]
    assert names == [f"scores_{area}" for area in STAR_AREAS]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"scores_home": "11"}, "scores_home", "Score between 1 and 10"),
        ({"scores_home": "0"}, "scores_home", "Score between 1 and 10"),
        ({"scores_routines": ""}, "scores_routines", "Enter a score for Routines"),
        ({"scores_routines": "4.5"}, "scores_routines", "must be a whole number"),
        ({"kind": ""}, "kind", "Choose when the Star was taken"),
        ({"taken_on_year": "25"}, "taken_on", "Year must include 4 numbers"),
    ],
)
def test_bad_star_input_is_shown_by_its_field_and_nothing_is_saved(
    client, world, changes, field, message
):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("record-star", case), star_data(**changes))

    assert response.status_code == 200
    assert any(message in error for error in field_error(response, field))
    assert not StarReading.objects.exists()


@pytest.mark.django_db
def test_a_star_taken_in_the_future_is_refused_by_the_date(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.post(url("record-star", case), star_data(**date_fields("taken_on", tomorrow)))

    assert field_error(response, "taken_on") == ["The Star cannot be taken in the future"]
    assert not StarReading.objects.exists()


# ---------------------------------------------------------------- the decision


def decision_data(**changes) -> dict:
    data = {"level": "1", "case_type_code": "L2-L1", "rationale": "Needs met by universal"}
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_level_1_decision_goes_to_the_line_manager_to_agree_closure(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        url("decision", case), decision_data(signposted_services="Stay and play"), follow=True
    )

    assert response.status_code == 200
    assert "sent to your line manager to agree closure" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.LEVEL_1_CLOSING
    approval = Approval.objects.get(case=case)
    assert approval.kind == ApprovalKind.LEVEL_1_CLOSURE
    assert approval.status == "pending"
    assert approval.approver == world.manager
    decision = Decision.objects.get(case=case)
    assert decision.signposted_services == "Stay and play"


@pytest.mark.django_db
def test_a_decision_before_the_assessment_is_complete_shows_the_message(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("decision", case), decision_data(signposted_services="Stay"))

    assert response.status_code == 200
    assert summary_texts(response) == ["Complete the assessment before recording the decision."]
    assert "Complete the assessment before recording the decision" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT
    assert not Decision.objects.exists()
    assert not Approval.objects.exists()


@pytest.mark.django_db
def test_level_1_without_the_services_signposted_is_refused_by_that_field(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("decision", case), decision_data())

    assert field_error(response, "signposted_services") == ["Record the services signposted"]
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT
    assert not Decision.objects.exists()
    assert not Approval.objects.exists()
    # The chosen level's reveal stays open to show the error.
    assert 'id="conditional-id_level_0">' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"level": ""}, "level", "Choose the level of need"),
        ({"case_type_code": ""}, "case_type_code", "Choose the case type"),
        ({"case_type_code": "L9"}, "case_type_code", "Select a valid choice"),
        ({"rationale": ""}, "rationale", "Give the evidence and rationale for the decision"),
    ],
)
def test_bad_decision_input_is_shown_by_its_field_and_nothing_is_saved(
    client, world, changes, field, message
):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        url("decision", case), decision_data(signposted_services="Stay", **changes)
    )

    assert any(message in error for error in field_error(response, field))
    assert not Decision.objects.exists()


@pytest.mark.django_db
def test_a_level_2_decision_names_the_lead_professional_and_starts_the_plan(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)
    today = timezone.localdate()

    response = client.post(
        url("decision", case),
        decision_data(
            level="2",
            case_type_code="L2A",
            lead_professional_id=str(world.key_worker.pk),
            **date_fields("plan_starts_on", today),
        ),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PLANNING
    assert case.lead_professional == world.key_worker
    assert case.plan_started_on == today
    assert case.next_review_due_by == today + dt.timedelta(weeks=6)


@pytest.mark.django_db
def test_a_level_2_decision_without_a_lead_professional_is_refused_by_that_field(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("decision", case), decision_data(level="2", case_type_code="L2A"))

    assert field_error(response, "lead_professional_id") == [
        "Name the lead professional: a worker, or a name and agency"
    ]
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT


@pytest.mark.django_db
def test_a_level_3_4_decision_records_the_escalation(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        url("decision", case),
        decision_data(
            level="3-4",
            case_type_code="L3",
            discussed_with_id=str(world.dso.pk),
            discussion="Agreed to refer",
            csc_referral_made="yes",
            csc_reference="CSC-123",
            wpehs_future_role="Support alongside social care",
        ),
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    escalation = Escalation.objects.get(case=case)
    assert escalation.discussed_with == world.dso
    assert escalation.csc_referral_made is True
    assert escalation.csc_reference == "CSC-123"


@pytest.mark.django_db
def test_an_escalation_missing_its_details_is_refused_by_each_field(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("decision", case), decision_data(level="3-4", case_type_code="L3"))

    form = response.context["form"]
    assert form.errors["discussed_with_id"] == ["Choose the line manager or DSO you consulted"]
    assert form.errors["discussion"] == ["Record the discussion"]
    assert form.errors["csc_referral_made"] == [
        "Say whether a referral to Children's Social Care was made"
    ]
    assert form.errors["wpehs_future_role"] == ["Record the agreed future role of the service"]
    assert {"text": "Record the discussion", "href": "#id_discussion"} in response.context[
        "error_summary"
    ]
    assert not Escalation.objects.exists()
    case.refresh_from_db()
    assert case.status == Status.ASSESSMENT


@pytest.mark.django_db
def test_a_second_level_1_decision_is_refused_as_not_allowed_now(client, world):
    case = assessed_case(world)
    services.record_decision(
        actor=world.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Plan",
        lead_professional_id=world.key_worker.pk,
    )
    client.force_login(world.key_worker)

    response = client.post(url("decision", case), decision_data(signposted_services="Stay"))

    assert response.status_code == 200
    assert summary_texts(response) == [
        "Level 1 can only be decided while the case is in assessment. This case is: Level 2: plan."
    ]
    assert Decision.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_a_missing_case_is_page_not_found_and_not_a_refusal(client, world):
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:detail", args=[987654]))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(kind=Kind.DENIED).exists()


def _planning_case(world, *, weeks_since_start: int) -> Case:
    case = assessed_case(world)
    services.record_decision(
        actor=world.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Plan",
        lead_professional_id=world.key_worker.pk,
    )
    started = timezone.localdate() - dt.timedelta(weeks=weeks_since_start)
    Case.objects.filter(pk=case.pk).update(
        plan_started_on=started, next_review_due_by=started + dt.timedelta(weeks=6)
    )
    return case


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weeks", "tag"),
    [
        (5, None),
        (7, '<strong class="govuk-tag govuk-tag--yellow">Due</strong>'),
        (9, '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'),
    ],
)
def test_a_review_is_due_after_6_weeks_and_overdue_after_8(client, world, weeks, tag):
    case = _planning_case(world, weeks_since_start=weeks)
    client.force_login(world.key_worker)

    caseload = client.get(reverse("cases:caseload")).content.decode()
    page = client.get(url("detail", case)).content.decode()

    for content in (caseload, page):
        if tag is None:
            assert "Overdue</strong>" not in content
            assert "Due</strong>" not in content
        else:
            assert tag in content
    started = timezone.localdate() - dt.timedelta(weeks=weeks)
    assert f"Overdue after {started + dt.timedelta(weeks=8):%-d %B %Y}" in page
