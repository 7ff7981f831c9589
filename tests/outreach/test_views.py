"""The outreach and Talkzone pages: recording through the forms, messages by the field,
permissions, and a Talkzone contact turned into a Request for Support."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.outreach import services
from earlyhelp.outreach.models import ContactOutcome, OutreachSession, TalkzoneContact
from earlyhelp.referrals.models import RequestForSupport
from tests.outreach.conftest import contact_input, session_input


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _session_post(ow, **changes) -> dict:
    day = timezone.localdate() - dt.timedelta(days=1)
    data = {
        "kind": "detached",
        "district": ow.world.district.pk,
        "area": "Moor Park",
        "venue_type": "street",
        "date_day": day.day,
        "date_month": day.month,
        "date_year": day.year,
        "start_time": "18:00",
        "end_time": "20:30",
        "workers": [ow.outreach_worker.staff.pk],
        "count_11_15": "7",
        "count_16_19": "",
        "issues": ["substance-use"],
        "follow_ups": "1",
        "notes": "Group by the shops",
    }
    data.update(changes)
    return data


def test_an_outreach_worker_records_a_detached_session_from_the_form(ow):
    client = client_for(ow.outreach_worker)

    response = client.post("/outreach/new/", _session_post(ow))

    session = OutreachSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/outreach/{session.pk}/"
    assert timezone.localtime(session.ends_at).time() == dt.time(20, 30)
    assert {c.age_band.code: c.count for c in session.contact_counts.all()} == {"11-15": 7}
    page = client.get(response["Location"]).content.decode()
    assert "Moor Park" in page
    assert "Drug or alcohol use" in page


def test_the_form_shows_the_end_before_start_message_by_the_end_time(ow):
    client = client_for(ow.outreach_worker)

    response = client.post(
        "/outreach/new/", _session_post(ow, start_time="20:00", end_time="18:00")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_end_time"' in page
    assert "The end time must be after the start time" in page
    assert not OutreachSession.objects.exists()


def test_the_form_shows_a_double_booking_by_the_workers(ow):
    services.record_outreach_session(actor=ow.outreach_worker, data=session_input(ow))
    client = client_for(ow.second_outreach_worker)

    response = client.post(
        "/outreach/new/",
        _session_post(
            ow,
            area="Riverside",
            workers=[ow.second_outreach_worker.staff.pk, ow.outreach_worker.staff.pk],
        ),
    )

    page = html.unescape(response.content.decode())
    assert 'href="#id_workers_0"' in page
    assert "is already on a session in Moor Park" in page
    assert OutreachSession.objects.count() == 1


def test_the_session_form_offers_only_people_of_families_the_worker_may_see(ow):
    page = client_for(ow.outreach_worker).get("/outreach/new/").content.decode()

    assert html.escape(ow.young_person.full_name) in page
    assert html.escape(ow.other_family_person.full_name) not in page


@pytest.mark.parametrize(
    "path",
    ["/outreach/", "/outreach/new/", "/outreach/areas/", "/outreach/reach/", "/talkzone/rota/"],
)
def test_a_key_worker_is_refused_outreach_pages_and_the_refusal_is_audited(ow, path):
    response = client_for(ow.world.key_worker).get(path)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=ow.world.key_worker).exists()


def test_a_talkzone_worker_sees_the_log_but_not_outreach_sessions(ow):
    client = client_for(ow.talkzone_worker)

    assert client.get("/talkzone/").status_code == 200
    assert client.get("/talkzone/rota/").status_code == 200
    assert client.get("/outreach/").status_code == 403


def test_navigation_shows_outreach_and_talkzone_to_those_who_use_them(ow):
    manager_page = client_for(ow.world.manager).get("/").content.decode()
    key_worker_page = client_for(ow.world.key_worker).get("/").content.decode()
    talkzone_page = client_for(ow.talkzone_worker).get("/").content.decode()

    assert 'href="/outreach/"' in manager_page
    assert 'href="/talkzone/"' in manager_page
    assert 'href="/outreach/"' not in key_worker_page
    assert 'href="/talkzone/"' in talkzone_page
    assert 'href="/outreach/"' not in talkzone_page


def test_a_talkzone_contact_out_of_hours_is_recorded_from_the_form(ow):
    client = client_for(ow.talkzone_worker)
    day = timezone.localdate() - dt.timedelta(days=1)

    response = client.post(
        "/talkzone/new/",
        {
            "channel": "sms",
            "date_day": day.day,
            "date_month": day.month,
            "date_year": day.year,
            "time": "23:15",
            "topic": "safety",
            "outcome": "signposting",
            "summary": "Texted late about feeling unsafe at home; gave the emergency numbers.",
        },
        follow=True,
    )

    contact = TalkzoneContact.objects.get()
    assert contact.in_hours is False
    assert "Contact recorded (out of hours)" in response.content.decode()


def test_a_talkzone_contact_in_the_future_is_refused_by_the_time(ow):
    client = client_for(ow.talkzone_worker)
    later = timezone.localtime() + dt.timedelta(hours=2)

    response = client.post(
        "/talkzone/new/",
        {
            "channel": "phone",
            "date_day": later.day,
            "date_month": later.month,
            "date_year": later.year,
            "time": f"{later:%H:%M}",
            "topic": "family",
            "outcome": "advice",
            "summary": "Call",
        },
    )

    page = response.content.decode()
    assert 'href="#id_time"' in page
    assert "The time of the contact must be in the past" in page


def test_a_contact_turned_into_a_request_pre_fills_the_intake_and_records_the_outcome(ow):
    contact = services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )
    client = client_for(ow.world.manager)

    detail = client.get(f"/talkzone/{contact.pk}/").content.decode()
    assert f'href="/requests/new/?talkzone_contact={contact.pk}"' in detail
    form = client.get(f"/requests/new/?talkzone_contact={contact.pk}").content.decode()
    assert f'name="talkzone_contact" value="{contact.pk}"' in form
    assert re.search(
        r'<input[^>]*value="self"[^>]*checked|<input[^>]*checked[^>]*value="self"', form
    )
    assert 'value="Talkzone"' in form
    assert html.escape(ow.young_person.last_name) in form
    assert "Being picked on at school" in form

    received = timezone.localtime(contact.occurred_at)
    response = client.post(
        "/requests/new/",
        {
            "talkzone_contact": contact.pk,
            "route": "self",
            "received_on_day": received.day,
            "received_on_month": received.month,
            "received_on_year": received.year,
            "received_time": f"{received:%H:%M}",
            "referrer_name": ow.young_person.full_name,
            "referrer_organisation": "Talkzone",
            "presenting_needs": "Bullying at school",
            "caf_exists": "no",
            "members-TOTAL_FORMS": "6",
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "0",
            "members-MAX_NUM_FORMS": "6",
            "members-0-match": str(ow.young_person.pk),
            "members-0-first_name": ow.young_person.first_name,
            "members-0-last_name": ow.young_person.last_name,
            "members-0-date_of_birth_day": "1",
            "members-0-date_of_birth_month": "5",
            "members-0-date_of_birth_year": "2010",
            "members-0-gender": "not_known",
            "members-0-relationship": "child",
            "members-0-about": ["subject"],
            "members-0-preferred_language": "English",
            "members-0-consent": "given",
            "members-0-consent_given_by": "self",
            "postcode": "PR1 2AB",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    request = RequestForSupport.objects.get()
    contact.refresh_from_db()
    assert contact.request_for_support == request
    assert contact.outcome == ContactOutcome.RFS_CREATED


def test_a_contact_already_turned_into_a_request_sends_the_user_back_to_it(ow):
    contact = services.record_talkzone_contact(actor=ow.world.manager, data=contact_input())
    TalkzoneContact.objects.filter(pk=contact.pk).update(outcome=ContactOutcome.RFS_CREATED)
    from tests.casework import submit

    request = submit(ow.world, actor=ow.world.manager)
    TalkzoneContact.objects.filter(pk=contact.pk).update(request_for_support=request)

    response = client_for(ow.world.manager).get(f"/requests/new/?talkzone_contact={contact.pk}")

    assert response.status_code == 302
    assert response["Location"] == f"/talkzone/{contact.pk}/"


def test_the_rota_page_flags_every_uncovered_hour_and_a_manager_adds_a_shift(ow):
    client = client_for(ow.world.head)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())

    empty = client.get(f"/talkzone/rota/?week={monday.isoformat()}").content.decode()
    assert "56 opening hours this week have no worker on the rota" in empty

    response = client.post(
        f"/talkzone/rota/?week={monday.isoformat()}",
        {
            "worker": ow.talkzone_worker.staff.pk,
            "date_day": monday.day,
            "date_month": monday.month,
            "date_year": monday.year,
            "start_time": "14:00",
            "end_time": "22:00",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "48 opening hours this week have no worker on the rota" in page
    assert page.count("Not covered") == 48


def test_a_talkzone_worker_sees_the_rota_but_cannot_add_to_it(ow):
    client = client_for(ow.talkzone_worker)

    page = client.get("/talkzone/rota/").content.decode()
    response = client.post("/talkzone/rota/", {"worker": ow.talkzone_worker.staff.pk})

    assert "Add a shift" not in page
    assert response.status_code == 403


def test_the_reach_page_has_its_chart_and_tables(ow):
    services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )

    page = client_for(ow.world.head).get("/outreach/reach/").content.decode()

    assert '<svg class="eh-chart" role="img"' in page
    assert "Reach by district" in page
    assert "style=" not in page


def test_the_areas_served_page_tables_sessions_by_area_and_month(ow):
    services.record_outreach_session(actor=ow.outreach_worker, data=session_input(ow))

    page = client_for(ow.world.manager).get("/outreach/areas/").content.decode()

    assert "Moor Park, Preston" in page
    assert "1 (9)" in page


def test_a_named_contact_shows_the_name_only_to_those_who_may_see_the_person(ow):
    contact = services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )

    manager_page = client_for(ow.world.manager).get(f"/talkzone/{contact.pk}/").content.decode()
    talkzone_page = client_for(ow.talkzone_worker).get(f"/talkzone/{contact.pk}/")

    assert html.escape(ow.young_person.full_name) in manager_page
    assert html.escape(ow.young_person.full_name) not in talkzone_page.content.decode()
    assert "you cannot see this person" in html.unescape(talkzone_page.content.decode())
    views = AuditEvent.objects.filter(kind=Kind.VIEW, subject_person_id=ow.young_person.pk)
    assert list(views.values_list("actor", flat=True)) == [ow.world.manager.pk]
