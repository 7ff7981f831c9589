"""The casework journey through the JSON API, one test per branch, plus the API's
promises: actions out of order are 409 problem+json naming the rule and change nothing;
bad input is 422 with errors by field; another district's worker is 403; a missing id
is 404. Signed in with a session (force_login); the test Client skips CSRF checks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from earlyhelp.approvals.models import Approval
from earlyhelp.approvals.services import decide_approval
from earlyhelp.audit.models import AuditEvent
from earlyhelp.audit.models import Kind as AuditKind
from earlyhelp.cases import services
from earlyhelp.cases.models import Case
from earlyhelp.outbox.models import OutboxMessage
from earlyhelp.referrals.models import RequestForSupport
from earlyhelp.tasks.models import Task
from tests.casework import STAR_AREAS, assessed_case, star_scores

API = "/api/v1"
LONDON = ZoneInfo("Europe/London")
PROBLEM = "application/problem+json"
REFERRER = "referrer@example.test"
MISSING = 987654


class Clock:
    """``django.utils.timezone.now`` frozen at a moment the test moves on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = dt.datetime(year, month, day, hour, tzinfo=LONDON)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_clients():
    """Sessions live in the test's database: forget them with it."""
    Api._clients.clear()
    yield
    Api._clients.clear()


class Api:
    """JSON calls to /api/v1 as a signed-in user. One client per user for the test,
    signed in again when the test clock has moved (the session lasts 30 minutes)."""

    _clients: dict[int, tuple[Client, dt.datetime]] = {}

    def __init__(self, user) -> None:
        self.user = user

    def _client(self) -> Client:
        now = timezone.now()
        client, signed_in_at = self._clients.get(self.user.pk, (None, None))
        if client is None or not signed_in_at <= now < signed_in_at + dt.timedelta(minutes=20):
            client = Client()
            client.force_login(self.user)
            self._clients[self.user.pk] = (client, now)
        return client

    def get(self, path: str, **params):
        return self._client().get(API + path, params)

    def post(self, path: str, body: dict | None = None):
        return self._client().post(API + path, body or {}, content_type="application/json")

    def patch(self, path: str, body: dict):
        return self._client().patch(API + path, body, content_type="application/json")


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


