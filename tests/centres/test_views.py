"""The centre pages: centres by district, a centre's week, adding a session (refusals by
the field), the specification check, a run, enrolment and the register."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.centres.models import AgeBand, Attendance, Participant, ProgrammeSession
from earlyhelp.centres.services import enrol_participant
from tests.centres.conftest import make_run
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_centre_list_groups_centres_by_district(client, programme):
    client.force_login(programme.outreach)

    page = client.get(reverse("centres:list")).content.decode()

    assert "Preston" in page
    assert "Ribbleton Neighbourhood Centre" in page
    assert "Enhanced offer" in page


def test_a_manager_adds_a_session_from_the_centre_page(client, programme):
    client.force_login(programme.manager)
    url = reverse("centres:session-new", args=[programme.enhanced.pk])

    response = client.post(
        url,
        {
            "title": "Youth club", "weekday": "2", "starts_at": "18:30", "ends_at": "20:30",
            "room": programme.hall.pk, "expected_attendance": "20", "grade_6": "1",
            "outreach_b": "2",
        },
    )  # fmt: skip

    assert response.status_code == 302
    session = ProgrammeSession.objects.get()
    assert session.session_type == "evening_weekend"
    assert (session.grade_6, session.outreach_b) == (1, 2)
    page = client.get(reverse("centres:detail", args=[programme.enhanced.pk])).content.decode()
    assert "Youth club" in page
    assert "Evening or weekend" in page


def test_a_session_outside_opening_is_shown_by_its_field(client, programme):
    client.force_login(programme.manager)

    response = client.post(
        reverse("centres:session-new", args=[programme.core.pk]),
        {"title": "Youth club", "weekday": "2", "starts_at": "18:30", "ends_at": "20:30"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_starts_at"' in page
    assert 'id="id_starts_at-error"' in page
    assert "within the centre&#x27;s opening on Wednesdays, 09:00 to 17:00" in page
    assert not ProgrammeSession.objects.exists()


def test_the_specification_check_page_shows_the_county_figures(client, lancashire):
    from earlyhelp.accounts.roles import Role
    from earlyhelp.centres.demo import seed_centres_demo
    from tests.factories import make_staff

    seed_centres_demo(seed=3)
    client.force_login(make_staff(Role.HEAD_OF_SERVICE, team=None))

    page = client.get(reverse("centres:check")).content.decode()

    assert "452 of 452" in page
    assert "Lancaster, Fylde and Wyre" in page
    assert "46-week year" in page


def test_a_worker_enrols_a_participant_by_name_and_date_of_birth(client, programme):
    run = make_run(programme, starts_on=timezone.localdate())
    person = PersonFactory(first_name="Amira", last_name="Khan", date_of_birth=dt.date(1990, 5, 4))
    client.force_login(programme.outreach)
    url = reverse("centres:run-enrol", args=[run.pk])
    form = {
        "first_name": "amira", "last_name": "KHAN", "date_of_birth_day": "4",
        "date_of_birth_month": "5", "date_of_birth_year": "1990",
    }  # fmt: skip

    refused = client.post(url, form)
    assert "Attendance is only recorded by name with consent" in refused.content.decode()
    assert not Participant.objects.exists()

    response = client.post(url, {**form, "consent": "on"})
    assert response.status_code == 302
    assert Participant.objects.get().person == person


def _run_for_register(programme):
    AgeBand.objects.create(code="0-4", name="0 to 4", min_age=0, max_age=4, sort_order=0)
    AgeBand.objects.create(code="adult", name="Adults", min_age=18, sort_order=1)
    run = make_run(programme, starts_on=timezone.localdate() - dt.timedelta(weeks=1))
    people = [PersonFactory() for _ in range(3)]
    for person in people:
        enrol_participant(
            actor=programme.outreach, run_id=run.pk, person_id=person.pk, consent_given=True
        )
    return run, people


def test_the_register_page_takes_named_attendance_and_head_counts(client, programme):
    run, (amy, ben, _) = _run_for_register(programme)
    session = run.sessions.get(number=1)
    client.force_login(programme.outreach)
    url = reverse("centres:register", args=[session.pk])

    page = client.get(url).content.decode()
    assert 'class="govuk-checkboxes__input"' in page
    assert 'inputmode="numeric"' in page
    response = client.post(
        url, {"present": [amy.pk, ben.pk], "band_0-4": "2", "band_adult": "3", "version": 1}
    )

    assert response.status_code == 302
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {amy.pk, ben.pk}
    assert AuditEvent.objects.filter(code="group_register.viewed").exists()


def test_a_head_count_below_the_named_attendees_is_shown_by_the_head_count(client, programme):
    run, (amy, ben, cal) = _run_for_register(programme)
    session = run.sessions.get(number=1)
    client.force_login(programme.outreach)

    response = client.post(
        reverse("centres:register", args=[session.pk]),
        {"present": [amy.pk, ben.pk, cal.pk], "band_0-4": "0", "band_adult": "2", "version": 1},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "The head count (2) is below the number of named attendees (3)" in page
    assert 'href="#id_band_0-4"' in page
    assert not Attendance.objects.exists()


def test_a_register_for_a_later_session_is_refused_on_the_page(client, programme):
    run, (amy, *_) = _run_for_register(programme)
    later = run.sessions.get(number=4)
    client.force_login(programme.outreach)

    response = client.post(
        reverse("centres:register", args=[later.pk]),
        {"present": [amy.pk], "band_adult": "1", "version": 1},
    )

    assert "its register can be taken once it has happened" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_case_page_shows_group_sessions_attended(client, world):
    from earlyhelp.centres.models import (
        Centre,
        GroupProgramme,
        GroupRun,
        GroupSession,
        Offer,
        ProgrammeKind,
    )
    from tests.casework import open_case

    case = open_case(world)
    person = case.family.memberships.first().person
    centre = Centre.objects.create(
        code="larches", name="Larches Neighbourhood Centre", address_line_1="2 Mill Lane",
        town="Preston", postcode="PR2 1AB", district=world.district,
        offer=Offer.objects.create(code="core", name="Core offer"),
    )  # fmt: skip
    programme = GroupProgramme.objects.create(
        code="freedom", name="Freedom programme", kind=ProgrammeKind.TARGETED,
        theme="Domestic abuse recovery", number_of_sessions=11, completion_sessions=8,
    )  # fmt: skip
    run = GroupRun.objects.create(
        programme=programme, centre=centre, starts_on=dt.date(2026, 3, 2),
        starts_at=dt.time(10), ends_at=dt.time(12), created_by=world.manager,
    )  # fmt: skip
    session = GroupSession.objects.create(
        run=run, number=2, date=dt.date(2026, 3, 9), starts_at=dt.time(10), ends_at=dt.time(12)
    )
    Attendance.objects.create(session=session, person=person)
    client.force_login(world.key_worker)

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "Group sessions attended" in page
    assert "Freedom programme, session 2 of 11" in page
    assert "Larches Neighbourhood Centre" in page


def test_group_sessions_count_toward_the_plan_actions_of_the_outcomes_they_serve(client, world):
    from earlyhelp.cases.models import PlanAction
    from earlyhelp.centres.models import (
        Centre,
        GroupProgramme,
        GroupRun,
        GroupSession,
        Offer,
        ProgrammeKind,
    )
    from earlyhelp.configuration.models import ServiceOutcome
    from tests.casework import open_case

    case = open_case(world)
    person = case.family.memberships.first().person
    served, other = ServiceOutcome.objects.order_by("number")[:2]
    PlanAction.objects.create(
        case=case, what="Build calm bedtime routines with the children", who="Parent",
        by_when=dt.date(2026, 6, 1), success_measure="Bedtime by 8pm", outcome=served,
    )  # fmt: skip
    PlanAction.objects.create(
        case=case, what="Register with a GP", who="Parent",
        by_when=dt.date(2026, 6, 1), success_measure="Registered", outcome=other,
    )  # fmt: skip
    centre = Centre.objects.create(
        code="larches", name="Larches Neighbourhood Centre", address_line_1="2 Mill Lane",
        town="Preston", postcode="PR2 1AB", district=world.district,
        offer=Offer.objects.create(code="core", name="Core offer"),
    )  # fmt: skip
    programme = GroupProgramme.objects.create(
        code="parenting", name="Parenting together", kind=ProgrammeKind.TARGETED,
        theme="Parenting", number_of_sessions=6, completion_sessions=4,
    )  # fmt: skip
    programme.outcomes.add(served)
    run = GroupRun.objects.create(
        programme=programme, centre=centre, starts_on=dt.date(2026, 3, 2),
        starts_at=dt.time(10), ends_at=dt.time(12), created_by=world.manager,
    )  # fmt: skip
    session = GroupSession.objects.create(
        run=run, number=1, date=dt.date(2026, 3, 2), starts_at=dt.time(10), ends_at=dt.time(12)
    )
    Attendance.objects.create(session=session, person=person)
    client.force_login(world.key_worker)

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    row = page[page.index("Parenting together, session 1 of 6") :].split("</tr>")[0]
    assert f"Build calm bedtime routines with the children (outcome {served.number})" in row
    assert "Register with a GP" not in row
