import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.cases.models import Case
from earlyhelp.workforce.models import Absence, AbsenceKind
from tests.factories import make_staff
from tests.workforce.helpers import held_case, hold

pytestmark = pytest.mark.django_db


def _team_url(world, sort=""):
    url = reverse("workforce:team", args=[world.team.pk])
    return f"{url}?sort={sort}" if sort else url


def _worker_url(user):
    return reverse("workforce:worker", args=[user.staff.pk])


def test_the_team_page_shows_each_workers_load_headroom_and_flags(client, world):
    hold(world.key_worker, {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1})
    hold(world.second_worker, {"L2B": 4})
    held_case(world.second_worker, initial_visit_due_by=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(world.manager)

    response = client.get(_team_url(world))

    assert response.status_code == 200
    rows = response.context["capacity"].rows
    assert [r.staff.user for r in rows] == sorted(
        [world.key_worker, world.second_worker],
        key=lambda u: (u.last_name.lower(), u.first_name.lower()),
    )
    by_user = {r.staff.user: r for r in rows}
    assert by_user[world.key_worker].flags == ["Over capacity"]
    assert by_user[world.key_worker].load.headroom_cases == 0
    assert by_user[world.second_worker].load.headroom_cases == 13
    assert by_user[world.second_worker].overdue_visits == 1
    assert b"Over capacity" in response.content


def test_the_team_page_sorts_by_a_column_on_the_server(client, world):
    hold(world.key_worker, {"L2B": 10})
    hold(world.second_worker, {"L2B": 2})
    client.force_login(world.manager)

    ascending = client.get(_team_url(world, "headroom")).context["capacity"].rows
    descending = client.get(_team_url(world, "-headroom"))

    assert [r.staff.user for r in ascending] == [world.key_worker, world.second_worker]
    assert [r.staff.user for r in descending.context["capacity"].rows] == [
        world.second_worker,
        world.key_worker,
    ]
    html = descending.content.decode()
    assert 'aria-sort="descending"' in html
    assert "?sort=headroom#team-capacity" in html  # the next click sorts ascending


def test_an_unknown_sort_falls_back_to_names(client, world):
    client.force_login(world.manager)

    response = client.get(_team_url(world, "-password"))

    assert response.context["capacity"].sort == "name"


def test_a_key_worker_cannot_see_a_teams_capacity_and_the_refusal_is_audited(client, world):
    client.force_login(world.key_worker)

    response = client.get(_team_url(world))

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        kind=Kind.DENIED, actor=world.key_worker, object_type="workforce.team"
    ).exists()


def test_another_teams_manager_cannot_see_this_team_or_its_workers(client, world):
    client.force_login(world.other_manager)

    assert client.get(_team_url(world)).status_code == 403
    assert client.get(_worker_url(world.key_worker)).status_code == 403
    assert AuditEvent.objects.filter(kind=Kind.DENIED, actor=world.other_manager).count() == 2


def test_the_locality_manager_and_head_of_service_see_the_team(client, world):
    for user in (world.locality_manager, world.head):
        client.force_login(user)
        assert client.get(_team_url(world)).status_code == 200


def test_a_manager_with_one_team_goes_straight_to_it(client, world):
    client.force_login(world.manager)

    response = client.get(reverse("workforce:teams"))

    assert response.status_code == 302
    assert response.url == _team_url(world)