def problem(response, status: int, rule: str | None = None) -> dict:
    """The body of a problem+json answer, checked for its status and rule."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    if rule is not None:
        assert body["rule"] == rule
        assert body["type"] == f"/api/v1/problems/{rule}"
    return body


def fields(body: dict) -> set[str]:
    return {error["field"] for error in body["errors"]}


def state() -> dict:
    """Everything a refused action must leave as it was."""
    return {
        "writes": AuditEvent.objects.filter(kind=AuditKind.WRITE).count(),
        "requests": list(RequestForSupport.objects.values_list("pk", "status", "version")),
        "cases": list(Case.objects.values_list("pk", "status", "version", "closed_on")),
        "approvals": list(Approval.objects.values_list("pk", "status")),
        "tasks": list(Task.objects.values_list("pk", "completed_at", "assignee_id")),
        "messages": OutboxMessage.objects.count(),
    }


def request_body(*, consent: bool = True, caf: dict | None = None, received_at=None) -> dict:
    members = [
        {
            "key": "parent",
            "first_name": "Robin",
            "last_name": "Apifamily",
            "date_of_birth": "1988-02-03",
            "relationship": "parent",
            "is_subject": False,
            "is_parent_or_carer": True,
            "confirmed_new": True,
        },
        {
            "key": "child",
            "first_name": "Kit",
            "last_name": "Apifamily",
            "date_of_birth": "2017-09-10",
            "confirmed_new": True,
        },
    ]
    return {
        "route": "agency",
        "received_at": (received_at or timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "referrer": {
            "name": "Pat Referrer",
            "organisation": "Preston Primary School",
            "email": REFERRER,
        },
        "address": {
            "family_name": "Apifamily",
            "address_line_1": "2 Api Street",
            "town": "Preston",
            "postcode": "PR1 3CD",
        },
        "members": members,
        "consents": [
            {
                "member_key": key,
                "purpose": "share_information",
                "given": True,
                "given_by_key": "parent",
            }
            for key in ("parent", "child")
        ]
        if consent
        else [],
        "presenting_needs": "Struggling with routines",
        "target_groups": ["neglect"],
        "caf": caf or {},
    }


def received(world, **kwargs) -> dict:
    return ok(Api(world.business_support).post("/requests", request_body(**kwargs)), 201)


def allocated(world, request_id: int, worker=None) -> dict:
    rfs = ok(
        Api(world.manager).post(
            f"/requests/{request_id}/allocate",
            {"key_worker_id": (worker or world.key_worker).pk, "reason": "Has capacity"},
        )
    )
    return ok(Api(worker or world.key_worker).get(f"/cases/{rfs['case_id']}"))


def assess(worker, case_id: int, *, consent: bool = True) -> dict:
    """Initial visit, CAF consent, the domains and the baseline Star, through the API."""
    api = Api(worker)
    ok(
        api.post(
            f"/cases/{case_id}/contacts",
            {
                "occurred_at": timezone.now().isoformat(),
                "contact_type": "home_visit",
                "duration_minutes": 60,
                "notes": "Initial visit",
            },
        ),
        201,
    )
    ok(api.post(f"/cases/{case_id}/assessment/consent", {"given": consent}))
    ok(
        api.patch(
            f"/cases/{case_id}/assessment",
            {
                "child_development_needs": "Sleep routine",
                "parenting_capacity_needs": "Boundaries",
                "family_environment_needs": "Damp housing",
                "voice_of_child": "Wants to sleep better",
            },
        )
    )
    return ok(
        api.post(
            f"/cases/{case_id}/stars",
            {
                "kind": "baseline",
                "taken_on": timezone.localdate().isoformat(),
                "scores": star_scores(3),
            },
        ),
        201,
    )


def assessed(world) -> dict:
    case = allocated(world, received(world)["id"])
    assess(world.key_worker, case["id"])
    return ok(Api(world.key_worker).post(f"/cases/{case['id']}/assessment/complete"))


def escalation(world) -> dict:
    return {
        "discussed_with_id": world.dso.pk,
        "discussion": "Agreed a referral to CSC is needed",
        "csc_referral_made": True,
        "csc_reference": "CSC-999",
        "wpehs_future_role": "Support mum alongside the social worker",
    }


def task_of(user, kind: str, **match) -> dict:
    """The user's one open task of a kind (GET /api/v1/tasks)."""
    items = ok(Api(user).get("/tasks"))["items"]
    found = [t for t in items if t["kind"] == kind and all(t[k] == v for k, v in match.items())]
    assert len(found) == 1, items
    return found[0]


def message_kinds(case: dict) -> list[tuple[str, str]]:
    return sorted((m["kind"], m["to"]) for m in case["messages"])


# ---------------------------------------------------------------- (a) consent


def test_api_request_without_consent_is_returned_and_cannot_be_allocated(world, clock):
    clock.set(2026, 11, 9)
    rfs = received(world, consent=False)
    assert rfs["status"] == "returned_for_consent"
    assert rfs["allocation_due_by"] is None
    assert rfs["acknowledged_at"] is None
    assert rfs["consent_problems"]
    before = state()

    refused = Api(world.manager).post(
        f"/requests/{rfs['id']}/allocate", {"key_worker_id": world.key_worker.pk}
    )

    problem(refused, 409, "request_allocate")
    assert state() == before

    clock.set(2026, 11, 18)
    parent = next(m for m in rfs["members"] if m["is_parent_or_carer"])["person_id"]
    resubmitted = ok(
        Api(world.business_support).post(
            f"/requests/{rfs['id']}/resubmit",
            {
                "consents": [
                    {
                        "member_key": str(m["person_id"]),
                        "purpose": "share_information",
                        "given": True,
                        "given_by_key": str(parent),
                    }
                    for m in rfs["members"]
                ]
            },
        )
    )
    assert resubmitted["status"] == "awaiting_allocation"
    assert resubmitted["allocation_due_by"] == "2026-11-25"
    assert resubmitted["urn_issued"] is True
    assert resubmitted["caf_urn"] == "TST-2026-000001"
    assert resubmitted["working_days_left"] == 5


