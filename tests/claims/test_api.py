"""The claims API: attach (refusals as problem+json), progress, employment, the claim
made once, the report and its files, programme progress, the OpenAPI document, and list
query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from earlyhelp.accounts.services import issue_api_token
from earlyhelp.claims.models import Attachment, Claim
from earlyhelp.configuration.models import TfuCriterion
from earlyhelp.core.api import api
from earlyhelp.domain.claims import add_months
from earlyhelp.people.models import FamilyMember
from tests.casework import open_case
from tests.claims.conftest import attach, sustain, today

pytestmark = pytest.mark.django_db
API = "/api/v1/claims"
PROBLEM = "application/problem+json"


def _client(user) -> Client:
    _, token = issue_api_token(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client: Client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


def test_frameworks_are_listed_with_their_rules(world, frameworks):
    body = _client(world.key_worker).get(f"{API}/frameworks").json()
    assert [(f["code"], f["active"]) for f in body] == [
        ("troubled-families-phase-2", True),
        ("supporting-families-2022", False),
    ]
    assert body[0]["employment_weeks_required"] == 26
    assert body[1]["employment_weeks_required"] is None
    assert len(body[1]["needs"]) == 20


def test_attach_record_progress_and_claim_through_the_api(world, frameworks):
    case = open_case(world)
    worker = _client(world.key_worker)
    attached_on = today() - dt.timedelta(days=300)
    response = _post(
        worker,
        "/attachments",
        {
            "case_id": case.pk,
            "attached_on": attached_on.isoformat(),
            "needs": [
                {"code": "crime-asb", "evidence": "Police report"},
                {"code": "health", "evidence": "GP letter"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert (attachment["state"], attachment["needs"]) == ("identified", ["crime-asb", "health"])

    progress_on = attached_on + dt.timedelta(days=5)
    sustained_on = add_months(progress_on, 6)
    for code in ("crime-asb", "health"):
        for status, on in (("progress", progress_on), ("sustained", sustained_on)):
            response = _post(
                worker,
                f"/attachments/{attachment['id']}/progress",
                {
                    "need_code": code,
                    "recorded_on": on.isoformat(),
                    "status": status,
                    "evidence": f"{status} {code}",
                },
            )
            assert response.status_code == 201, response.content
    standing = response.json()
    assert standing["state"] == "claimable"
    assert standing["route"] == "progress"
    assert standing["due_on"] == sustained_on.isoformat()
    assert [n["state"] for n in standing["need_standing"]] == ["sustained", "sustained"]

    refused = _post(
        worker,
        f"/attachments/{attachment['id']}/claim",
        {"window_start": progress_on.isoformat(), "window_end": today().isoformat()},
    )
    assert refused.status_code == 403
    assert refused["Content-Type"] == PROBLEM

    head = _client(world.head)
    window = {"window_start": sustained_on.isoformat(), "window_end": today().isoformat()}
    made = _post(head, f"/attachments/{attachment['id']}/claim", window)
    assert made.status_code == 201, made.content
    assert made.json()["route"] == "progress"
    again = _post(head, f"/attachments/{attachment['id']}/claim", window)
    assert again.status_code == 409
    assert again["Content-Type"] == PROBLEM
    assert again.json()["rule"] == "claims_already_claimed"
    assert Claim.objects.count() == 1


def test_an_ineligible_family_is_a_problem_with_the_reason(world, frameworks):
    case = open_case(world)
    response = _post(
        _client(world.key_worker),
        "/attachments",
        {
            "case_id": case.pk,
            "attached_on": today().isoformat(),
            "needs": [{"code": "crime-asb", "evidence": "Police report"}],
        },
    )
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["rule"] == "claims_not_eligible"
    assert body["field"] == "needs"
    assert "at least 2 needs" in body["detail"]
    assert not Attachment.objects.exists()


def test_missing_evidence_is_a_problem_naming_the_field(world, frameworks):
    case = open_case(world)
    response = _post(
        _client(world.key_worker),
        "/attachments",
        {
            "case_id": case.pk,
            "attached_on": today().isoformat(),
            "needs": [
                {"code": "crime-asb", "evidence": "Police report"},
                {"code": "health", "evidence": ""},
            ],
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "evidence.health"


def test_employment_through_the_api_and_refused_under_supporting_families(world, frameworks):
    attachment = attach(world, attached_on=today() - dt.timedelta(days=250))
    adult = FamilyMember.objects.get(family=attachment.family, relationship="parent").person
    worker = _client(world.key_worker)
    started = attachment.attached_on + dt.timedelta(days=3)
    response = _post(
        worker,
        f"/attachments/{attachment.pk}/employment",
        {"person_id": adult.pk, "started_on": started.isoformat(), "evidence": "Payslips"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["route"] == "employment"
    assert body["employment_due_on"] == (started + dt.timedelta(days=181)).isoformat()

    sf = attach(
        world,
        framework="supporting-families-2022",
        needs=("education-attendance", "housing-homeless", "financial-debt"),
    )
    adult = FamilyMember.objects.get(family=sf.family, relationship="parent").person
    refused = _post(
        worker,
        f"/attachments/{sf.pk}/employment",
        {"person_id": adult.pk, "started_on": today().isoformat(), "evidence": "Payslips"},
    )
    assert refused.status_code == 409
    assert refused.json()["rule"] == "claims_no_employment_route"


def test_report_and_its_files(world, frameworks):
    attachment = attach(world, attached_on=today() - dt.timedelta(days=300))
    sustained_on = sustain(attachment)
    head = _client(world.head)
    start = (sustained_on - dt.timedelta(days=1)).isoformat()
    report = head.get(f"{API}/report?start={start}&end={today()}").json()
    assert [r["attachment_id"] for r in report["due_by_progress"]] == [attachment.pk]
    assert report["due_by_progress"][0]["needs"][0]["sustained_on"] == sustained_on.isoformat()

    later = head.get(f"{API}/report?start={sustained_on + dt.timedelta(days=1)}&end={today()}")
    assert [r["attachment_id"] for r in later.json()["due_earlier"]] == [attachment.pk]

    csv_file = head.get(f"{API}/report/export?format=csv&start={start}&end={today()}")
    assert csv_file["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode())))
    assert [(r["section"], r["case_urn"]) for r in rows] == [("due_progress", attachment.case.urn)]
    xlsx = head.get(f"{API}/report/export?format=xlsx&start={start}&end={today()}")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert list(workbook["Families"].iter_rows(values_only=True))[1][1] == attachment.family_id

    bad = head.get(f"{API}/report?start={today()}&end={today() - dt.timedelta(days=1)}")
    assert bad.status_code == 422
    assert bad["Content-Type"] == PROBLEM


def test_key_workers_cannot_read_the_claims_lists(world, frameworks):
    worker = _client(world.key_worker)
    for path in ("/attachments", "/eligible", "/report", "/progress", "/report/export"):
        response = worker.get(f"{API}{path}")
        assert response.status_code == 403, path
        assert response["Content-Type"] == PROBLEM


def test_programme_progress_through_the_api(world, frameworks):
    sustain(attach(world, attached_on=today() - dt.timedelta(days=300)))
    attach(world)
    body = _client(world.head).get(f"{API}/progress?group_by=district").json()
    assert body["group_by"] == "district"
    assert [(r["label"], r["attached"], r["claimable"]) for r in body["rows"]] == [
        ("Preston", 2, 1)
    ]
    assert body["total"]["with_progress"] == 1


def test_the_openapi_document_describes_the_claims_operations():
    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    for path in (
        "/api/v1/claims/attachments",
        "/api/v1/claims/attachments/{attachment_id}/progress",
        "/api/v1/claims/attachments/{attachment_id}/employment",
        "/api/v1/claims/attachments/{attachment_id}/claim",
        "/api/v1/claims/report",
        "/api/v1/claims/report/export",
        "/api/v1/claims/progress",
        "/api/v1/claims/eligible",
    ):
        assert path in paths, path
    assert paths["/api/v1/claims/attachments"]["post"]["summary"] == "Attach a family"


@pytest.mark.parametrize("path", ["/attachments", "/eligible", "/report", "/progress"])
def test_api_list_queries_do_not_grow_with_the_families(world, frameworks, path):
    def add(count: int) -> None:
        for _ in range(count):
            sustain(attach(world, attached_on=today() - dt.timedelta(days=300)))
            case = open_case(world)
            case.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[2, 6]))

    add(1)
    head = _client(world.head)
    head.get(f"{API}{path}")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert head.get(f"{API}{path}").status_code == 200
        return len(captured)

    few = count()
    add(4)
    assert count() == few
