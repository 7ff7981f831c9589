"""Safeguarding notes in the JSON API: list and add for those allowed, 403 problem+json
for everyone else (audited), 422 by field for bad input, no edit or delete; the case
detail and chronology never carry the notes' text. And the notes list and case page cost
the same number of queries whatever the number of notes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import SafeguardingNote
from earlyhelp.core.api import api
from tests.cases.test_safeguarding_notes import DENIED, MAKERS, READERS, SECRET, add_note
from tests.casework import open_case

PROBLEM = "application/problem+json"
MISSING = 987654


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notes_path(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/safeguarding-notes"


def body(**overrides) -> dict:
    return {
        "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "text": SECRET,
        "category": "disclosure",
        **overrides,
    }


@pytest.mark.parametrize("who", sorted(READERS))
def test_readers_list_the_notes_newest_first_and_the_reading_is_audited(world, who):
    case = open_case(world)
    older = add_note(world, case, occurred_at=timezone.now() - dt.timedelta(hours=3))
    newer = add_note(world, case, text="Strategy discussion held", corrects_id=older.pk)
    user = MAKERS[who](world)

    response = client_for(user).get(notes_path(case.pk))

    assert response.status_code == 200, response.content
    notes = response.json()
    assert [n["id"] for n in notes] == [newer.pk, older.pk]
    assert notes[0]["corrects_id"] == older.pk
    assert notes[1]["text"] == SECRET
    assert notes[1]["author"] == str(world.key_worker)
    assert AuditEvent.objects.filter(
        kind=Kind.VIEW, code="safeguarding_notes.viewed", actor=user, subject_case_id=case.pk
    ).exists()


@pytest.mark.parametrize("who", DENIED)
def test_everyone_else_gets_a_403_problem_to_list_or_add_and_nothing_is_written(world, who):
    case = open_case(world)
    add_note(world, case)
    user = MAKERS[who](world)
    client = client_for(user)

    listed = client.get(notes_path(case.pk))
    added = client.post(notes_path(case.pk), body(), content_type="application/json")

    for response in (listed, added):
        assert response.status_code == 403
        assert response["Content-Type"].startswith(PROBLEM)
        assert SECRET not in response.content.decode()
    assert SafeguardingNote.objects.count() == 1
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=user).count() == 2
    assert not AuditEvent.objects.filter(code="safeguarding_notes.viewed", actor=user).exists()


def test_a_missing_case_is_a_404_problem(world):
    client = client_for(world.head)

    for response in (
        client.get(notes_path(MISSING)),
        client.post(notes_path(MISSING), body(), content_type="application/json"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"].startswith(PROBLEM)


def test_adding_a_note_answers_201_with_it_and_audits_without_the_text(world):
    case = open_case(world)

    response = client_for(world.dso).post(
        notes_path(case.pk), body(), content_type="application/json"
    )

    assert response.status_code == 201, response.content
    note = SafeguardingNote.objects.get()
    assert response.json()["id"] == note.pk
    assert (note.author, note.category, note.text) == (world.dso, "disclosure", SECRET)
    event = AuditEvent.objects.get(code="safeguarding_note.recorded")
    assert event.source == f"API POST {notes_path(case.pk)}"
    assert SECRET not in f"{event.details} {event.changes} {event.object_repr}"


def test_bad_input_is_a_422_problem_by_field_and_nothing_is_written(world):
    case = open_case(world)
    other = add_note(world, open_case(world))

    response = client_for(world.key_worker).post(
        notes_path(case.pk),
        body(
            text="   ",
            category="rumour",
            occurred_at=(timezone.now() + dt.timedelta(days=1)).isoformat(),
            corrects_id=other.pk,
        ),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"text", "category", "occurred_at", "corrects_id"}
    assert SafeguardingNote.objects.filter(case=case).count() == 0


def test_a_note_with_a_null_character_is_refused_not_a_server_error(world):
    case = open_case(world)

    response = client_for(world.key_worker).post(
        notes_path(case.pk), body(text="a\x00b"), content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"


def test_notes_are_append_only_in_the_api():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")

    methods = {
        method
        for path, operations in schema["paths"].items()
        if "safeguarding-notes" in path
        for method in operations
    }

    assert methods == {"get", "post"}


@pytest.mark.parametrize("who", ["the case's key worker", "another key worker in the team"])
def test_the_case_detail_never_carries_the_notes(world, who):
    case = open_case(world)
    add_note(world, case)

    response = client_for(MAKERS[who](world)).get(f"/api/v1/cases/{case.pk}")

    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "safeguarding_note" not in response.content.decode()


def test_the_chronology_in_the_api_shows_a_note_only_to_readers(world):
    case = open_case(world)
    add_note(world, case)
    path = f"/api/v1/cases/{case.pk}/chronology"

    reader = [e["code"] for e in client_for(world.manager).get(path).json()]
    other = [e["code"] for e in client_for(world.second_worker).get(path).json()]

    assert "safeguarding_note.recorded" in reader
    assert "safeguarding_note.recorded" not in other
    assert [c for c in reader if c != "safeguarding_note.recorded"] == other


TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=TEXT,
    category=st.one_of(st.sampled_from(["", "disclosure", "csc_referral"]), TEXT),
    occurred_at=st.one_of(
        st.builds(lambda: (timezone.now() - dt.timedelta(hours=1)).isoformat()),
        st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),
        TEXT,
    ),
    corrects_id=st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1)),
)
def test_any_input_on_a_real_case_is_saved_or_refused_as_a_problem(
    world_with_case, text, category, occurred_at, corrects_id
):
    client, case = world_with_case
    before = SafeguardingNote.objects.count()

    response = client.post(
        notes_path(case.pk),
        {
            "text": text,
            "category": category,
            "occurred_at": occurred_at,
            "corrects_id": corrects_id,
        },
        content_type="application/json",
    )

    assert response.status_code in (201, 422), response.content
    if response.status_code == 422:
        assert response["Content-Type"].startswith(PROBLEM)
        assert SafeguardingNote.objects.count() == before
    else:
        assert SafeguardingNote.objects.count() == before + 1


@pytest.fixture
def world_with_case(world):
    case = open_case(world)
    return client_for(world.key_worker), case


# ---------------------------------------------------------------- query counts


def _queries(client: Client, path: str) -> int:
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["api", "case page"])
def test_the_notes_cost_the_same_queries_for_two_notes_or_twelve(world, page):
    case = open_case(world)
    path = notes_path(case.pk) if page == "api" else reverse("cases:detail", args=[case.pk])
    # A reader in the line management (the chain walk is part of the cost) and another
    # author, so authors and corrections are not all one cached user.
    client = client_for(world.locality_manager)
    first = add_note(world, case, actor=world.manager)
    add_note(world, case, corrects_id=first.pk)
    few = _queries(client, path)

    for number in range(10):
        add_note(
            world,
            case,
            actor=world.manager if number % 2 else world.dso,
            text=f"Note {number}",
            corrects_id=first.pk,
        )
    many = _queries(client, path)

    assert SafeguardingNote.objects.filter(case=case).count() == 12
    assert many == few
