"""The CAF assessment on the web: the draft (with optimistic locking), consent and the
line manager's decision on a refusal, the Employment Advisor contact, and completing it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases import services
from earlyhelp.cases.models import Assessment, Case, Status
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import open_case, prepare_assessment

STALE_MESSAGE = "Someone else saved this assessment after you opened it."


def url(name: str, case: Case) -> str:
    return reverse(f"cases:{name}", args=[case.pk])


def assessment_of(case: Case) -> Assessment:
    return Assessment.objects.get(case=case)


def draft(version: int, **changes) -> dict:
    data = {
        "child_development_strengths": "Loves school",
        "child_development_needs": "Sleep routine",
        "parenting_capacity_strengths": "",
        "parenting_capacity_needs": "Boundaries",
        "family_environment_strengths": "",
        "family_environment_needs": "Damp housing",
        "voice_of_child": "Wants to sleep better",
        "voice_of_parents": "",
        "wider_family": "Nan helps at weekends",
        "tfu_criteria": ["2", "5"],
        "expected_version": str(version),
    }
    data.update(changes)
    return data


def opened(case: Case, **fields: str) -> dict[str, object]:
    """A form about the assessment as posted: its fields and the version it was opened at."""
    return {**fields, "expected_version": assessment_of(case).version}


def summary_texts(response) -> list[str]:
    return [item["text"] for item in response.context["error_summary"]]


# ---------------------------------------------------------------- the draft


@pytest.mark.django_db
def test_saving_the_draft_updates_the_assessment(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)
    version = client.get(url("assessment", case)).context["form"].initial["expected_version"]

    response = client.post(url("assessment", case), draft(version))

    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#assessment"
    saved = assessment_of(case)
    assert saved.child_development_needs == "Sleep routine"
    assert saved.wider_family == "Nan helps at weekends"
    assert sorted(c.number for c in saved.tfu_criteria.all()) == [2, 5]
    assert saved.version == int(version) + 1
    assert not saved.worklessness_identified
    page = client.get(response["Location"]).content.decode()
    assert "Assessment draft saved" in page


@pytest.mark.django_db
def test_the_form_shows_the_three_domains_the_voices_and_save_draft(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    content = client.get(url("assessment", case)).content.decode()

    for words in (
        "Child&#x27;s developmental needs",
        "Parenting capacity",
        "Family and environmental factors",
        "Voice of the child or young person",
        "Voice of the parents or carers",
        "Wider family",
        "Troubled Families criteria met",
        "Worklessness identified in the family",
        'name="expected_version"',
        "Save draft",
    ):
        assert words in content


@pytest.mark.django_db
def test_worklessness_from_the_web_makes_the_employment_advisor_contact_required(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    client.post(
        url("assessment", case),
        draft(assessment_of(case).version, worklessness_identified="on"),
    )

    saved = assessment_of(case)
    assert saved.worklessness_identified
    assert saved.employment_advisor_contact == "required"
    assert Task.objects.filter(case=case, kind=TaskKind.EMPLOYMENT_ADVISOR).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("criteria", [["99"], ["x"]])
def test_an_unknown_tfu_criterion_is_refused_by_its_field_and_nothing_is_saved(
    client, world, criteria
):
    case = open_case(world)
    client.force_login(world.key_worker)
    version = assessment_of(case).version

    response = client.post(url("assessment", case), draft(version, tfu_criteria=criteria))

    assert response.status_code == 200
    assert response.context["form"].errors["tfu_criteria"] == ["Choose TFU criteria from the list"]
    assert response.context["error_summary"][0]["href"] == "#id_tfu_criteria_0"
    saved = assessment_of(case)
    assert saved.version == version
    assert saved.child_development_needs == ""


@pytest.mark.django_db
def test_a_stale_save_is_refused_and_keeps_the_other_persons_values(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)
    opened = client.get(url("assessment", case)).context["form"].initial["expected_version"]
    # Someone else saves while the form is open.
    services.update_assessment(
        actor=world.second_worker,
        case_id=case.pk,
        expected_version=int(opened),
        fields={"child_development_needs": "Their words", "wider_family": "Their family note"},
        tfu_criteria=[1],
    )

    response = client.post(url("assessment", case), draft(opened))

    assert response.status_code == 200
    assert summary_texts(response)[0].startswith(STALE_MESSAGE)
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert content.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in content
    # The other person's saved values are kept, and shown in the form.
    saved = assessment_of(case)
    assert saved.child_development_needs == "Their words"
    assert [c.number for c in saved.tfu_criteria.all()] == [1]
    form = response.context["form"]
    assert form["child_development_needs"].value() == "Their words"
    assert form["wider_family"].value() == "Their family note"
    assert form["expected_version"].value() == str(saved.version)
    # What this person typed is listed for them, not lost.
    unsaved = {change["label"]: change["value"] for change in response.context["unsaved"]}
    assert unsaved["Child's developmental needs: needs"] == "Sleep routine"
    assert "Your changes, not saved" in content
    # Submitting again from the refreshed form (now at the current version) saves.
    again = client.post(url("assessment", case), draft(saved.version, wider_family="Merged"))
    assert again.status_code == 302
    assert assessment_of(case).wider_family == "Merged"


@pytest.mark.django_db
def test_a_completed_assessment_is_shown_read_only_and_cannot_be_saved(client, world):
    case = _ready_to_complete(world)
    services.complete_assessment(actor=world.key_worker, case_id=case.pk)
    client.force_login(world.key_worker)

    page = client.get(url("assessment", case))
    assert "can no longer be changed" in page.content.decode()
    assert "Save draft" not in page.content.decode()

    response = client.post(url("assessment", case), draft(assessment_of(case).version))
    assert summary_texts(response) == ["The assessment is complete and can no longer be edited."]
    assert assessment_of(case).child_development_strengths == ""


# ---------------------------------------------------------------- consent


@pytest.mark.django_db
def test_recording_consent_given(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("caf-consent", case), opened(case, consent="given"), follow=True)

    assert assessment_of(case).consent == "given"
    assert "Consent to the CAF recorded" in response.content.decode()
    assert not Task.objects.filter(kind=TaskKind.CAF_CONSENT_REFUSED).exists()


@pytest.mark.django_db
def test_refused_consent_makes_a_task_for_the_line_manager_and_says_so(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("caf-consent", case), opened(case, consent="refused"), follow=True)

    assert assessment_of(case).consent == "refused"
    task = Task.objects.get(kind=TaskKind.CAF_CONSENT_REFUSED, case=case)
    assert task.assignee == world.manager
    content = response.content.decode()
    assert "govuk-notification-banner--success" in content
    assert escape(f"sent to your line manager, {world.manager},") in content


@pytest.mark.django_db
def test_consent_without_an_answer_is_refused_by_the_field(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("caf-consent", case), opened(case))

    assert response.context["form"].errors["consent"] == ["Choose whether the family gave consent"]
    assert response.context["error_summary"] == [
        {"text": "Choose whether the family gave consent", "href": "#id_consent_0"}
    ]
    assert assessment_of(case).consent == "not_asked"


# ---------------------------------------------------------------- the refusal decision


def _refused(world) -> Case:
    case = open_case(world)
    services.record_caf_consent(actor=world.key_worker, case_id=case.pk, given=False)
    return case


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["key_worker", "dso"])
def test_only_the_line_manager_may_open_the_refusal_decision(client, world, who):
    case = _refused(world)
    user = getattr(world, who)
    client.force_login(user)

    response = client.get(url("consent-refusal-decision", case))

    assert response.status_code == 403
    refused = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refused.actor == user
    assert refused.object_id == str(case.pk)


@pytest.mark.django_db
def test_the_line_manager_records_the_decision_on_refused_consent(client, world):
    case = _refused(world)
    client.force_login(world.manager)
    assert client.get(url("consent-refusal-decision", case)).status_code == 200

    response = client.post(
        url("consent-refusal-decision", case),
        opened(case, decision="Signpost and close"),
        follow=True,
    )

    assert assessment_of(case).consent_refusal_decision == "Signpost and close"
    task = Task.objects.get(kind=TaskKind.CAF_CONSENT_REFUSED, case=case)
    assert task.completed_at is not None
    assert "Your decision on the refused consent is recorded" in response.content.decode()


@pytest.mark.django_db
def test_an_empty_refusal_decision_is_refused_by_the_field(client, world):
    case = _refused(world)
    client.force_login(world.manager)

    response = client.post(url("consent-refusal-decision", case), opened(case, decision="  "))

    assert response.context["form"].errors["decision"] == ["Record your decision"]
    assert assessment_of(case).consent_refusal_decision == ""


@pytest.mark.django_db
def test_a_refusal_decision_without_a_refusal_shows_the_message(client, world):
    case = open_case(world)
    client.force_login(world.manager)

    assert "nothing to decide" in client.get(url("consent-refusal-decision", case)).content.decode()
    response = client.post(url("consent-refusal-decision", case), opened(case, decision="Close"))

    assert summary_texts(response) == ["The family has not refused consent to the CAF."]
    assert assessment_of(case).consent_refusal_decision == ""


# ---------------------------------------------------------------- Employment Advisor


def _workless(world) -> Case:
    case = open_case(world)
    services.update_assessment(
        actor=world.key_worker, case_id=case.pk, worklessness_identified=True
    )
    return case


@pytest.mark.django_db
def test_recording_the_employment_advisor_contact(client, world):
    case = _workless(world)
    client.force_login(world.key_worker)

    response = client.post(
        url("employment-advisor", case), opened(case, outcome="made", note="Appointment booked")
    )

    assert response.status_code == 302
    assert assessment_of(case).employment_advisor_contact == "made"
    task = Task.objects.get(kind=TaskKind.EMPLOYMENT_ADVISOR, case=case)
    assert task.completed_at is not None


@pytest.mark.django_db
def test_an_employment_advisor_contact_without_an_outcome_is_refused_by_the_field(client, world):
    case = _workless(world)
    client.force_login(world.key_worker)

    response = client.post(url("employment-advisor", case), opened(case, outcome="maybe"))

    assert response.context["form"].errors["outcome"]
    assert assessment_of(case).employment_advisor_contact == "required"


@pytest.mark.django_db
def test_an_employment_advisor_contact_when_none_is_needed_shows_the_message(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("employment-advisor", case), opened(case, outcome="made"))

    assert summary_texts(response) == ["No worklessness has been identified for this family."]
    assert assessment_of(case).employment_advisor_contact == "not_needed"


# ---------------------------------------------------------------- completing


def _ready_to_complete(world) -> Case:
    case = open_case(world)
    prepare_assessment(case)
    return case


@pytest.mark.django_db
def test_the_complete_page_lists_what_is_missing(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.get(url("complete-assessment", case))

    content = response.content.decode()
    assert "Record the family&#x27;s consent to the CAF" in content
    assert "Record the baseline Outcomes Star" in content
    assert "Record the initial visit" in content


@pytest.mark.django_db
def test_completing_too_early_shows_the_reason_in_the_error_summary(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)

    response = client.post(url("complete-assessment", case))

    assert response.status_code == 200
    [text] = summary_texts(response)
    assert text.startswith("The assessment cannot be completed yet: Record the family's consent")
    assert "govuk-error-summary" in response.content.decode()
    assert assessment_of(case).completed_at is None


@pytest.mark.django_db
def test_completing_the_assessment(client, world):
    case = _ready_to_complete(world)
    client.force_login(world.key_worker)

    response = client.post(url("complete-assessment", case), follow=True)

    saved = assessment_of(case)
    assert saved.completed_at is not None
    assert saved.completed_by == world.key_worker
    content = response.content.decode()
    assert "Assessment completed" in content
    assert url("decision", case) in content


@pytest.mark.django_db
def test_a_refused_case_with_the_managers_decision_may_be_decided_at_level_1(client, world):
    case = _refused(world)
    services.record_consent_refusal_decision(
        actor=world.manager, case_id=case.pk, decision="Signpost and close"
    )
    client.force_login(world.key_worker)

    assert url("decision", case) in client.get(url("detail", case)).content.decode()
    response = client.post(
        url("decision", case),
        {
            "level": "1",
            "case_type_code": "L2-L1",
            "rationale": "Consent refused",
            "signposted_services": "Children's centre",
        },
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.LEVEL_1_CLOSING