def test_api_resubmitting_an_accepted_request_is_409(world):
    rfs = received(world)
    before = state()

    response = Api(world.business_support).post(f"/requests/{rfs['id']}/resubmit", {"consents": []})

    problem(response, 409, "request_resubmit_with_consent")
    assert state() == before


# ---------------------------------------------------------------- (b) Level 1


def test_api_level_1_closes_with_the_line_managers_approval(world):
    case = assessed(world)
    assert case["status"] == "assessment"
    assert case["assessment"]["completed_at"] is not None
    assert case["initial_visit_on"] == timezone.localdate().isoformat()

    case = ok(
        Api(world.key_worker).post(
            f"/cases/{case['id']}/decision",
            {
                "level": "1",
                "case_type_code": "L2-L1",
                "rationale": "Universal services will meet the needs",
                "signposted_services": "Stay and play",
            },
        )
    )
    assert case["status"] == "level_1_closing"
    task = task_of(world.manager, "approve", case_id=case["id"])
    approval_id = task["approval_id"]

    decided = ok(Api(world.manager).post(f"/approvals/{approval_id}/decision", {"approve": True}))

    assert decided["status"] == "approved"
    assert decided["decided_by"] == str(world.manager)
    case = ok(Api(world.key_worker).get(f"/cases/{case['id']}"))
    assert case["status"] == "closed"
    assert case["closed_on"] == timezone.localdate().isoformat()
    assert case["closure_reason"] == "signposted"
    assert ("closure_notice", "caf@example.test") in message_kinds(case)
    assert ("referrer_feedback", REFERRER) in message_kinds(case)

    before = state()
    again = Api(world.manager).post(f"/approvals/{approval_id}/decision", {"approve": False})
    problem(again, 409, "approval_already_decided")
    assert state() == before


def test_api_level_1_rejection_needs_comments_and_returns_to_assessment(world):
    case = assessed(world)
    ok(
        Api(world.key_worker).post(
            f"/cases/{case['id']}/decision",
            {
                "level": "1",
                "case_type_code": "L2-L1",
                "rationale": "Universal services",
                "signposted_services": "Stay and play",
            },
        )
    )
    approval_id = task_of(world.manager, "approve")["approval_id"]
    before = state()

    body = problem(
        Api(world.manager).post(f"/approvals/{approval_id}/decision", {"approve": False}), 422
    )
    assert fields(body) == {"comments"}
    assert state() == before

    rejected = ok(
        Api(world.manager).post(
            f"/approvals/{approval_id}/decision",
            {"approve": False, "comments": "Look at the housing first"},
        )
    )
    assert (rejected["status"], rejected["comments"]) == ("rejected", "Look at the housing first")
    case = ok(Api(world.key_worker).get(f"/cases/{case['id']}"))
    assert case["status"] == "assessment"


def test_api_approval_cannot_be_decided_by_the_worker_themselves(world):
    case = assessed(world)
    ok(
        Api(world.key_worker).post(
            f"/cases/{case['id']}/decision",
            {
                "level": "1",
                "case_type_code": "L2-L1",
                "rationale": "Universal",
                "signposted_services": "Library",
            },
        )
    )
    approval = Approval.objects.get()
    before = state()

    response = Api(world.key_worker).post(f"/approvals/{approval.pk}/decision", {"approve": True})

    problem(response, 403)
    assert state() == before


# ---------------------------------------------------------------- (c) Level 2


