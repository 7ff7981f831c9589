"""The text of safeguarding concerns ("Child needs protection"), of the DSO's outcome and
of the escalation discussion (the talk about a referral to Children's Social Care): only
for the readers of the case's safeguarding notes and, for their own concern, whoever
raised it. Everyone else who may open the case sees that the concern or escalation
exists, its status and dates, and "Details are restricted to those who need them".
Table-driven over every role, on the case page, the outcome page, the API, the
chronology, the extracts and the audit log."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases import services
from earlyhelp.cases.models import SafeguardingConcern
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.models import Task
from tests.cases.test_safeguarding_notes import MAKERS, ROLES, _placed, client_for
from tests.casework import World, assessed_case, open_case

CONCERN = "Alex said his stepfather locks him in his room at night"
SECOND_CONCERN = "Mum has a new partner who shouts at the children"
OUTCOME = "Strategy discussion with CSC; section 47 enquiry opened"
DISCUSSION = "Discussed the locked-room disclosure with the DSO; referral to CSC agreed"
RESTRICTED = "Details are restricted to those who need them"
TEXTS = (CONCERN, SECOND_CONCERN, OUTCOME, DISCUSSION)


def raise_concern(world: World, case, *, actor=None, text: str = CONCERN) -> SafeguardingConcern:
    return services.raise_safeguarding_concern(
        actor=actor or world.key_worker, case_id=case.pk, concern=text, source="test"
    )


def record_outcome(world: World, concern, *, actor=None, text: str = OUTCOME):
    return services.record_safeguarding_outcome(
        actor=actor or world.dso, concern_id=concern.pk, outcome=text, source="test"
    )


def case_with_concerns(world: World):
    """A case with a concern that has its outcome and a second one still open."""
    case = open_case(world)
    record_outcome(world, raise_concern(world, case))
    raise_concern(world, case, text=SECOND_CONCERN)
    return case


def escalated_case(world: World):
    case = assessed_case(world)
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="3-4",
        case_type_code="L3",
        rationale="Significant unmet needs and high risk",
        escalation={
            "discussed_with_id": world.dso.pk,
            "discussion": DISCUSSION,
            "csc_referral_made": True,
            "csc_reference": "CSC-12345",
            "wpehs_future_role": "Attend the strategy meeting",
        },
    )
    return case


def section(html: str, start: str, end: str) -> str:
    match = re.search(rf'id="{start}".*?id="{end}"', html, re.DOTALL)
    assert match, f"the case page has no {start} section"
    return match.group(0)


def safeguarding_section(html: str) -> str:
    return section(html, "safeguarding", "safeguarding-notes")


def api_case(user, case) -> dict:
    response = client_for(user).get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 200, response.content
    return response.json()


def no_texts_in(content: str) -> bool:
    return not any(text in content for text in TEXTS)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_only_note_readers_may_read_a_concern_raised_by_someone_else(world, who, allowed):
    case = open_case(world)
    concern = raise_concern(world, case)
    user = MAKERS[who](world)

    assert user.has_perm("cases.read_safeguarding_concern", concern) is allowed
    assert user.has_perm("cases.read_escalation_discussion", case) is allowed
    if allowed:
        assert user.has_perm("cases.work_on_case", case)


@pytest.mark.parametrize(
    "who", ["another key worker in the team", "business support in the team", "a Talkzone worker"]
)
def test_whoever_raised_a_concern_reads_it_but_not_the_others(world, who):
    case = open_case(world)
    raiser = MAKERS[who](world)
    own = raise_concern(world, case, actor=raiser, text=SECOND_CONCERN)
    theirs = raise_concern(world, case)

    assert raiser.has_perm("cases.read_safeguarding_concern", own)
    assert not raiser.has_perm("cases.read_safeguarding_concern", theirs)
    assert not raiser.has_perm("cases.read_safeguarding_notes", case)


def test_a_raiser_who_can_no_longer_open_the_case_no_longer_reads_their_concern(world):
    case = open_case(world)
    concern = raise_concern(world, case, actor=world.second_worker)
    world.second_worker.staff.team = world.other_team
    world.second_worker.staff.save()
    concern = SafeguardingConcern.objects.get(pk=concern.pk)

    assert not world.second_worker.has_perm("cases.work_on_case", concern.case)
    assert not world.second_worker.has_perm("cases.read_safeguarding_concern", concern)


# ---------------------------------------------------------------- the case page


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_case_page_shows_concern_text_to_readers_and_the_restricted_line_to_others(
    world, who, allowed
):
    case = case_with_concerns(world)
    user = MAKERS[who](world)

    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))

    html = response.content.decode()
    if response.status_code == 403:
        assert not allowed
        assert no_texts_in(html)
        return
    assert response.status_code == 200
    part = safeguarding_section(html)
    # What everyone who may open the case needs: that concerns exist, are open or not,
    # who raised them and when, who recorded the outcome and when.
    assert "Safeguarding concern open" in html
    assert part.count("Concern raised ") == 2
    assert "Waiting for the DSO" in part
    assert escape(f"Recorded by {world.dso}") in part
    assert escape(str(world.key_worker)) in part
    if allowed:
        assert CONCERN in part
        assert SECOND_CONCERN in part
        assert OUTCOME in part
        assert RESTRICTED not in part
    else:
        assert no_texts_in(html)
        assert part.count(RESTRICTED) == 2
        assert part.count('class="govuk-inset-text') == 2


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_case_page_shows_the_escalation_discussion_only_to_readers(world, who, allowed):
    case = escalated_case(world)
    user = MAKERS[who](world)

    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))

    html = response.content.decode()
    if response.status_code == 403:
        assert not allowed
        assert DISCUSSION not in html
        return
    part = section(html, "escalation", "safeguarding")
    assert escape(f"{world.dso} on ") in part  # discussed with, and when
    assert "Made (reference CSC-12345)" in part
    assert "Attend the strategy meeting" in part
    if allowed:
        assert DISCUSSION in part
        assert RESTRICTED not in part
    else:
        assert DISCUSSION not in html
        assert RESTRICTED in part


def test_the_raiser_sees_their_own_concern_on_the_page_and_not_the_others(world):
    case = open_case(world)
    raise_concern(world, case, actor=world.second_worker, text=SECOND_CONCERN)
    raise_concern(world, case)
    response = client_for(world.second_worker).get(reverse("cases:detail", args=[case.pk]))

    part = safeguarding_section(response.content.decode())

    assert SECOND_CONCERN in part
    assert CONCERN not in part
    assert part.count(RESTRICTED) == 1


def test_a_case_without_concerns_reads_as_before_for_everyone(world):
    case = open_case(world)

    for user in (world.key_worker, world.second_worker):
        html = client_for(user).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "No safeguarding concerns have been raised." in html
        assert RESTRICTED not in html


# ---------------------------------------------------------------- reading is audited


def _detail_views(code: str = "safeguarding_details.viewed"):
    return AuditEvent.objects.filter(kind=Kind.VIEW, code=code)


def test_reading_the_texts_on_the_case_page_is_audited_for_those_who_read_them(world):
    case = case_with_concerns(world)
    path = reverse("cases:detail", args=[case.pk])

    client_for(world.manager).get(path)
    client_for(world.second_worker).get(path)

    assert [(e.actor, e.subject_case_id, e.source) for e in _detail_views()] == [
        (world.manager, case.pk, path)
    ]


def test_nothing_is_audited_as_read_when_there_is_no_text_to_read(world):
    case = open_case(world)

    client_for(world.manager).get(reverse("cases:detail", args=[case.pk]))

    assert not _detail_views().exists()


def test_reading_the_texts_in_the_api_is_audited(world):
    case = escalated_case(world)

    api_case(world.key_worker, case)
    api_case(world.second_worker, case)

    assert [(e.actor, e.source) for e in _detail_views()] == [
        (world.key_worker, f"API GET /api/v1/cases/{case.pk}")
    ]


# ---------------------------------------------------------------- the outcome page


def test_a_dso_covering_the_case_reads_the_concern_on_the_outcome_page(world):
    case = open_case(world)
    concern = raise_concern(world, case)
    path = reverse("cases:safeguarding-outcome", args=[concern.pk])

    html = client_for(world.dso).get(path).content.decode()

    assert CONCERN in html
    assert RESTRICTED not in html
    assert _detail_views().get().actor == world.dso


def test_a_dso_of_another_district_is_not_alerted_and_cannot_record_the_outcome(world):
    elsewhere = _placed(Role.DSO, team=world.other_team)
    case = open_case(world)
    concern = raise_concern(world, case)
    path = reverse("cases:safeguarding-outcome", args=[concern.pk])

    page = client_for(elsewhere).get(path)
    posted = client_for(elsewhere).post(path, {"outcome": OUTCOME})

    assert page.status_code == posted.status_code == 403
    assert CONCERN not in page.content.decode()
    concern.refresh_from_db()
    assert concern.is_open
    assert not Task.objects.filter(assignee=elsewhere).exists()
    assert Task.objects.filter(assignee=world.dso, kind=TaskKind.SAFEGUARDING).exists()
    html = client_for(elsewhere).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:safeguarding-outcome", args=[concern.pk]) not in html


# ---------------------------------------------------------------- the API


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_api_case_detail_carries_concern_text_only_for_readers(world, who, allowed):
    case = case_with_concerns(world)
    user = MAKERS[who](world)

    response = client_for(user).get(f"/api/v1/cases/{case.pk}")

    if response.status_code == 403:
        assert not allowed
        assert no_texts_in(response.content.decode())
        return
    assert response.status_code == 200
    concerns = response.json()["safeguarding_concerns"]
    facts = [(c["is_open"], c["raised_by"], c["outcome_recorded_at"] is None) for c in concerns]
    assert facts == [(True, str(world.key_worker), True), (False, str(world.key_worker), False)]
    assert response.json()["safeguarding_flag"] is True
    if allowed:
        assert [(c["concern"], c["outcome"], c["details_restricted"]) for c in concerns] == [
            (SECOND_CONCERN, "", False),
            (CONCERN, OUTCOME, False),
        ]
    else:
        assert [(c["concern"], c["outcome"], c["details_restricted"]) for c in concerns] == [
            (None, None, True),
            (None, None, True),
        ]
        assert no_texts_in(response.content.decode())


def test_the_raiser_reads_their_own_concern_in_the_api(world):
    case = open_case(world)
    response = client_for(world.second_worker).post(
        f"/api/v1/cases/{case.pk}/safeguarding",
        {"concern": SECOND_CONCERN},
        content_type="application/json",
    )
    raise_concern(world, case)

    assert response.status_code == 201
    assert response.json()["safeguarding_concerns"][0]["concern"] == SECOND_CONCERN
    concerns = api_case(world.second_worker, case)["safeguarding_concerns"]
    assert [c["concern"] for c in concerns] == [None, SECOND_CONCERN]


def test_the_outcome_answer_carries_the_text_for_the_dso_covering_the_case(world):
    case = open_case(world)
    concern = raise_concern(world, case)

    response = client_for(world.dso).post(
        f"/api/v1/cases/safeguarding/{concern.pk}/outcome",
        {"outcome": OUTCOME},
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["is_open"], body["details_restricted"]) == (False, False)
    assert (body["concern"], body["outcome"]) == (CONCERN, OUTCOME)
    assert _detail_views().exists()


def test_a_dso_of_another_district_cannot_record_the_outcome_in_the_api(world):
    case = open_case(world)
    concern = raise_concern(world, case)
    elsewhere = _placed(Role.DSO, team=world.other_team)

    response = client_for(elsewhere).post(
        f"/api/v1/cases/safeguarding/{concern.pk}/outcome",
        {"outcome": OUTCOME},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert CONCERN not in response.content.decode()
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=elsewhere).exists()


# ---------------------------------------------------------------- audit log, chronology, extracts


def test_no_audit_event_stores_the_concern_outcome_or_discussion_text(world):
    case = escalated_case(world)
    record_outcome(world, raise_concern(world, case))

    event = AuditEvent.objects.get(code="safeguarding.outcome_recorded")
    assert (event.actor, event.subject_case_id, event.details) == (
        world.dso,
        case.pk,
        {"flag_lifted": True},
    )
    assert event.object_type == "cases.safeguardingconcern"
    for event in AuditEvent.objects.all():
        stored = f"{event.details} {event.changes} {event.object_repr}"
        assert no_texts_in(stored), event.code


@pytest.mark.parametrize("who", ["the case's key worker", "another key worker in the team"])
def test_the_chronology_says_what_happened_without_the_text(world, who):
    case = escalated_case(world)
    record_outcome(world, raise_concern(world, case))
    user = MAKERS[who](world)

    page = client_for(user).get(reverse("cases:chronology", args=[case.pk])).content.decode()
    api = client_for(user).get(f"/api/v1/cases/{case.pk}/chronology").content.decode()

    for content in (page, api):
        assert "Safeguarding concern raised" in content
        assert "DSO recorded the safeguarding outcome" in content
        assert "Escalation discussed with" in content
        assert no_texts_in(content)


def test_the_csv_extracts_hold_no_concern_outcome_or_discussion_text(world):
    case = escalated_case(world)
    record_outcome(world, raise_concern(world, case))

    for kind in ("cases", "requests", "contacts"):
        response = client_for(world.head).get(reverse("reporting:extract", args=[kind]))
        assert response.status_code == 200
        assert no_texts_in(b"".join(response.streaming_content).decode())


# ---------------------------------------------------------------- query counts


def _queries(client, path: str) -> int:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["api", "case page"])
@pytest.mark.parametrize(
    "who", ["the locality manager up the line", "another key worker in the team"]
)
def test_concerns_cost_the_same_queries_for_two_or_eight(world, page, who):
    case = open_case(world)
    path = f"/api/v1/cases/{case.pk}" if page == "api" else reverse("cases:detail", args=[case.pk])
    client = client_for(MAKERS[who](world))
    raisers = [world.key_worker, world.second_worker, world.business_support, world.manager]
    for raiser in raisers[:2]:
        record_outcome(world, raise_concern(world, case, actor=raiser))
    few = _queries(client, path)

    for number in range(6):
        concern = raise_concern(world, case, actor=raisers[number % 4], text=f"Concern {number}")
        if number % 2:
            record_outcome(world, concern, text=f"Outcome {number}")
    many = _queries(client, path)

    assert SafeguardingConcern.objects.filter(case=case).count() == 8
    assert many == few
