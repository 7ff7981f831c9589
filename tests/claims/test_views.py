"""The claims pages: who sees them, attaching from the case page (including the
refusal shown by the field), recording progress, the report and its CSV and XLSX, and
query counts that do not grow with the number of families."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.claims import selectors, services
from earlyhelp.claims.models import Attachment, Claim, NeedProgress
from earlyhelp.configuration.models import TfuCriterion
from tests.casework import open_case
from tests.claims.conftest import attach, sustain, today

pytestmark = pytest.mark.django_db


def _date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def test_managers_see_the_claims_pages_and_key_workers_do_not(client, world, frameworks):
    client.force_login(world.key_worker)
    assert client.get("/claims/").status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.key_worker).exists()
    client.force_login(world.manager)
    page = client.get("/claims/")
    assert page.status_code == 200
    assert "Programme progress" in page.content.decode()
    assert "Family outcomes claims" in page.content.decode()  # the navigation item


def test_the_case_page_links_to_the_attach_form_with_the_assessment_criteria_ticked(
    client, world, frameworks
):
    case = open_case(world)
    case.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[1, 5]))
    client.force_login(world.key_worker)
    assert f'href="/claims/cases/{case.pk}/"' in client.get(f"/cases/{case.pk}/").content.decode()
    response = client.get(f"/claims/cases/{case.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/claims/cases/{case.pk}/attach/"
    html = client.get(response["Location"]).content.decode()
    assert 'id="id_need_crime-asb" checked' in html
    assert 'id="id_need_domestic-abuse" checked' in html
    assert 'id="id_need_health" checked' not in html


def test_an_ineligible_family_is_refused_by_the_field_on_the_attach_page(client, world, frameworks):
    case = open_case(world)
    client.force_login(world.key_worker)
    response = client.post(
        f"/claims/cases/{case.pk}/attach/",
        {
            **_date_fields("attached_on", today()),
            "need_health": "on",
            "evidence_health": "GP letter",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "at least 2 needs must be identified (1 identified)" in html
    assert 'href="#id_need_crime-asb"' in html
    assert not Attachment.objects.exists()


def test_attaching_and_recording_progress_through_the_pages(client, world, frameworks):
    case = open_case(world)
    client.force_login(world.key_worker)
    response = client.post(
        f"/claims/cases/{case.pk}/attach/",
        {
            **_date_fields("attached_on", today()),
            "need_crime-asb": "on",
            "evidence_crime-asb": "Police report",
            "need_health": "on",
            "evidence_health": "GP letter",
        },
    )
    attachment = Attachment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/claims/families/{attachment.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Police report" in page
    assert AuditEvent.objects.filter(code="attachment.viewed", actor=world.key_worker).exists()

    missing = client.post(f"/claims/families/{attachment.pk}/progress/", {"need_code": "health"})
    assert "Enter the evidence" in missing.content.decode()
    done = client.post(
        f"/claims/families/{attachment.pk}/progress/",
        {
            "need_code": "health",
            "status": "progress",
            **_date_fields("recorded_on", today()),
            "evidence": "Attending the clinic",
        },
    )
    assert done.status_code == 302
    assert NeedProgress.objects.get().evidence == "Attending the clinic"


def test_someone_who_cannot_see_the_family_cannot_open_its_attachment(client, world, frameworks):
    attachment = attach(world)
    client.force_login(world.other_worker)
    assert client.get(f"/claims/families/{attachment.pk}/").status_code == 403
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, object_type="claims.attachment", actor=world.other_worker
    ).exists()


def _claimable(world) -> Attachment:
    attachment = attach(world, attached_on=today() - dt.timedelta(days=300))
    sustain(attachment)
    return attachment


def _window_query(start: dt.date, end: dt.date) -> str:
    return (
        f"start_day={start.day}&start_month={start.month}&start_year={start.year}"
        f"&end_day={end.day}&end_month={end.month}&end_year={end.year}"
    )


def test_claims_report_lists_the_families_due_in_the_window_and_a_claim_is_made(
    client, world, frameworks
):
    attachment = _claimable(world)
    start = today() - dt.timedelta(days=200)
    client.force_login(world.head)
    html = client.get(f"/claims/report/?{_window_query(start, today())}").content.decode()
    assert f'href="/claims/families/{attachment.pk}/"' in html
    assert "Sustained on crime-asb" in html
    claim_link = f"/claims/families/{attachment.pk}/claim/?start={start}&amp;end={today()}"
    assert claim_link in html

    confirm = client.get(claim_link.replace("&amp;", "&"))
    assert "Make the claim" in confirm.content.decode()
    made = client.post(
        f"/claims/families/{attachment.pk}/claim/",
        {"window_start": start.isoformat(), "window_end": today().isoformat()},
    )
    assert made.status_code == 302
    assert Claim.objects.get().window_start == start
    again = client.post(
        f"/claims/families/{attachment.pk}/claim/",
        {"window_start": start.isoformat(), "window_end": today().isoformat()},
    )
    assert "already been claimed" in again.content.decode()
    assert Claim.objects.count() == 1


def test_a_bad_window_is_shown_by_the_field(client, world, frameworks):
    client.force_login(world.head)
    html = client.get(
        "/claims/report/?start_day=31&start_month=2&start_year=2026"
        "&end_day=1&end_month=1&end_year=2026"
    ).content.decode()
    assert "There is a problem" in html
    assert "The first day of the window must be a real date" in html


def test_exports_open_and_hold_the_report(client, world, frameworks):
    due = _claimable(world)
    claimed = _claimable(world)
    start = today() - dt.timedelta(days=200)
    services.make_claim(
        actor=world.head, attachment_id=claimed.pk, window_start=start, window_end=today()
    )
    client.force_login(world.head)
    query = _window_query(start, today())

    response = client.get(f"/claims/report.csv?{query}")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment; filename=" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["section"], int(r["family_id"])) for r in rows] == [
        ("due_progress", due.family_id),
        ("claimed", claimed.family_id),
    ]
    assert rows[0]["route"] == "Significant and sustained progress"
    assert "Sustained on school-attendance" in rows[0]["evidence"]
    assert rows[1]["claimed_by"] == str(world.head)

    response = client.get(f"/claims/report.xlsx?{query}")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Families", "Evidence"]
    summary = dict(workbook["Summary"].iter_rows(values_only=True))
    assert summary["Due in the window: significant and sustained progress"] == 1
    assert summary["Claimed in the window"] == 1
    families = list(workbook["Families"].iter_rows(values_only=True))
    assert families[0][:3] == ("section", "family_id", "family")
    assert [row[1] for row in families[1:]] == [due.family_id, claimed.family_id]
    evidence = list(workbook["Evidence"].iter_rows(values_only=True))
    assert len(evidence) == 1 + 4  # two needs for each family
    assert AuditEvent.objects.filter(code="claims.report_exported").count() == 2


def test_key_workers_cannot_export(client, world, frameworks):
    client.force_login(world.key_worker)
    assert client.get("/claims/report.csv").status_code == 403


# ---------------------------------------------------------------- query counts


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/claims/",
        "/claims/?by=team",
        "/claims/families/",
        "/claims/families/?state=claimable",
        "/claims/eligible/",
        "/claims/report/",
        "/claims/report.csv",
        "/claims/report.xlsx",
    ],
)
def test_claims_pages_queries_do_not_grow_with_the_families(client, world, frameworks, url):
    def add_families(count: int) -> None:
        for _ in range(count):
            case = open_case(world)
            case.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[1, 2]))
            sustain(attach(world, attached_on=today() - dt.timedelta(days=300)))
            claimed = attach(world, attached_on=today() - dt.timedelta(days=300))
            sustain(claimed)
            services.make_claim(
                actor=world.head,
                attachment_id=claimed.pk,
                window_start=selectors.default_window()[0],
                window_end=today(),
            )
            case = open_case(world)
            case.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[2, 6]))

    add_families(1)
    client.force_login(world.head)
    client.get(url)  # warm caches
    few = _queries(client, url)
    add_families(4)
    many = _queries(client, url)
    assert many == few


def test_a_colleague_following_the_case_link_is_told_the_family_is_not_attached(
    client, world, frameworks
):
    case = open_case(world)
    client.force_login(world.second_worker)
    response = client.get(f"/claims/cases/{case.pk}/")
    assert response.status_code == 200
    assert "is not attached to Troubled Families (phase 2)" in response.content.decode()
    assert client.get(f"/claims/cases/{case.pk}/attach/").status_code == 403


def test_recording_and_ending_a_spell_of_work_through_the_pages(client, world, frameworks):
    attachment = attach(world)
    adult = attachment.family.memberships.get(relationship="parent").person
    client.force_login(world.key_worker)
    form = client.get(f"/claims/families/{attachment.pk}/employment/").content.decode()
    assert f'value="{adult.pk}"' in form
    start = today() - dt.timedelta(days=30)
    response = client.post(
        f"/claims/families/{attachment.pk}/employment/",
        {"person_id": adult.pk, **_date_fields("started_on", start), "evidence": "Payslips"},
    )
    assert response.status_code == 302
    episode = attachment.employment.get()
    page = client.get(f"/claims/families/{attachment.pk}/").content.decode()
    assert "Still in work" in page
    response = client.post(
        f"/claims/families/{attachment.pk}/employment/{episode.pk}/end/",
        _date_fields("ended_on", start - dt.timedelta(days=1)),
    )
    assert "The end date must be on or after the start" in response.content.decode()
    response = client.post(
        f"/claims/families/{attachment.pk}/employment/{episode.pk}/end/",
        _date_fields("ended_on", today()),
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.ended_on == today()