def test_api_level_2_plan_reviews_and_closure(world, clock):
    clock.set(2026, 3, 2)
    case = assessed(world)
    worker = Api(world.key_worker)
    cid = case["id"]
    case = ok(
        worker.post(
            f"/cases/{cid}/decision",
            {
                "level": "2",
                "case_type_code": "L2B",
                "rationale": "Some unmet needs, low risk",
                "lead_professional_id": world.key_worker.pk,
            },
        )
    )
    assert case["status"] == "planning"
    assert case["plan_started_on"] == "2026-03-02"
    assert case["next_review_due_by"] == "2026-04-13"
    assert case["case_type"] == "L2B"

    case = ok(
        worker.post(
            f"/cases/{cid}/actions",
            {
                "what": "Bedtime routine",
                "who": "Mum",
                "by_when": "2026-04-01",
                "success_measure": "Asleep by 8pm",
                "outcome_number": 2,
            },
        ),
        201,
    )
    action_id = case["actions"][0]["id"]
    case = ok(
        worker.post(
            f"/cases/{cid}/taf-meetings",
            {
                "scheduled_for": "2026-03-09T10:00:00+00:00",
                "venue": "Preston Primary School",
                "agency_ids": [a.pk for a in world.agencies],
            },
        ),
        201,
    )
    assert message_kinds(case).count(("taf_invitation", "school@example.test")) == 1
    assert message_kinds(case).count(("taf_invitation", "hv@example.test")) == 1
    case = ok(worker.post(f"/cases/{cid}/submit-caf"))
    assert case["caf_submitted_at"] is not None
    assert ("caf_submission", "caf@example.test") in message_kinds(case)

    clock.set(2026, 4, 13)
    review = {
        "held_on": "2026-04-13",
        "progress": {str(action_id): {"status": "in_progress", "note": "Better"}},
        "summary": "Improving",
        "outcome": "continue",
    }
    case = ok(worker.post(f"/cases/{cid}/reviews", review), 201)
    assert case["last_reviewed_on"] == "2026-04-13"
    assert case["next_review_due_by"] == "2026-05-25"

    clock.set(2026, 5, 25)
    second = {**review, "held_on": "2026-05-25", "summary": "Routine settled"}
    before = state()
    body = problem(worker.post(f"/cases/{cid}/reviews", second), 422)
    assert fields(body) == {"star_scores"}
    assert state() == before
    case = ok(worker.post(f"/cases/{cid}/reviews", {**second, "star_scores": star_scores(6)}), 201)
    assert case["next_review_due_by"] == "2026-07-06"
    assert [r["star_reading_id"] is not None for r in case["reviews"]] == [False, True]
    assert message_kinds(case).count(("review_submission", "caf@example.test")) == 2

    clock.set(2026, 6, 1)
    body = problem(worker.post(f"/cases/{cid}/closure", {"reason": "needs_met"}), 422)
    assert fields(body) == {"star_scores"}
    case = ok(
        worker.post(f"/cases/{cid}/closure", {"reason": "needs_met", "star_scores": star_scores(8)})
    )
    assert case["status"] == "closure_requested"
    approval_id = task_of(world.manager, "approve", case_id=cid)["approval_id"]
    ok(Api(world.manager).post(f"/approvals/{approval_id}/decision", {"approve": True}))
    case = ok(worker.get(f"/cases/{cid}"))
    assert case["status"] == "closed"
    assert case["closed_on"] == "2026-06-01"
    assert ("closure_notice", "caf@example.test") in message_kinds(case)
    assert ("referrer_feedback", REFERRER) in message_kinds(case)


def test_api_plan_needing_approval_is_submitted_once_signed_off(world):
    world.settings.plan_needs_approval = True
    world.settings.save()
    case = assessed(world)
    cid = case["id"]
    worker = Api(world.key_worker)
    ok(
        worker.post(
            f"/cases/{cid}/decision",
            {
                "level": "2",
                "case_type_code": "L2A",
                "rationale": "CAF/TAF",
                "lead_professional_name": "Jo Health",
                "lead_professional_agency": "Health Visiting",
            },
        )
    )
    ok(
        worker.post(
            f"/cases/{cid}/actions",
            {
                "what": "Routine",
                "who": "Mum",
                "by_when": timezone.localdate().isoformat(),
                "success_measure": "Asleep by 8",
            },
        ),
        201,
    )

    case = ok(worker.post(f"/cases/{cid}/submit-caf"))

    assert case["caf_submitted_at"] is None
    assert [(a["kind"], a["status"]) for a in case["approvals"]] == [("plan", "pending")]
    approval_id = case["approvals"][0]["id"]
    ok(Api(world.manager).post(f"/approvals/{approval_id}/decision", {"approve": True}))
    case = ok(worker.get(f"/cases/{cid}"))
    assert case["caf_submitted_at"] is not None
    assert ("caf_submission", "caf@example.test") in message_kinds(case)


