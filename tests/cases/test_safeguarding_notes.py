"""Safeguarding notes: who may read and add them (table-driven over every role), the
case page, chronology, add form and exports showing nothing of them to anyone else, the
audit of reading and writing, and notes being append-only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases import selectors, services
from earlyhelp.cases.models import Case, SafeguardingNote, SafeguardingNoteCategory
from earlyhelp.configuration.models import Locality
from earlyhelp.workforce.models import Team
from tests.casework import World, open_case
from tests.factories import make_staff

SECRET = "Child disclosed bruising from an uncle at the weekend"


def _placed(role: Role, *, team=None, locality=None, line_manager=None):
    user = make_staff(role, team=team, line_manager=line_manager)
    if locality is not None:
        user.staff.locality = locality
        user.staff.save()
    return user


def _other_locality() -> Locality:
    return Locality.objects.get(code="north")


# Who is asked, and whether they may read (and add) safeguarding notes on a case that
# the world's key worker holds in the Preston team (Central locality).
MAKERS = {
    "the case's key worker": lambda w: w.key_worker,
    "the team manager (the worker's line manager)": lambda w: w.manager,
    "the locality manager up the line": lambda w: w.locality_manager,
    "a locality manager of the case's locality": lambda w: _placed(
        Role.LOCALITY_MANAGER, locality=w.district.locality
    ),
    "the head of service": lambda w: w.head,
    "a county DSO (no placement)": lambda w: w.dso,
    "a DSO placed in the case's district": lambda w: _placed(
        Role.DSO, team=Team.objects.create(name="Preston DSOs", district=w.district)
    ),
    "a DSO placed in the case's locality": lambda w: _placed(
        Role.DSO, locality=w.district.locality
    ),
    "another key worker in the team": lambda w: w.second_worker,
    "a senior practitioner in the team": lambda w: _placed(
        Role.SENIOR_PRACTITIONER, team=w.team, line_manager=w.manager
    ),
    "business support in the team": lambda w: w.business_support,
    "a Talkzone worker": lambda w: _placed(Role.TALKZONE_WORKER, team=w.team),
    "an outreach worker": lambda w: _placed(Role.OUTREACH_WORKER, team=w.team),
    "a quality review officer": lambda w: _placed(Role.QUALITY_REVIEW_OFFICER),
    "a system administrator": lambda w: _placed(Role.SYSTEM_ADMINISTRATOR),
    "a key worker in another district": lambda w: w.other_worker,
    "the manager of a team in another district": lambda w: w.other_manager,
    "a DSO placed in another district": lambda w: _placed(Role.DSO, team=w.other_team),
    "a DSO placed in another locality": lambda w: _placed(Role.DSO, locality=_other_locality()),
    "a locality manager of another locality": lambda w: _placed(
        Role.LOCALITY_MANAGER, locality=_other_locality()
    ),
}
READERS = {
    "the case's key worker",
    "the team manager (the worker's line manager)",
    "the locality manager up the line",
    "the head of service",
    "a county DSO (no placement)",
    "a DSO placed in the case's district",
    "a DSO placed in the case's locality",
}
ROLES = [pytest.param(name, name in READERS, id=name) for name in MAKERS]
DENIED = [name for name in MAKERS if name not in READERS]


def add_note(world: World, case, *, actor=None, text: str = SECRET, **fields):
    return services.record_safeguarding_note(
        actor=actor or world.key_worker,
        case_id=case.pk,
        text=text,
        occurred_at=fields.pop("occurred_at", timezone.now() - dt.timedelta(minutes=5)),
        source="test",
        **fields,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notes_section(html: str) -> str:
    """The safeguarding notes part of the case page, up to the closure section."""
    match = re.search(r'id="safeguarding-notes".*?id="closure"', html, re.DOTALL)
    assert match, "the case page has no safeguarding notes section"
    return match.group(0)


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_only_those_who_need_them_may_read_and_add_safeguarding_notes(world, who, allowed):
    case = open_case(world)
    user = MAKERS[who](world)

    assert user.has_perm("cases.read_safeguarding_notes", case) is allowed
    assert user.has_perm("cases.add_safeguarding_note", case) is allowed


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_service_adds_a_note_only_for_those_allowed(world, who, allowed):
    case = open_case(world)
    user = MAKERS[who](world)

    if allowed:
        note = add_note(world, case, actor=user)
        assert note.author == user
        return
    with pytest.raises(PermissionDenied):
        add_note(world, case, actor=user)
    assert not SafeguardingNote.objects.exists()
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=user, object_id=str(case.pk)).exists()


@pytest.mark.parametrize("who", list(MAKERS))
def test_whoever_may_read_or_add_notes_may_also_open_the_case(world, who):
    case = open_case(world)
    user = MAKERS[who](world)

    for perm in ("cases.read_safeguarding_notes", "cases.add_safeguarding_note"):
        if user.has_perm(perm, case):
            assert user.has_perm("cases.work_on_case", case)


def test_a_locality_manager_outside_the_line_reads_no_notes_on_a_case_they_cannot_open(world):
    """The notes rule names the case's locality manager, but only among those the family
    access rule lets open the case: adding a note must not end on a 403 page."""
    case = open_case(world)
    outside = _placed(Role.LOCALITY_MANAGER, locality=world.district.locality)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    assert not outside.has_perm("cases.work_on_case", case)
    assert client_for(outside).post(path, _form_data()).status_code == 403
    assert not SafeguardingNote.objects.exists()
    # Placed on the worker's line, the same locality manager reads and adds notes.
    world.manager.staff.line_manager = outside
    world.manager.staff.save()
    case = Case.objects.get(pk=case.pk)
    assert outside.has_perm("cases.add_safeguarding_note", case)
    assert client_for(outside).post(path, _form_data()).status_code == 302
    assert client_for(outside).get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_an_inactive_key_worker_may_not_read_the_notes(world):
    case = open_case(world)
    world.key_worker.is_active = False
    world.key_worker.save()

    assert not world.key_worker.has_perm("cases.read_safeguarding_notes", case)


# ---------------------------------------------------------------- the case page


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_case_page_shows_notes_to_readers_and_only_a_restriction_line_to_others(
    world, who, allowed
):
    case = open_case(world)
    add_note(world, case, category=SafeguardingNoteCategory.DISCLOSURE)
    user = MAKERS[who](world)

    response = client_for(user).get(reverse("cases:detail", args=[case.pk]))

    if response.status_code == 403:
        # Not allowed to open the case at all (the family access rule), and so never a
        # reader of its notes.
        assert not allowed
        assert SECRET not in response.content.decode()
        return
    html = response.content.decode()
    assert response.status_code == 200
    section = notes_section(html)
    if allowed:
        assert SECRET in section
        assert "Disclosure" in section
        assert reverse("cases:add-safeguarding-note", args=[case.pk]) in section
    else:
        assert SECRET not in html
        assert "Safeguarding notes are restricted." in section
        assert reverse("cases:add-safeguarding-note", args=[case.pk]) not in html
        assert "safeguarding-note-" not in html


@pytest.mark.parametrize("who", ["another key worker in the team", "business support in the team"])
def test_the_case_page_is_the_same_for_others_whether_there_are_notes_or_not(world, who):
    case = open_case(world)
    client = client_for(MAKERS[who](world))
    path = reverse("cases:detail", args=[case.pk])
    without_notes = notes_section(client.get(path).content.decode())

    for number in range(3):
        add_note(world, case, text=f"{SECRET} ({number})")
    with_notes = notes_section(client.get(path).content.decode())

    assert with_notes == without_notes


def test_reading_the_notes_on_the_case_page_is_audited_for_readers_only(world):
    case = open_case(world)
    add_note(world, case)
    path = reverse("cases:detail", args=[case.pk])

    client_for(world.manager).get(path)
    client_for(world.second_worker).get(path)

    views = AuditEvent.objects.filter(kind=Kind.VIEW, code="safeguarding_notes.viewed")
    assert [(e.actor, e.subject_case_id, e.source) for e in views] == [
        (world.manager, case.pk, path)
    ]


def test_a_correction_is_shown_with_the_note_it_corrects(world):
    case = open_case(world)
    first = add_note(world, case, text="Disclosure made to the teacher on Friday")
    add_note(world, case, text="It was Thursday, not Friday", corrects_id=first.pk)

    html = client_for(world.key_worker).get(reverse("cases:detail", args=[case.pk])).content
    section = notes_section(html.decode())

    assert "It was Thursday, not Friday" in section
    assert "Disclosure made to the teacher on Friday" in section
    assert f'href="#safeguarding-note-{first.pk}"' in section


# ---------------------------------------------------------------- chronology


def test_the_chronology_shows_a_note_being_added_only_to_readers(world):
    case = open_case(world)
    add_note(world, case)
    path = reverse("cases:chronology", args=[case.pk])

    reader = client_for(world.manager).get(path).content.decode()
    other = client_for(world.second_worker).get(path).content.decode()

    assert "Safeguarding note added" in reader
    assert "Safeguarding notes are restricted." not in reader
    assert "Safeguarding note added" not in other
    assert "Safeguarding notes are restricted." in other
    assert SECRET not in reader
    assert SECRET not in other


def test_the_chronology_selector_leaves_notes_out_unless_told_who_reads(world):
    case = open_case(world)
    add_note(world, case)

    codes = [e.code for e in selectors.case_chronology(case=case)]
    reader_codes = [e.code for e in selectors.case_chronology(case=case, user=world.key_worker)]

    assert "safeguarding_note.recorded" not in codes
    assert "safeguarding_note.recorded" in reader_codes


# ---------------------------------------------------------------- the add form


def _form_data(day: dt.datetime | None = None, **overrides) -> dict:
    when = timezone.localtime(day or timezone.now() - dt.timedelta(hours=1))
    return {
        "occurred_on_day": str(when.day),
        "occurred_on_month": str(when.month),
        "occurred_on_year": str(when.year),
        "occurred_at_time": f"{when:%H:%M}",
        "category": "strategy_discussion",
        "text": SECRET,
        **overrides,
    }


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_the_add_form_opens_only_for_those_allowed(world, who, allowed):
    case = open_case(world)
    user = MAKERS[who](world)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    response = client_for(user).get(path)
    posted = client_for(user).post(path, _form_data())

    if allowed:
        assert response.status_code == 200
        assert "Add a safeguarding note" in response.content.decode()
        assert posted.status_code == 302
        assert SafeguardingNote.objects.get().author == user
    else:
        assert response.status_code == 403
        assert posted.status_code == 403
        assert not SafeguardingNote.objects.exists()
        assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=user, source=path).count() == 2


def test_adding_a_note_through_the_form_saves_it_and_audits_without_the_text(world):
    case = open_case(world)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    response = client_for(world.key_worker).post(path, _form_data())

    assert response.status_code == 302
    assert response["Location"].endswith(f"/cases/{case.pk}/#safeguarding-notes")
    note = SafeguardingNote.objects.get()
    assert (note.text, note.category, note.case, note.corrects) == (
        SECRET,
        SafeguardingNoteCategory.STRATEGY_DISCUSSION,
        case,
        None,
    )
    event = AuditEvent.objects.get(code="safeguarding_note.recorded")
    assert (event.kind, event.actor, event.subject_case_id, event.source) == (
        Kind.WRITE,
        world.key_worker,
        case.pk,
        path,
    )
    stored = f"{event.details} {event.changes} {event.object_repr}"
    assert SECRET not in stored
    assert "bruising" not in stored


def test_the_add_form_asks_for_the_note_and_the_date_with_an_error_summary(world):
    case = open_case(world)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    response = client_for(world.key_worker).post(
        path, _form_data(text="  ", occurred_on_day="", occurred_on_month="")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter the safeguarding note" in html
    assert "The date must include a day and month" in html
    assert not SafeguardingNote.objects.exists()


def test_a_note_dated_in_the_future_is_refused_by_the_date(world):
    case = open_case(world)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    response = client_for(world.key_worker).post(
        path, _form_data(timezone.now() + dt.timedelta(days=2))
    )

    html = response.content.decode()
    assert "The date and time must be now or in the past" in html
    assert 'href="#id_occurred_on' in html
    assert not SafeguardingNote.objects.exists()


def test_the_correct_link_preselects_the_earlier_note(world):
    case = open_case(world)
    first = add_note(world, case)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    html = client_for(world.key_worker).get(f"{path}?corrects={first.pk}").content.decode()

    assert re.search(rf'<option value="{first.pk}"[^>]*selected', html)


def test_a_correction_is_a_new_note_and_the_earlier_one_is_unchanged(world):
    case = open_case(world)
    first = add_note(world, case)
    path = reverse("cases:add-safeguarding-note", args=[case.pk])

    client_for(world.dso).post(
        path, _form_data(text="The weekend was the 14th, not the 7th", corrects=str(first.pk))
    )

    first.refresh_from_db()
    assert first.text == SECRET
    correction = SafeguardingNote.objects.exclude(pk=first.pk).get()
    assert (correction.corrects, correction.author) == (first, world.dso)


# ---------------------------------------------------------------- the service's rules


def test_the_service_refuses_an_empty_note_an_unknown_category_and_a_future_date(world):
    case = open_case(world)

    with pytest.raises(ValidationError) as refused:
        add_note(
            world,
            case,
            text=" ",
            category="gossip",
            occurred_at=timezone.now() + dt.timedelta(hours=1),
        )

    assert set(refused.value.message_dict) == {"text", "category", "occurred_at"}
    assert not SafeguardingNote.objects.exists()


def test_a_note_cannot_be_dated_before_the_case_was_opened(world):
    case = open_case(world)

    with pytest.raises(ValidationError) as refused:
        add_note(world, case, occurred_at=case.allocated_at - dt.timedelta(days=30))

    assert "occurred_at" in refused.value.message_dict


def test_a_note_can_only_correct_a_note_of_the_same_case(world):
    case, other_case = open_case(world), open_case(world)
    elsewhere = add_note(world, other_case)

    with pytest.raises(ValidationError) as refused:
        add_note(world, case, corrects_id=elsewhere.pk)

    assert refused.value.message_dict == {
        "corrects_id": ["Choose a safeguarding note of this case"]
    }


def test_a_naive_date_and_time_is_read_as_local_time(world):
    case = open_case(world)
    naive = (timezone.localtime() - dt.timedelta(hours=2)).replace(tzinfo=None, microsecond=0)

    note = add_note(world, case, occurred_at=naive)

    assert timezone.localtime(note.occurred_at).replace(tzinfo=None) == naive


def test_notes_can_be_added_to_a_closed_case(world):
    case = open_case(world)
    case.status = "closed"
    case.save(update_fields=["status"])

    assert add_note(world, case).case == case


# ---------------------------------------------------------------- exports


def test_the_csv_extracts_hold_no_safeguarding_notes(world):
    case = open_case(world)
    services.record_contact(
        actor=world.key_worker,
        case_id=case.pk,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        contact_type="home_visit",
        duration_minutes=60,
        notes="Visited",
        source="test",
    )
    add_note(world, case)
    client = client_for(world.head)

    for kind in ("cases", "contacts"):
        response = client.get(reverse("reporting:extract", args=[kind]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        # The case is in the extract (its id is the second cell of the first row).
        assert body.splitlines()[1].split(",")[:2][kind == "contacts"] == str(case.pk)
        assert SECRET not in body
        assert "safeguarding note" not in body.lower()


# ---------------------------------------------------------------- demo data


def test_the_demo_gives_each_assessed_case_a_safeguarding_note(world):
    import random

    from earlyhelp.cases.demo import _progress

    visited, assessed = open_case(world), open_case(world)
    _progress(visited, rng=random.Random(1), stage=1, star=world.star)
    _progress(assessed, rng=random.Random(1), stage=2, star=world.star)

    assert not SafeguardingNote.objects.filter(case=visited).exists()
    note = SafeguardingNote.objects.get(case=assessed)
    assert (note.author, note.category) == (
        world.key_worker,
        SafeguardingNoteCategory.CONCERN_RAISED,
    )


def test_a_corrected_note_cannot_be_deleted_alone_but_goes_with_its_case(world):
    from django.db.models import RestrictedError

    case = open_case(world)
    first = add_note(world, case)
    add_note(world, case, corrects_id=first.pk)

    with pytest.raises(RestrictedError):
        first.delete()
    # Removing a case (as retention may) removes its notes, corrections and all.
    Case.objects.filter(pk=case.pk).delete()

    assert not SafeguardingNote.objects.exists()
