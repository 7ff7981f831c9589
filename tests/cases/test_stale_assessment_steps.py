"""The CAF's consent, the line manager's decision on a refusal and the Employment
Advisor contact are recorded with the assessment's version: one recorded over a newer
record than the form was opened on is refused with the other person's record shown, on
the page and as a 409 problem in the API, and nothing of theirs is overwritten."""

from __future__ import annotations

import pytest
from django.urls import reverse

from earlyhelp.cases import services
from earlyhelp.cases.models import Assessment, Case
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.casework import open_case

pytestmark = pytest.mark.django_db
API = "/api/v1/cases"
STALE = "Someone else changed this assessment since you opened it"


def _assessment(case: Case) -> Assessment:
    return Assessment.objects.get(case=case)


def _cells(saved: str, yours: str) -> str:
    """The "Saved now" and "Yours" cells of a row of the table of changes."""
    return f'<td class="govuk-table__cell">{saved}</td><td class="govuk-table__cell">{yours}</td>'


def _problem(response, current_version: int) -> list[tuple[str, str, str]]:
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["rule"] == "stale_record"
    assert body["current_version"] == current_version
    return [(d["field"], d["saved"], d["submitted"]) for d in body["differences"]]


# ---------------------------------------------------------------- the CAF draft


def test_a_stale_caf_draft_in_the_api_is_a_409_problem_naming_the_changes(client, world):
    case = open_case(world)
    read = _assessment(case).version
    client.force_login(world.key_worker)
    services.update_assessment(
        actor=world.second_worker,
        case_id=case.pk,
        expected_version=read,
        fields={"wider_family": "Gran helps", "voice_of_child": "Likes school"},
    )

    response = client.patch(
        f"{API}/{case.pk}/assessment",
        {"expected_version": read, "wider_family": "Overwrites gran", "voice_of_child": ""},
        content_type="application/json",
    )

    assert _problem(response, read + 1) == [
        ("voice_of_child", "Likes school", ""),
        ("wider_family", "Gran helps", "Overwrites gran"),
    ]
    assert _assessment(case).wider_family == "Gran helps"


# ---------------------------------------------------------------- consent


def test_consent_recorded_over_a_newer_record_is_refused_with_it_shown(client, world):
    case = open_case(world)
    opened = _assessment(case).version
    client.force_login(world.key_worker)
    url = reverse("cases:caf-consent", args=[case.pk])
    assert f'name="expected_version" value="{opened}"' in client.get(url).content.decode()
    services.record_caf_consent(actor=world.second_worker, case_id=case.pk, given=True)

    response = client.post(url, {"consent": "refused", "expected_version": opened})

    page = response.content.decode()
    assert response.status_code == 200
    assert STALE in page
    assert _cells("Given", "Refused") in page
    assert _assessment(case).consent == "given"
    assert not Task.objects.filter(kind=TaskKind.CAF_CONSENT_REFUSED).exists()
    assert f'name="expected_version" value="{opened + 1}"' in page

    again = client.post(url, {"consent": "refused", "expected_version": opened + 1})

    assert again.status_code == 302
    assert _assessment(case).consent == "refused"


def test_consent_recorded_on_the_version_saved_is_accepted(client, world):
    case = open_case(world)
    opened = _assessment(case).version
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:caf-consent", args=[case.pk]),
        {"consent": "given", "expected_version": opened},
    )

    assert response.status_code == 302
    assert (_assessment(case).consent, _assessment(case).version) == ("given", opened + 1)


def test_stale_consent_in_the_api_is_a_409_problem_naming_the_change(client, world):
    case = open_case(world)
    client.force_login(world.key_worker)
    read = client.get(f"{API}/{case.pk}").json()["assessment"]["version"]
    services.record_caf_consent(actor=world.second_worker, case_id=case.pk, given=True)

    response = client.post(
        f"{API}/{case.pk}/assessment/consent",
        {"given": False, "expected_version": read},
        content_type="application/json",
    )

    assert _problem(response, read + 1) == [("consent", "Given", "Refused")]
    assert _assessment(case).consent == "given"
    fresh = client.post(
        f"{API}/{case.pk}/assessment/consent",
        {"given": False, "expected_version": read + 1},
        content_type="application/json",
    )
    assert fresh.status_code == 200
    assert fresh.json()["assessment"]["version"] == read + 2


# ---------------------------------------------------------------- the refusal decision


def _refused(world) -> Case:
    case = open_case(world)
    services.record_caf_consent(actor=world.key_worker, case_id=case.pk, given=False)
    return case


def test_a_refusal_decision_over_a_newer_one_is_refused_with_it_shown(client, world):
    case = _refused(world)
    opened = _assessment(case).version
    client.force_login(world.manager)
    url = reverse("cases:consent-refusal-decision", args=[case.pk])
    services.record_consent_refusal_decision(
        actor=world.manager, case_id=case.pk, decision="Signpost to the youth club"
    )

    response = client.post(url, {"decision": "Close the case", "expected_version": opened})

    page = response.content.decode()
    assert STALE in page
    assert _cells("Signpost to the youth club", "Close the case") in page
    assert _assessment(case).consent_refusal_decision == "Signpost to the youth club"

    again = client.post(url, {"decision": "Close the case", "expected_version": opened + 1})

    assert again.status_code == 302
    assert _assessment(case).consent_refusal_decision == "Close the case"


def test_a_stale_refusal_decision_in_the_api_is_a_409_problem(client, world):
    case = _refused(world)
    read = _assessment(case).version
    client.force_login(world.manager)
    services.record_caf_consent(actor=world.key_worker, case_id=case.pk, given=True)

    response = client.post(
        f"{API}/{case.pk}/assessment/consent-refusal-decision",
        {"decision": "Close the case", "expected_version": read},
        content_type="application/json",
    )

    assert _problem(response, read + 1) == [
        ("consent", "Given", "Refused"),
        ("decision", "", "Close the case"),
    ]
    assert _assessment(case).consent_refusal_decision == ""


# ---------------------------------------------------------------- Employment Advisor


def _workless(world) -> Case:
    case = open_case(world)
    services.update_assessment(
        actor=world.key_worker, case_id=case.pk, worklessness_identified=True
    )
    return case


def test_an_employment_advisor_contact_over_a_newer_one_is_refused_with_it_shown(client, world):
    case = _workless(world)
    opened = _assessment(case).version
    client.force_login(world.key_worker)
    url = reverse("cases:employment-advisor", args=[case.pk])
    services.record_employment_advisor_contact(
        actor=world.second_worker, case_id=case.pk, outcome="declined"
    )

    response = client.post(url, {"outcome": "made", "expected_version": opened})

    page = response.content.decode()
    assert STALE in page
    assert _cells("Declined by the family", "Made") in page
    assert _assessment(case).employment_advisor_contact == "declined"

    fresh = client.post(url, {"outcome": "made", "expected_version": opened + 1})

    assert fresh.status_code == 302
    assert _assessment(case).employment_advisor_contact == "made"


def test_a_stale_employment_advisor_contact_in_the_api_is_a_409_problem(client, world):
    case = _workless(world)
    read = _assessment(case).version
    client.force_login(world.key_worker)
    services.record_employment_advisor_contact(
        actor=world.second_worker, case_id=case.pk, outcome="made"
    )

    response = client.post(
        f"{API}/{case.pk}/assessment/employment-advisor",
        {"outcome": "declined", "expected_version": read},
        content_type="application/json",
    )

    assert _problem(response, read + 1) == [("outcome", "Made", "Declined by the family")]
    assert _assessment(case).employment_advisor_contact == "made"