# ---------------------------------------------------------------- (d) Level 3/4


def test_api_level_3_4_escalation_notifies_the_dso_then_closes(world):
    case = assessed(world)
    cid = case["id"]
    case = ok(
        Api(world.key_worker).post(
            f"/cases/{cid}/decision",
            {
                "level": "3-4",
                "case_type_code": "L3",
                "rationale": "High risk",
                "escalation": escalation(world),
            },
        )
    )
    assert case["status"] == "escalated"
    assert message_kinds(case) == [("dso_notice", world.dso.email)]

    case = ok(Api(world.key_worker).post(f"/cases/{cid}/closure", {"reason": "stepped_up"}))
    assert case["status"] == "closure_requested"


def test_api_level_3_4_without_the_discussion_is_422_and_changes_nothing(world):
    case = assessed(world)
    before = state()

    body = problem(
        Api(world.key_worker).post(
            f"/cases/{case['id']}/decision",
            {
                "level": "3-4",
                "case_type_code": "L3",
                "rationale": "High risk",
                "escalation": {**escalation(world), "discussion": "", "wpehs_future_role": ""},
            },
        ),
        422,
    )

    assert fields(body) == {"escalation.discussion", "escalation.wpehs_future_role"}
    assert state() == before


# ---------------------------------------------------------------- (e) safeguarding


def test_api_safeguarding_concern_alerts_and_only_a_dso_records_the_outcome(world):
    case = assessed(world)
    cid = case["id"]

    case = ok(
        Api(world.key_worker).post(f"/cases/{cid}/safeguarding", {"concern": "Disclosure"}), 201
    )

    assert case["safeguarding_flag"] is True
    concern_id = case["safeguarding_concerns"][0]["id"]
    task_of(world.dso, "safeguarding", case_id=cid)
    task_of(world.manager, "safeguarding", case_id=cid)
    assert ("safeguarding_alert", world.dso.email) in message_kinds(case)
    assert ("safeguarding_alert", world.manager.email) in message_kinds(case)
    before = state()
    problem(
        Api(world.manager).post(f"/cases/safeguarding/{concern_id}/outcome", {"outcome": "x"}),
        403,
    )
    assert state() == before

    outcome = ok(
        Api(world.dso).post(
            f"/cases/safeguarding/{concern_id}/outcome", {"outcome": "Referred to CSC"}
        )
    )

    assert outcome["outcome"] == "Referred to CSC"
    assert outcome["outcome_recorded_at"] is not None
    assert ok(Api(world.key_worker).get(f"/cases/{cid}"))["safeguarding_flag"] is False
    problem(
        Api(world.dso).post(f"/cases/safeguarding/{concern_id}/outcome", {"outcome": "Again"}),
        409,
        "step_not_ready",
    )


# ---------------------------------------------------------------- (f) refused CAF consent


