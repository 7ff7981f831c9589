"""Searching the audit log on the web (/audit/) and in the API: quality review
officers only; by person, by member of staff, by date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.people.models import Family, Person
from tests.factories import FamilyFactory, FamilyMemberFactory, make_staff

LONDON = ZoneInfo("Europe/London")
END_BEFORE_START = "The end date must be the same as or after the start date"


def _at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, 0, tzinfo=LONDON)


def _viewed(actor: User, family: Family, when: dt.datetime) -> AuditEvent:
    return AuditEvent.objects.create(
        occurred_at=when,
        actor=actor,
        actor_label=actor.email,
        kind=Kind.VIEW,
        code="family.viewed",
        object_type="people.family",
        object_id=str(family.pk),
        object_repr=str(family),
        source=f"/families/{family.pk}/",
        subject_family_id=family.pk,
    )


def _person_changed(actor: User, person: Person, when: dt.datetime) -> AuditEvent:
    return AuditEvent.objects.create(
        occurred_at=when,
        actor=actor,
        actor_label=actor.email,
        kind=Kind.WRITE,
        code="person.changed",
        object_type="people.person",
        object_id=str(person.pk),
        object_repr=str(person),
        subject_person_id=person.pk,
    )


@dataclass
class Log:
    qro: User
    priya: User
    tom: User
    about_zebedee: list[AuditEvent]
    by_priya: list[AuditEvent]
    on_15_march: AuditEvent
    everything: list[AuditEvent]


@pytest.fixture
def log(db) -> Log:
    # Fixed names: a random one could contain "kaur" and match the searches below.
    qro = make_staff(
        Role.QUALITY_REVIEW_OFFICER,
        first_name="Quinn",
        last_name="Reviewer",
        email="qro@example.test",
    )
    priya = make_staff(
        Role.KEY_WORKER, first_name="Priya", last_name="Kaur", email="p.kaur@example.test"
    )
    tom = make_staff(
        Role.KEY_WORKER, first_name="Tom", last_name="Hughes", email="t.hughes@example.test"
    )
    quartermain = FamilyFactory(name="Quartermain")
    zebedee = FamilyMemberFactory(
        family=quartermain, person__first_name="Zebedee", person__last_name="Quartermain"
    ).person
    ashworth = FamilyFactory(name="Ashworth")
    FamilyMemberFactory(family=ashworth, person__first_name="Ada", person__last_name="Ashworth")

    family_event = _viewed(priya, quartermain, _at(1))
    person_event = _person_changed(tom, zebedee, _at(15))
    other_priya = _viewed(priya, ashworth, _at(1, month=4))
    other_tom = _viewed(tom, ashworth, _at(20, month=2))
    return Log(
        qro=qro,
        priya=priya,
        tom=tom,
        about_zebedee=[family_event, person_event],
        by_priya=[family_event, other_priya],
        on_15_march=person_event,
        everything=[family_event, person_event, other_priya, other_tom],
    )


def _ids(events) -> set[int]:
    return {event.pk for event in events}


def _page_ids(response) -> set[int]:
    return _ids(response.context["page"].object_list)


# ---------------------------------------------------------------- web


@pytest.mark.django_db
def test_quality_review_officer_sees_the_whole_log_before_searching(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/")

    assert response.status_code == 200
    assert _ids(log.everything) <= _page_ids(response)


@pytest.mark.django_db
def test_search_by_person_name_finds_events_about_them_and_their_family_only(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"person": "zebedee"})

    assert response.status_code == 200
    assert _page_ids(response) == _ids(log.about_zebedee)


@pytest.mark.django_db
def test_search_by_first_and_last_name_together(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"person": "Zebedee Quartermain"})

    assert _page_ids(response) == _ids(log.about_zebedee)


@pytest.mark.django_db
def test_search_for_a_person_nobody_has_finds_nothing(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"person": "Nobody Atall"})

    assert _page_ids(response) == set()
    assert "No events match." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Priya", "kaur", "p.kaur@example.test"])
def test_search_by_member_of_staff_finds_their_events_only(client, log, term):
    client.force_login(log.qro)

    response = client.get("/audit/", {"actor": term})

    assert _page_ids(response) == _ids(log.by_priya)


@pytest.mark.django_db
def test_search_by_date_range_includes_both_days_and_nothing_outside(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-31"})

    assert _page_ids(response) == {log.on_15_march.pk}
    inclusive = client.get("/audit/", {"date_from": "2026-03-15", "date_to": "2026-03-15"})
    assert _page_ids(inclusive) == {log.on_15_march.pk}


@pytest.mark.django_db
def test_filters_combine(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"person": "Zebedee", "actor": "Priya"})

    assert _page_ids(response) == {log.about_zebedee[0].pk}


@pytest.mark.django_db
def test_search_form_keeps_the_dates_it_searched_for(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"date_from": "2026-03-02", "date_to": "2026-03-31"})

    content = response.content.decode()
    assert 'type="date" name="date_from" value="2026-03-02"' in content
    assert 'type="date" name="date_to" value="2026-03-31"' in content


@pytest.mark.django_db
def test_end_date_before_start_date_shows_an_error_by_the_field(client, log):
    client.force_login(log.qro)

    response = client.get("/audit/", {"date_from": "2026-03-31", "date_to": "2026-03-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": [END_BEFORE_START]}
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'<a href="#id_date_to">{END_BEFORE_START}</a>' in content
    assert 'id="id_date_to-error" class="govuk-error-message"' in content
    assert response.context["page"] is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.KEY_WORKER, Role.DSO, Role.HEAD_OF_SERVICE, Role.SYSTEM_ADMINISTRATOR]
)
def test_only_quality_review_officers_may_search_the_audit_log(client, log, role):
    client.force_login(make_staff(role))

    response = client.get("/audit/", {"person": "Zebedee"})

    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()


# ---------------------------------------------------------------- API


def _api_ids(response) -> set[int]:
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_api_search_by_person(client, log):
    client.force_login(log.qro)

    response = client.get("/api/v1/audit/events", {"person": "Zebedee"})

    assert response.status_code == 200
    assert _api_ids(response) == _ids(log.about_zebedee)
    assert response.json()["count"] == 2


@pytest.mark.django_db
def test_api_search_by_member_of_staff(client, log):
    client.force_login(log.qro)

    response = client.get("/api/v1/audit/events", {"actor": "kaur"})

    assert _api_ids(response) == _ids(log.by_priya)
    assert {item["actor"] for item in response.json()["items"]} == {"p.kaur@example.test"}


@pytest.mark.django_db
def test_api_search_by_date_range(client, log):
    client.force_login(log.qro)

    response = client.get(
        "/api/v1/audit/events", {"date_from": "2026-03-02", "date_to": "2026-03-31"}
    )

    assert _api_ids(response) == {log.on_15_march.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.KEY_WORKER, Role.DSO, Role.HEAD_OF_SERVICE])
def test_api_search_is_refused_to_anyone_but_quality_review_officers(client, log, role):
    client.force_login(make_staff(role))

    response = client.get("/api/v1/audit/events", {"person": "Zebedee"})

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 403


@pytest.mark.django_db
def test_api_search_without_credentials_is_401(client, log):
    response = client.get("/api/v1/audit/events")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


# ---------------------------------------------------------------- query counts


def _more_events(log: Log, how_many: int) -> None:
    family = FamilyFactory()
    for day in range(how_many):
        _viewed(log.priya, family, _at(1 + day % 28, month=5))


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_audit_search_page_uses_the_same_queries_for_3_and_30_events(client, log):
    client.force_login(log.qro)
    params = {"actor": "Priya"}
    _more_events(log, 1)
    _queries(client, "/audit/", params)
    assert len(client.get("/audit/", params).context["page"].object_list) == 3

    with_3 = _queries(client, "/audit/", params)
    _more_events(log, 27)
    with_30 = _queries(client, "/audit/", params)

    assert len(client.get("/audit/", params).context["page"].object_list) == 30
    assert with_30 == with_3


@pytest.mark.django_db
def test_audit_search_api_uses_the_same_queries_for_3_and_30_events(client, log):
    client.force_login(log.qro)
    params = {"actor": "Priya"}
    _more_events(log, 1)
    _queries(client, "/api/v1/audit/events", params)

    with_3 = _queries(client, "/api/v1/audit/events", params)
    _more_events(log, 27)
    with_30 = _queries(client, "/api/v1/audit/events", params)

    assert client.get("/api/v1/audit/events", params).json()["count"] == 30
    assert with_30 == with_3
