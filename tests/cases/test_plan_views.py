"""The Level 2 plan to closure on the web (Appendix L boxes 6-7): plan actions, TAF
meetings, submitting the CAF, reviews, closure, safeguarding, the chronology and the
plan sections of the case page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.models import Status as ApprovalStatus
from earlyhelp.cases import selectors, services
from earlyhelp.cases.models import (
    Case,
    PlanAction,
    Review,
    SafeguardingConcern,
    Status,
    TafMeeting,
)
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.models import OutboxMessage
from tests.casework import STAR_AREAS, assessed_case, star_scores

CASE_PAGES = (
    "cases:add-action",
    "cases:schedule-taf",
    "cases:submit-caf",
    "cases:record-review",
    "cases:request-closure",
    "cases:raise-safeguarding",
    "cases:chronology",
)


def planning_case(world, *, plan_starts_on: dt.date | None = None) -> Case:
    """An assessed case decided at Level 2: the plan has started (today by default)."""
    case = assessed_case(world)
    if plan_starts_on is not None:
        # The plan cannot start before allocation: allocate it before the plan started.
        Case.objects.filter(pk=case.pk).update(
            allocated_at=timezone.make_aware(
                dt.datetime.combine(plan_starts_on - dt.timedelta(days=7), dt.time(9))
            )
        )
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="2",
        case_type_code="L2A",
        rationale="Needs met by CAF/TAF",
        lead_professional_id=case.key_worker.pk,
        plan_starts_on=plan_starts_on,
    )
    case.refresh_from_db()
    return case


def add_action(case: Case, what: str = "Bedtime routine") -> PlanAction:
    return services.add_plan_action(
        actor=case.key_worker,
        case_id=case.pk,
        what=what,
        who="Mum",
        by_when=timezone.localdate() + dt.timedelta(weeks=4),
        success_measure="Asleep by 8pm 5 nights a week",
    )


def date_fields(name: str, value: dt.date) -> dict[str, str]:
    return {
        f"{name}_day": str(value.day),
        f"{name}_month": str(value.month),
        f"{name}_year": str(value.year),
    }


def star_fields(value: int = 6) -> dict[str, str]:
    return {f"scores_{code}": str(value) for code in STAR_AREAS}


def review_data(case: Case, held_on: dt.date, **extra) -> dict[str, str]:
    data = {
        **date_fields("held_on", held_on),
        "summary": "Bedtimes are calmer",
        "outcome": "continue",
    }
    for action in case.actions.all():
        data[f"progress_{action.pk}"] = "in_progress"
        data[f"note_{action.pk}"] = "Most nights"
    data.update(extra)
    return data


def success_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def outbox(kind) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind))


# ---------------------------------------------------------------- access


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASE_PAGES)
def test_each_plan_page_opens_for_the_key_worker(client, world, name):
    case = planning_case(world)
    add_action(case)
    client.force_login(world.key_worker)

    response = client.get(reverse(name, args=[case.pk]))

    assert response.status_code == 200
    assert case.urn in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASE_PAGES)
def test_each_plan_page_is_refused_to_a_worker_of_another_district(client, world, name):
    case = planning_case(world)
    add_action(case)
    client.force_login(world.other_worker)

    get = client.get(reverse(name, args=[case.pk]))

    assert get.status_code == 403
    assert escape(case.family.name) not in get.content.decode()
    if name != "cases:chronology":
        assert client.post(reverse(name, args=[case.pk]), {}).status_code == 403


@pytest.mark.django_db
def test_plan_steps_are_not_open_while_the_case_is_in_assessment(client, world):
    case = assessed_case(world)
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:add-action", args=[case.pk]))

    assert response.status_code == 409
    assert "The plan can only be changed while the case has a Level 2 plan" in (
        response.content.decode()
    )


# ---------------------------------------------------------------- plan actions


@pytest.mark.django_db
def test_adding_a_smart_action_saves_it_and_returns_to_the_case(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)
    due = timezone.localdate() + dt.timedelta(weeks=3)

    response = client.post(
        reverse("cases:add-action", args=[case.pk]),
        {
            "what": "Bedtime routine",
            "who": "Mum, with the key worker",
            **date_fields("by_when", due),
            "success_measure": "Asleep by 8pm",
            "outcome": "2",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    action = case.actions.get()
    assert (action.what, action.who, action.by_when) == (
        "Bedtime routine",
        "Mum, with the key worker",
        due,
    )
    assert action.outcome.number == 2
    assert success_messages(response) == ["Action added to the plan"]


@pytest.mark.django_db
def test_an_action_due_before_the_plan_starts_is_refused_by_the_date(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:add-action", args=[case.pk]),
        {
            "what": "Bedtime routine",
            "who": "Mum",
            **date_fields("by_when", timezone.localdate() - dt.timedelta(days=3)),
            "success_measure": "Asleep by 8pm",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["by_when"] == [
        "The action cannot be due before the plan starts"
    ]
    content = response.content.decode()
    assert "There is a problem" in content
    assert 'href="#id_by_when_day"' in content
    assert not PlanAction.objects.exists()


@pytest.mark.django_db
def test_an_action_without_what_or_date_asks_for_them(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:add-action", args=[case.pk]),
        {"who": "Mum", "by_when_day": "31", "by_when_month": "2", "by_when_year": "2030"},
    )

    errors = response.context["form"].errors
    assert errors["what"] == ["Say what will be done"]
    assert errors["by_when"] == ["The date the action is due by must be a real date"]
    assert errors["success_measure"] == ["Say how success will be measured"]
    assert not PlanAction.objects.exists()


# ---------------------------------------------------------------- TAF


@pytest.mark.django_db
def test_scheduling_a_taf_meeting_queues_an_invitation_to_each_agency(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)
    day = timezone.localdate() + dt.timedelta(days=10)

    response = client.post(
        reverse("cases:schedule-taf", args=[case.pk]),
        {
            **date_fields("meeting_date", day),
            "meeting_time": "14:30",
            "venue": "Preston Primary School",
            "agencies": [str(a.pk) for a in world.agencies],
        },
    )

    assert response.status_code == 302
    meeting = TafMeeting.objects.get(case=case)
    assert timezone.localtime(meeting.scheduled_for).time() == dt.time(14, 30)
    assert timezone.localtime(meeting.scheduled_for).date() == day
    assert set(meeting.agencies.all()) == set(world.agencies)
    invitations = outbox(MessageKind.TAF_INVITATION)
    assert sorted(m.to for m in invitations) == sorted(a.email for a in world.agencies)


@pytest.mark.django_db
def test_a_taf_meeting_needs_agencies_and_a_time(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:schedule-taf", args=[case.pk]),
        {
            **date_fields("meeting_date", timezone.localdate()),
            "meeting_time": "25:00",
            "venue": "School",
        },
    )

    errors = response.context["form"].errors
    assert errors["agencies"] == ["Select the agencies to invite"]
    assert "meeting_time" in errors
    assert not TafMeeting.objects.exists()
    assert not outbox(MessageKind.TAF_INVITATION)


# ---------------------------------------------------------------- submitting the CAF


@pytest.mark.django_db
def test_submitting_the_caf_sends_it_to_the_caf_mailbox(client, world):
    case = planning_case(world)
    add_action(case)
    client.force_login(world.key_worker)
    url = reverse("cases:submit-caf", args=[case.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert "Bedtime routine" in page
    assert "sent to the CAF mailbox (caf@example.test)" in page
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caf_submitted_at is not None
    [message] = outbox(MessageKind.CAF_SUBMISSION)
    assert message.to == "caf@example.test"
    assert success_messages(response) == ["CAF and TAF plan submitted to the CAF mailbox"]


@pytest.mark.django_db
def test_a_plan_that_needs_sign_off_goes_to_the_line_manager_first(client, world):
    world.settings.plan_needs_approval = True
    world.settings.save()
    case = planning_case(world)
    add_action(case)
    client.force_login(world.key_worker)
    url = reverse("cases:submit-caf", args=[case.pk])

    page = client.get(url).content.decode()
    response = client.post(url)

    assert "needs your line manager's sign-off" in page
    assert "Send the plan for sign-off" in page
    [banner] = success_messages(response)
    assert banner.startswith(f"Plan sent to {world.manager} for sign-off")
    approval = Approval.objects.get(case=case, kind="plan")
    assert approval.status == ApprovalStatus.PENDING
    assert not outbox(MessageKind.CAF_SUBMISSION)

    client.force_login(world.manager)
    client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve"})

    case.refresh_from_db()
    assert case.caf_submitted_at is not None
    assert len(outbox(MessageKind.CAF_SUBMISSION)) == 1


@pytest.mark.django_db
def test_a_plan_without_actions_cannot_be_submitted(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(reverse("cases:submit-caf", args=[case.pk]))

    assert response.status_code == 200
    assert "Add the plan&#x27;s actions before submitting the CAF." in response.content.decode()
    case.refresh_from_db()
    assert case.caf_submitted_at is None
    assert not outbox(MessageKind.CAF_SUBMISSION)


# ---------------------------------------------------------------- reviews


@pytest.mark.django_db
def test_recording_a_review_updates_each_action_and_submits_it(client, world):
    case = planning_case(world)
    first = add_action(case, "Bedtime routine")
    second = add_action(case, "School attendance")
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:record-review", args=[case.pk]),
        review_data(
            case,
            timezone.localdate(),
            **{f"progress_{second.pk}": "achieved"},
        ),
    )

    assert response.status_code == 302
    review = Review.objects.get(case=case)
    assert review.progress[str(first.pk)] == {"status": "in_progress", "note": "Most nights"}
    second.refresh_from_db()
    assert second.status == "achieved"
    [message] = outbox(MessageKind.REVIEW_SUBMISSION)
    assert message.to == "caf@example.test"
    [banner] = success_messages(response)
    assert banner.startswith("Review recorded and submitted to the CAF mailbox. The next review")


@pytest.mark.django_db
def test_a_review_before_the_plan_started_is_refused_by_the_date(client, world):
    case = planning_case(world)
    add_action(case)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:record-review", args=[case.pk]),
        review_data(case, timezone.localdate() - dt.timedelta(days=2)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == [
        "A review cannot be before the plan started"
    ]
    assert 'href="#id_held_on_day"' in response.content.decode()
    assert not Review.objects.exists()
    assert not outbox(MessageKind.REVIEW_SUBMISSION)


@pytest.mark.django_db
def test_a_review_must_record_progress_on_every_action(client, world):
    case = planning_case(world)
    add_action(case, "Bedtime routine")
    missing = add_action(case, "School attendance")
    client.force_login(world.key_worker)
    data = review_data(case, timezone.localdate())
    del data[f"progress_{missing.pk}"]

    response = client.post(reverse("cases:record-review", args=[case.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors[f"progress_{missing.pk}"] == [
        "Choose the progress on “School attendance”"
    ]
    assert f'href="#id_progress_{missing.pk}_0"' in response.content.decode()
    assert not Review.objects.exists()


@pytest.mark.django_db
def test_the_twelve_week_review_asks_for_the_outcomes_star(client, world):
    start = timezone.localdate() - dt.timedelta(weeks=12)
    case = planning_case(world, plan_starts_on=start)
    add_action(case)
    client.force_login(world.key_worker)
    url = reverse("cases:record-review", args=[case.pk])

    page = client.get(url).content.decode()
    response = client.post(url, review_data(case, timezone.localdate()))

    assert "This is the 12-week review" in page
    assert 'name="scores_wellbeing"' in page
    assert response.status_code == 200
    first_area = f"scores_{STAR_AREAS[0]}"
    assert response.context["form"].errors[first_area] == [
        "Take the Outcomes Star at the 12-week review"
    ]
    assert not Review.objects.exists()

    done = client.post(url, review_data(case, timezone.localdate(), **star_fields(7)))

    assert done.status_code == 302
    review = Review.objects.get(case=case)
    assert review.star_reading.scores == star_scores(7)


@pytest.mark.django_db
def test_the_star_can_be_taken_at_an_earlier_review(client, world):
    case = planning_case(world)
    add_action(case)
    client.force_login(world.key_worker)
    url = reverse("cases:record-review", args=[case.pk])

    page = client.get(url).content.decode()
    client.post(url, review_data(case, timezone.localdate(), **star_fields(5)))

    assert "Take the Outcomes Star at this review (optional)" in page
    assert Review.objects.get(case=case).star_reading.scores == star_scores(5)


# ---------------------------------------------------------------- closure


@pytest.mark.django_db
def test_closure_goes_to_the_manager_and_their_agreement_closes_the_case(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:request-closure", args=[case.pk]),
        {"reason": "needs_met", "notes": "All actions achieved", **star_fields(8)},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSURE_REQUESTED
    approval = Approval.objects.get(case=case, kind="case_closure", status="pending")
    assert approval.approver == world.manager

    client.force_login(world.manager)
    decided = client.post(reverse("approvals:decide", args=[approval.pk]), {"decision": "approve"})

    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_on == timezone.localdate()
    [notice] = outbox(MessageKind.CLOSURE_NOTICE)
    assert notice.to == "caf@example.test"
    [feedback] = outbox(MessageKind.REFERRER_FEEDBACK)
    assert feedback.to == "referrer@example.test"


@pytest.mark.django_db
def test_closure_without_a_reason_asks_for_one(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(reverse("cases:request-closure", args=[case.pk]), star_fields(8))

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Choose the reason for closing the case"]
    case.refresh_from_db()
    assert case.status == Status.PLANNING
    assert not Approval.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_closing_a_level_2_plan_needs_the_outcomes_star(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:request-closure", args=[case.pk]), {"reason": "needs_met"}
    )

    assert response.context["form"].errors[f"scores_{STAR_AREAS[0]}"] == [
        "Take the Outcomes Star at closure"
    ]
    case.refresh_from_db()
    assert case.status == Status.PLANNING


# ---------------------------------------------------------------- safeguarding


@pytest.mark.django_db
def test_raising_a_concern_flags_the_case_and_alerts_the_dso(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)
    url = reverse("cases:raise-safeguarding", args=[case.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"concern": "Bruising seen on Alex's arm"})

    assert "govuk-warning-text" in page
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.safeguarding_flag
    alerts = {m.to for m in outbox(MessageKind.SAFEGUARDING_ALERT)}
    assert {world.dso.email, world.manager.email} <= alerts


@pytest.mark.django_db
def test_an_empty_concern_is_refused(client, world):
    case = planning_case(world)
    client.force_login(world.key_worker)

    response = client.post(reverse("cases:raise-safeguarding", args=[case.pk]), {"concern": ""})

    assert response.context["form"].errors["concern"] == ["Describe the concern"]
    assert not SafeguardingConcern.objects.exists()


@pytest.mark.django_db
def test_a_concern_can_be_raised_while_closure_awaits_agreement(client, world):
    case = planning_case(world)
    services.request_closure(
        actor=world.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores()
    )
    client.force_login(world.key_worker)

    response = client.post(
        reverse("cases:raise-safeguarding", args=[case.pk]), {"concern": "Disclosure at school"}
    )

    assert response.status_code == 302
    assert SafeguardingConcern.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_a_dso_records_the_outcome_and_the_flag_clears(client, world):
    case = planning_case(world)
    concern = services.raise_safeguarding_concern(
        actor=world.key_worker, case_id=case.pk, concern="Bruising"
    )
    client.force_login(world.dso)
    url = reverse("cases:safeguarding-outcome", args=[concern.pk])

    page = client.get(url)
    response = client.post(url, {"outcome": "Strategy discussion held; referred to CSC"})

    assert page.status_code == 200
    assert "Bruising" in page.content.decode()
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.outcome == "Strategy discussion held; referred to CSC"
    assert concern.outcome_recorded_by == world.dso
    case.refresh_from_db()
    assert not case.safeguarding_flag


@pytest.mark.django_db
def test_a_key_worker_cannot_record_a_safeguarding_outcome(client, world):
    case = planning_case(world)
    concern = services.raise_safeguarding_concern(
        actor=world.key_worker, case_id=case.pk, concern="Bruising"
    )
    client.force_login(world.key_worker)
    url = reverse("cases:safeguarding-outcome", args=[concern.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"outcome": "Nothing to see"}).status_code == 403
    concern.refresh_from_db()
    assert concern.is_open
    case.refresh_from_db()
    assert case.safeguarding_flag


@pytest.mark.django_db
def test_an_outcome_is_recorded_once(client, world):
    case = planning_case(world)
    concern = services.raise_safeguarding_concern(
        actor=world.key_worker, case_id=case.pk, concern="Bruising"
    )
    services.record_safeguarding_outcome(actor=world.dso, concern_id=concern.pk, outcome="Done")
    client.force_login(world.dso)

    response = client.get(reverse("cases:safeguarding-outcome", args=[concern.pk]))

    assert response.status_code == 409
    assert "already recorded" in response.content.decode()


# ---------------------------------------------------------------- chronology


@pytest.mark.django_db
def test_the_chronology_lists_the_events_in_date_order(client, world):
    case = planning_case(world)
    add_action(case)
    services.raise_safeguarding_concern(actor=world.key_worker, case_id=case.pk, concern="Worry")
    client.force_login(world.key_worker)

    response = client.get(reverse("cases:chronology", args=[case.pk]))

    content = response.content.decode()
    events = [
        "Case opened",
        "Assessment completed",
        "Decision: level 2",
        "Action added to the plan",
        "Safeguarding concern raised",
    ]
    positions = [content.index(event) for event in events]
    assert positions == sorted(positions)
    times = [entry.occurred_at for entry in response.context["entries"]]
    assert times == sorted(times)
    assert "data-print" in content
    assert "cases/print.js" in content
    assert "<script>" not in content


# ---------------------------------------------------------------- the case page's plan sections


def _add_actions(case: Case, count: int) -> None:
    for number in range(count):
        add_action(case, f"Action {number}")


def _case_page_queries(client, case: Case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_case_page_plan_sections_query_count_does_not_grow_with_actions(client, world):
    few = planning_case(world)
    many = planning_case(world)
    _add_actions(few, 2)
    _add_actions(many, 20)
    client.force_login(world.key_worker)
    _case_page_queries(client, few)  # warm per-process caches (calendar, permissions)

    assert _case_page_queries(client, few) == _case_page_queries(client, many)


def _render_sections(user, case_id: int) -> tuple[str, int]:
    request = RequestFactory().get(f"/cases/{case_id}/")
    request.user = user
    case = selectors.access_case(user=user, case_id=case_id, source="test")
    texts = selectors.safeguarding_texts_for(user=user, case=case, source="test")
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string(
            "cases/_plan_sections.html",
            {"case": case, "safeguarding_texts": texts},
            request=request,
        )
    return html, len(queries)


@pytest.mark.django_db
def test_the_plan_sections_read_only_what_access_case_prefetched(world):
    few = planning_case(world)
    many = planning_case(world)
    _add_actions(few, 2)
    _add_actions(many, 20)
    for case in (few, many):
        services.schedule_taf_meeting(
            actor=world.key_worker,
            case_id=case.pk,
            scheduled_for=timezone.now() + dt.timedelta(days=3),
            venue="Centre",
            agency_ids=[a.pk for a in world.agencies],
        )
        services.raise_safeguarding_concern(actor=world.key_worker, case_id=case.pk, concern="x")

    _render_sections(world.dso, few.pk)  # the DSO's permissions are cached on first use
    _, few_queries = _render_sections(world.dso, few.pk)
    html, many_queries = _render_sections(world.dso, many.pk)

    assert few_queries == many_queries
    assert html.count('govuk-tag--grey">Not started') == 20
    assert "Record outcome" in html
    assert "Health Visiting, Preston Primary School" in html


@pytest.mark.django_db
def test_the_plan_sections_offer_the_steps_of_the_case_status(world):
    case = planning_case(world)
    add_action(case)

    html, _ = _render_sections(world.key_worker, case.pk)

    for name in CASE_PAGES:
        assert reverse(name, args=[case.pk]) in html
    assert "Record outcome" not in html

    services.request_closure(
        actor=world.key_worker, case_id=case.pk, reason="needs_met", star_scores=star_scores()
    )
    html, _ = _render_sections(world.key_worker, case.pk)

    assert reverse("cases:add-action", args=[case.pk]) not in html
    assert reverse("cases:request-closure", args=[case.pk]) not in html
    assert reverse("cases:raise-safeguarding", args=[case.pk]) in html
    assert "Closure awaiting agreement" in html