def test_api_refused_caf_consent_is_for_the_line_manager_and_bars_level_2(world):
    case = allocated(world, received(world)["id"])
    cid = case["id"]
    case = assess(world.key_worker, cid, consent=False)
    assert case["assessment"]["consent"] == "refused"
    task_of(world.manager, "caf_consent_refused", case_id=cid)
    worker = Api(world.key_worker)
    problem(worker.post(f"/cases/{cid}/assessment/complete"), 409, "step_not_ready")
    problem(
        worker.post(f"/cases/{cid}/assessment/consent-refusal-decision", {"decision": "Close it"}),
        403,
    )

    case = ok(
        Api(world.manager).post(
            f"/cases/{cid}/assessment/consent-refusal-decision",
            {"decision": "Signpost and close"},
        )
    )
    assert case["assessment"]["consent_refusal_decision"] == "Signpost and close"

    before = state()
    level_2 = {
        "level": "2",
        "case_type_code": "L2A",
        "rationale": "CAF/TAF",
        "lead_professional_id": world.key_worker.pk,
    }
    problem(worker.post(f"/cases/{cid}/decision", level_2), 409, "assessment_incomplete")
    assert state() == before
    level_1 = {
        "level": "1",
        "case_type_code": "L2-L1",
        "rationale": "No consent: universal services",
        "signposted_services": "GP",
    }
    assert ok(worker.post(f"/cases/{cid}/decision", level_1))["status"] == "level_1_closing"


# ---------------------------------------------------------------- (g) worklessness


def test_api_worklessness_needs_the_employment_advisor_before_completion(world):
    case = allocated(world, received(world)["id"])
    cid = case["id"]
    assess(world.key_worker, cid)
    worker = Api(world.key_worker)

    case = ok(worker.patch(f"/cases/{cid}/assessment", {"worklessness_identified": True}))

    assert case["assessment"]["employment_advisor_contact"] == "required"
    assert case["assessment"]["blockers"] == [
        "Record the contact with the Employment Advisor as made or declined"
    ]
    task_of(world.key_worker, "employment_advisor", case_id=cid)
    problem(worker.post(f"/cases/{cid}/assessment/complete"), 409, "step_not_ready")
    ok(worker.post(f"/cases/{cid}/assessment/employment-advisor", {"outcome": "declined"}))
    case = ok(worker.post(f"/cases/{cid}/assessment/complete"))
    assert case["assessment"]["completed_at"] is not None


def test_api_stale_assessment_version_is_409(world):
    case = allocated(world, received(world)["id"])
    version = case["assessment"]["version"]
    worker = Api(world.key_worker)
    ok(
        worker.patch(
            f"/cases/{case['id']}/assessment",
            {"expected_version": version, "wider_family": "Gran helps"},
        )
    )
    before = state()

    stale = worker.patch(
        f"/cases/{case['id']}/assessment",
        {"expected_version": version, "wider_family": "Overwrites gran"},
    )

    problem(stale, 409, "stale_record")
    assert state() == before


# ---------------------------------------------------------------- (h) existing CAF


def test_api_existing_caf_keeps_its_urn_and_hands_the_lp_contact_to_the_worker(world):
    rfs = received(
        world,
        caf={"exists": True, "urn": "LAN-2023-000042", "lead_professional": "Jo Health"},
    )
    assert (rfs["caf_urn"], rfs["urn_issued"]) == ("LAN-2023-000042", False)
    task_of(world.manager, "contact_lp", request_id=rfs["id"])

    case = allocated(world, rfs["id"])

    assert case["urn"] == "LAN-2023-000042"
    task_of(world.key_worker, "contact_lp", request_id=rfs["id"])


# ---------------------------------------------------------------- (i), (j) known people


def test_api_look_alike_people_are_409_until_linked_then_reuse_the_family(world):
    first = received(world)
    body = request_body()
    for member in body["members"]:
        member["confirmed_new"] = False
    before = state()

    refused = problem(Api(world.business_support).post("/requests", body), 409)

    assert refused["rule"] == "possible_duplicate_people"
    assert set(refused["matches"]) == {"parent", "child"}
    assert state() == before

    known = {m["name"].split()[0]: m["person_id"] for m in first["members"]}
    for member in body["members"]:
        member["person_id"] = known[member["first_name"]]
    second = ok(Api(world.business_support).post("/requests", body), 201)
    assert second["family_id"] == first["family_id"]


