"""Who may do what: managers plan within their area, centre staff record registers and
deliveries, nobody else; each refusal is audited and answered 403 (problem+json in the
API)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.centres import services
from earlyhelp.centres.models import ProgrammeSession
from tests.centres.conftest import make_run

pytestmark = pytest.mark.django_db
T = dt.time


def _add(p, actor, **kwargs):
    return services.add_programme_session(
        actor=actor, centre_id=p.enhanced.pk, weekday=1, starts_at=T(10), ends_at=T(12),
        title="Stay and play", **kwargs,
    )  # fmt: skip


def test_the_districts_manager_and_the_head_of_service_plan_the_programme(programme):
    assert _add(programme, programme.manager).pk
    assert _add(programme, programme.head, room_id=None).pk


@pytest.mark.parametrize("who", ["other_manager", "outreach", "key_worker", "talkzone"])
def test_others_cannot_plan_the_programme_and_the_refusal_is_audited(programme, who):
    actor = getattr(programme, who)

    with pytest.raises(PermissionDenied):
        _add(programme, actor)

    assert not ProgrammeSession.objects.exists()
    denied = AuditEvent.objects.get(kind=Kind.DENIED)
    assert denied.actor == actor
    assert denied.object_type == "centres.centre"


def test_centre_staff_record_registers_and_talkzone_workers_do_not(programme):
    start = timezone.localdate() - dt.timedelta(weeks=2)
    run = make_run(programme, starts_on=start)
    first = run.sessions.get(number=1)

    services.record_register(
        actor=programme.outreach, session_id=first.pk, present_person_ids=[], head_counts={}
    )
    with pytest.raises(PermissionDenied):
        services.record_register(
            actor=programme.talkzone, session_id=first.pk, present_person_ids=[], head_counts={}
        )
    assert AuditEvent.objects.filter(kind=Kind.DENIED, object_type="centres.groupsession").exists()


def test_the_add_session_page_is_forbidden_to_an_outreach_worker(client, programme):
    client.force_login(programme.outreach)

    response = client.get(reverse("centres:session-new", args=[programme.enhanced.pk]))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=programme.outreach).exists()


def test_the_api_answers_a_refusal_with_problem_json(client, programme):
    client.force_login(programme.other_manager)

    response = client.post(
        f"/api/v1/centres/{programme.enhanced.pk}/sessions",
        {"weekday": 1, "starts_at": "10:00", "ends_at": "12:00", "title": "Stay and play"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "You cannot plan the programme of this centre."


def test_the_api_needs_a_sign_in(client, programme):
    response = client.get("/api/v1/centres")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_the_centres_pages_need_the_view_permission(client, programme):
    from tests.factories import UserFactory

    nobody = UserFactory()
    client.force_login(nobody)

    assert client.get(reverse("centres:list")).status_code == 403
    client.force_login(programme.talkzone)
    assert client.get(reverse("centres:list")).status_code == 200


def test_the_navigation_shows_centres_to_centre_staff(client, programme):
    client.force_login(programme.outreach)

    response = client.get(reverse("core:home"))

    assert f'href="{reverse("centres:list")}"' in response.content.decode()


def test_a_locality_manager_plans_in_their_locality_only(programme):
    from earlyhelp.accounts.roles import Role
    from earlyhelp.centres.models import Centre
    from earlyhelp.centres.rules import plannable_centres
    from tests.factories import make_staff

    manager = make_staff(Role.LOCALITY_MANAGER, team=None)
    manager.staff.locality = programme.district.locality
    manager.staff.save()
    elsewhere = Centre.objects.create(
        code="padiham", name="Padiham Neighbourhood Centre", address_line_1="1 Hope Street",
        town="Padiham", postcode="BB12 8AB", district=programme.other_district,
        offer=programme.core.offer,
    )  # fmt: skip

    assert _add(programme, manager).pk
    assert set(Centre.objects.filter(plannable_centres(manager))) == {
        programme.enhanced,
        programme.core,
    }
    with pytest.raises(PermissionDenied):
        services.add_programme_session(
            actor=manager, centre_id=elsewhere.pk, weekday=1, starts_at=T(10), ends_at=T(12),
            title="Drop-in",
        )  # fmt: skip