def test_a_worker_sees_their_own_capacity_with_the_chart_and_its_table(client, world):
    hold(world.key_worker, {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1})
    client.force_login(world.key_worker)

    response = client.get(reverse("workforce:me"), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Caseload allocation: 18 cases" in html
    assert "<svg" in html
    assert 'role="img"' in html
    assert "style=" not in html
    assert '<title id="caseload-chart-title">' in html
    view = response.context["view"]
    assert [(b.label, b.count) for b in view.bars] == [
        ("L3", 1),
        ("L2A", 7),
        ("L2B", 9),
        ("L2-L1", 1),
        ("In assessment", 0),
    ]
    assert view.annual.slots_available == 506
    assert "Record an absence" not in html  # a worker does not manage themselves
    assert AuditEvent.objects.filter(code="staffmember.capacity_viewed").exists()


def test_a_key_worker_cannot_see_a_colleagues_capacity(client, world):
    client.force_login(world.key_worker)

    assert client.get(_worker_url(world.second_worker)).status_code == 403


def test_the_worker_page_lists_overdue_visits_and_reviews(client, world):
    today = timezone.localdate()
    held_case(world.key_worker, initial_visit_due_by=today - dt.timedelta(days=1))
    held_case(
        world.key_worker,
        case_type="L2B",
        initial_visit_due_by=today - dt.timedelta(days=40),
        initial_visit_on=today - dt.timedelta(days=30),
        next_review_due_by=today - dt.timedelta(days=3),
    )
    client.force_login(world.manager)

    view = client.get(_worker_url(world.key_worker)).context["view"]

    assert len(view.overdue_visits) == 2
    assert len(view.overdue_reviews) == 1


def test_a_manager_records_an_absence_on_the_web(client, world):
    client.force_login(world.manager)
    url = reverse("workforce:record-absence", args=[world.key_worker.staff.pk])

    response = client.post(
        url,
        {
            "kind": AbsenceKind.SICKNESS,
            "start_date_day": "8",
            "start_date_month": "6",
            "start_date_year": "2026",
            "end_date_day": "10",
            "end_date_month": "6",
            "end_date_year": "2026",
        },
    )

    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.start_date, absence.end_date) == (dt.date(2026, 6, 8), dt.date(2026, 6, 10))