def test_api_re_referral_within_12_months_keeps_the_urn(world):
    case = assessed_case(world)
    services.record_decision(
        actor=case.key_worker,
        case_id=case.pk,
        level="1",
        case_type_code="L2-L1",
        rationale="Universal",
        signposted_services="Library",
    )
    decide_approval(actor=world.manager, approval_id=Approval.objects.get().pk, approve=True)
    case.refresh_from_db()
    members = [
        {
            "key": str(m.person_id),
            "person_id": m.person_id,
            "is_subject": m.is_subject,
            "is_parent_or_carer": m.is_parent_or_carer,
        }
        for m in case.request.members.all()
    ]
    parent = next(m["key"] for m in members if m["is_parent_or_carer"])
    body = {
        **request_body(),
        "address": None,
        "members": members,
        "consents": [
            {
                "member_key": m["key"],
                "purpose": "share_information",
                "given": True,
                "given_by_key": parent,
            }
            for m in members
        ],
    }

    rfs = ok(Api(world.business_support).post("/requests", body), 201)

    assert rfs["family_id"] == case.family_id
    assert rfs["is_re_referral"] is True
    assert (rfs["caf_urn"], rfs["urn_issued"]) == (case.urn, False)


# ---------------------------------------------------------------- (k) chronology


def test_api_chronology_lists_the_journey_in_order(world):
    case = assessed(world)

    chronology = ok(Api(world.key_worker).get(f"/cases/{case['id']}/chronology"))

    assert [e["code"] for e in chronology] == [
        "request.received",
        "request.accepted",
        "case.opened",
        "request.allocated",
        "contact.recorded",
        "assessment.consent_recorded",
        "assessment.updated",
        "star.recorded",
        "assessment.completed",
    ]
    assert chronology[0]["actor"] == world.business_support.get_full_name()
    assert chronology[0]["summary"] == "Request for Support received: agency request for support"
    times = [e["occurred_at"] for e in chronology]
    assert times == sorted(times)


# ---------------------------------------------------------------- representations


def test_api_request_and_case_carry_their_deadlines_as_iso_dates_and_a_status(world):
    rfs = received(world)
    assert rfs["status"] == "awaiting_allocation"
    assert dt.date.fromisoformat(rfs["allocation_due_by"]) > timezone.localdate()
    listed = ok(Api(world.manager).get("/requests"))["items"]
    assert [(r["id"], r["allocation_due_by"]) for r in listed] == [
        (rfs["id"], rfs["allocation_due_by"])
    ]

    case = allocated(world, rfs["id"])

    assert case["status"] == "assessment"
    assert dt.date.fromisoformat(case["initial_visit_due_by"]) > timezone.localdate()
    assert case["next_review_due_by"] is None
    summary = ok(Api(world.key_worker).get("/cases"))["items"][0]
    assert (summary["id"], summary["initial_visit_due_by"], summary["status"]) == (
        case["id"],
        case["initial_visit_due_by"],
        "assessment",
    )


# ---------------------------------------------------------------- errors


def test_api_closing_before_a_decision_is_409_naming_the_rule_and_changes_nothing(world):
    case = assessed(world)
    before = state()

    response = Api(world.key_worker).post(
        f"/cases/{case['id']}/closure", {"reason": "needs_met", "star_scores": star_scores(5)}
    )

    body = problem(response, 409, "case_request_closure")
    assert "assessment" in body["detail"]
    assert state() == before


def test_api_plan_steps_before_a_level_2_decision_are_409(world):
    case = assessed(world)
    worker = Api(world.key_worker)
    before = state()

    problem(
        worker.post(
            f"/cases/{case['id']}/actions",
            {"what": "x", "who": "y", "by_when": "2030-01-01", "success_measure": "z"},
        ),
        409,
        "case_plan",
    )
    problem(worker.post(f"/cases/{case['id']}/submit-caf"), 409, "case_plan")

    assert state() == before


def test_api_allocating_twice_is_409_already_allocated(world):
    rfs = received(world)
    allocated(world, rfs["id"])
    before = state()

    again = Api(world.manager).post(
        f"/requests/{rfs['id']}/allocate", {"key_worker_id": world.second_worker.pk}
    )

    problem(again, 409, "request_already_allocated")
    assert state() == before


def test_api_invalid_input_is_422_with_errors_by_field(world):
    case = allocated(world, received(world)["id"])
    worker = Api(world.key_worker)
    before = state()

    rule_broken = problem(
        worker.post(
            f"/cases/{case['id']}/contacts",
            {
                "occurred_at": timezone.now().isoformat(),
                "contact_type": "carrier_pigeon",
                "duration_minutes": 60,
                "notes": "x",
            },
        ),
        422,
    )
    assert rule_broken["errors"] == [
        {"field": "contact_type", "message": "Choose the type of contact"}
    ]

    malformed = problem(
        worker.post(
            f"/cases/{case['id']}/contacts",
            {"occurred_at": "yesterday-ish", "contact_type": "phone", "duration_minutes": "long"},
        ),
        422,
    )
    assert fields(malformed) == {"occurred_at", "duration_minutes", "notes"}
    assert all(error["message"] for error in malformed["errors"])

    bad_star = problem(
        worker.post(
            f"/cases/{case['id']}/stars",
            {
                "kind": "baseline",
                "taken_on": timezone.localdate().isoformat(),
                "scores": {**star_scores(4), STAR_AREAS[0]: 0},
            },
        ),
        422,
    )
    assert fields(bad_star) == {f"scores.{STAR_AREAS[0]}"}

    bad_request = request_body()
    bad_request["members"][1]["date_of_birth"] = "2001-01-01"
    bad_request["referrer"]["name"] = " "
    body = problem(Api(world.business_support).post("/requests", bad_request), 422)
    assert fields(body) == {"referrer.name", "members[1].date_of_birth"}
    assert state() == before


def test_api_another_districts_worker_is_403(world):
    rfs = received(world)
    case = allocated(world, rfs["id"])
    before = state()
    outsider = Api(world.other_worker)

    problem(outsider.get(f"/cases/{case['id']}"), 403)
    problem(outsider.get(f"/cases/{case['id']}/chronology"), 403)
    problem(outsider.get(f"/requests/{rfs['id']}"), 403)
    problem(
        outsider.post(
            f"/cases/{case['id']}/contacts",
            {
                "occurred_at": timezone.now().isoformat(),
                "contact_type": "phone",
                "duration_minutes": 5,
                "notes": "Not my case",
            },
        ),
        403,
    )
    problem(outsider.post(f"/cases/{case['id']}/safeguarding", {"concern": "x"}), 403)
    problem(
        Api(world.other_manager).post(
            f"/requests/{received(world)['id']}/allocate",
            {"key_worker_id": world.other_worker.pk},
        ),
        403,
    )
    assert ok(outsider.get("/cases"))["items"] == []
    assert ok(Api(world.other_manager).get("/requests"))["items"] == []
    assert state()["cases"] == before["cases"]
    # Each refusal is on the audit log, writes included (checked before their transaction).
    denied = AuditEvent.objects.filter(kind=AuditKind.DENIED, actor=world.other_worker)
    assert denied.filter(object_type="cases.case", object_id=str(case["id"])).count() == 4
    assert denied.filter(object_type="referrals.requestforsupport").count() == 1


def test_api_missing_ids_are_404(world):
    worker = Api(world.key_worker)
    for response in (
        worker.get(f"/cases/{MISSING}"),
        worker.get(f"/cases/{MISSING}/chronology"),
        worker.get(f"/requests/{MISSING}"),
        worker.post(f"/cases/{MISSING}/submit-caf"),
        worker.post(f"/cases/{MISSING}/safeguarding", {"concern": "x"}),
        Api(world.dso).post(f"/cases/safeguarding/{MISSING}/outcome", {"outcome": "x"}),
        Api(world.manager).post(f"/approvals/{MISSING}/decision", {"approve": True}),
        Api(world.manager).post(f"/requests/{MISSING}/allocate", {"key_worker_id": 1}),
    ):
        problem(response, 404)