def test_an_absence_ending_before_it_starts_shows_the_error_by_the_field(client, world):
    client.force_login(world.manager)
    url = reverse("workforce:record-absence", args=[world.key_worker.staff.pk])

    response = client.post(
        url,
        {
            "kind": AbsenceKind.ANNUAL_LEAVE,
            "start_date_day": "10",
            "start_date_month": "6",
            "start_date_year": "2026",
            "end_date_day": "8",
            "end_date_month": "6",
            "end_date_year": "2026",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The last day must be the same as or after the first day" in html
    assert 'href="#id_end_date_day"' in html
    assert not Absence.objects.exists()


def test_a_manager_cancels_an_absence_on_the_web(client, world):
    absence = Absence.objects.create(
        worker=world.key_worker.staff,
        kind=AbsenceKind.OTHER,
        start_date=dt.date(2026, 6, 8),
        end_date=dt.date(2026, 6, 8),
        recorded_by=world.manager,
        recorded_at=timezone.now(),
    )
    client.force_login(world.manager)
    url = reverse("workforce:cancel-absence", args=[absence.pk])

    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    absence.refresh_from_db()
    assert absence.is_cancelled


def test_a_key_worker_cannot_open_the_absence_form(client, world):
    client.force_login(world.second_worker)

    url = reverse("workforce:record-absence", args=[world.key_worker.staff.pk])

    assert client.get(url).status_code == 403


def test_a_manager_changes_capacity_details_and_bad_fte_is_shown_by_the_field(client, world):
    client.force_login(world.manager)
    url = reverse("workforce:edit-capacity", args=[world.key_worker.staff.pk])

    bad = client.post(url, {"fte": "1.5", "protected_hours": "0", "languages": "", "version": 1})
    good = client.post(
        url, {"fte": "0.8", "protected_hours": "5", "languages": "Urdu, Polish", "version": 1}
    )

    assert "FTE must be more than 0 and at most 1.0" in bad.content.decode()
    assert good.status_code == 302
    world.key_worker.staff.refresh_from_db()
    assert world.key_worker.staff.languages == ["polish", "urdu"]


def test_the_reassignment_page_suggests_the_worker_with_most_headroom(client, world):
    third = make_staff(Role.KEY_WORKER, team=world.team, line_manager=world.manager)
    hold(world.second_worker, {"L2B": 10})
    hold(third, {"L2B": 2})
    cases = [held_case(world.key_worker, case_type="L2B") for _ in range(2)]
    client.force_login(world.manager)
    url = reverse("workforce:reassign", args=[world.key_worker.staff.pk])

    page = client.get(url)

    plan = page.context["plan"]
    assert plan.suggestions == {cases[0].pk: third.pk, cases[1].pk: third.pk}
    form = page.context["form"]
    assert form[f"worker-{cases[0].pk}"].initial == third.pk

    data = {"reason": "Leaving"}
    data.update({f"worker-{c.pk}": str(third.pk) for c in cases})
    done = client.post(url, data)

    assert done.status_code == 302
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("key_worker", flat=True)
    ) == {third.pk}


def test_a_refused_reassignment_shows_the_message_by_the_case(client, world):
    hold(world.second_worker, {"L2A": 18})
    case = held_case(world.key_worker, case_type="L2B")
    client.force_login(world.manager)
    url = reverse("workforce:reassign", args=[world.key_worker.staff.pk])

    response = client.post(
        url, {"reason": "Leaving", f"worker-{case.pk}": str(world.second_worker.pk)}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "has no headroom for this case" in html
    assert f'href="#id_worker-{case.pk}"' in html
    case.refresh_from_db()
    assert case.key_worker == world.key_worker


def _grow_team(world, workers: int, cases_each: int) -> None:
    for _ in range(workers):
        worker = make_staff(Role.KEY_WORKER, team=world.team, line_manager=world.manager)
        hold(worker, {"L2A": cases_each, None: 1})
        held_case(worker, case_type="L2B", next_review_due_by=timezone.localdate())
        Absence.objects.create(
            worker=worker.staff,
            kind=AbsenceKind.ANNUAL_LEAVE,
            start_date=timezone.localdate(),
            end_date=timezone.localdate(),
            recorded_by=world.manager,
            recorded_at=timezone.now(),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_team_page_query_count_does_not_grow_with_workers_or_cases(client, world):
    client.force_login(world.manager)
    _grow_team(world, workers=1, cases_each=1)
    client.get(_team_url(world))  # warm the calendar cache
    small = _queries(client, _team_url(world, "-visits"))

    _grow_team(world, workers=6, cases_each=5)
    large = _queries(client, _team_url(world, "-visits"))

    assert large == small


def test_the_worker_page_query_count_does_not_grow_with_cases(client, world):
    client.force_login(world.manager)
    hold(world.key_worker, {"L2A": 1})
    url = _worker_url(world.key_worker)
    client.get(url)
    small = _queries(client, url)

    hold(world.key_worker, {"L2A": 8, "L2B": 8, None: 3})
    for _ in range(3):
        Absence.objects.create(
            worker=world.key_worker.staff,
            kind=AbsenceKind.OTHER,
            start_date=timezone.localdate() + dt.timedelta(days=30 + _),
            end_date=timezone.localdate() + dt.timedelta(days=30 + _),
            recorded_by=world.manager,
            recorded_at=timezone.now(),
        )
    large = _queries(client, url)

    assert large == small


def test_the_reassignment_page_query_count_does_not_grow_with_cases(client, world):
    client.force_login(world.manager)
    hold(world.key_worker, {"L2A": 1})
    url = reverse("workforce:reassign", args=[world.key_worker.staff.pk])
    client.get(url)
    small = _queries(client, url)

    hold(world.key_worker, {"L2A": 6, None: 4})
    _grow_team(world, workers=3, cases_each=2)
    large = _queries(client, url)

    assert large == small


def test_a_locality_manager_of_another_locality_cannot_see_the_team(client, world):
    from earlyhelp.workforce.models import StaffMember

    north_manager = make_staff(Role.LOCALITY_MANAGER, team=None)
    StaffMember.objects.filter(user=north_manager).update(locality=world.other_district.locality)
    client.force_login(north_manager)

    assert client.get(_team_url(world)).status_code == 403
    assert client.get(_worker_url(world.key_worker)).status_code == 403
    assert client.get(reverse("workforce:team", args=[world.other_team.pk])).status_code == 200
