"""generate_county: a small county's year of casework is consistent, shaped like the
configured profile, the same for the same seed, and opens in the pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F, Min

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.cases.models import Case, Contact, Review, StarReading
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.configuration.models import CaseType
from earlyhelp.county.generator import CountyDataError, generate_county
from earlyhelp.people.models import Family, Person
from earlyhelp.referrals.models import Consent, RequestForSupport, RequestMember
from earlyhelp.referrals.models import Status as RequestStatus
from earlyhelp.tasks.models import Task
from earlyhelp.workforce.demo import demo_email

CONFIGURATION = Path(__file__).resolve().parents[2] / "configuration" / "lancashire.yaml"
AS_OF = dt.date(2026, 11, 27)
CASES = 200


class _Rollback(Exception):
    pass


def _configure() -> None:
    call_command("load_configuration", str(CONFIGURATION), stdout=StringIO())


def _generate(seed: int = 11):
    return generate_county(years=1, cases_per_year=CASES, seed=seed, as_of=AS_OF)


@pytest.fixture
def county(db):
    _configure()
    return _generate()


def test_every_case_has_its_request_family_and_key_worker(county):
    cases = Case.objects.all()
    assert cases.count() > CASES * 0.85
    assert not cases.filter(family__isnull=True).exists()
    assert not cases.exclude(request__family=F("family")).exists()
    assert not cases.exclude(request__status=RequestStatus.ALLOCATED).exists()
    assert not cases.filter(key_worker__staff__team__isnull=True).exists()
    assert not cases.exclude(key_worker__staff__team=F("team")).exists()
    # Every request names its family's people, with their consent.
    members = RequestMember.objects.values("request").annotate(n=Count("pk"))
    assert {m["request"] for m in members} == set(
        RequestForSupport.objects.values_list("pk", flat=True)
    )
    assert Consent.objects.count() == 2 * RequestMember.objects.count()
    assert not Person.objects.filter(is_synthetic=False).exists()
    people_per_request = RequestMember.objects.count() / RequestForSupport.objects.count()
    assert 2.5 <= people_per_request <= 3.5
    # The family record points at the worker of its latest allocated case.
    for family in Family.objects.filter(cases__isnull=False).distinct()[:50]:
        latest = family.cases.order_by("-allocated_at").first()
        assert family.key_worker_id == latest.key_worker_id


def test_case_types_follow_the_configured_profile(county):
    decided = Case.objects.filter(case_type__isnull=False)
    assert decided.count() > CASES * 0.7
    shares = Counter(decided.values_list("case_type__code", flat=True))
    for case_type in CaseType.objects.all():
        share = shares[case_type.code] / decided.count()
        assert abs(share - float(case_type.demand_share)) < 0.09, case_type.code


def test_contacts_reviews_and_star_readings_follow_the_case_type(county):
    closed = Case.objects.filter(status=CaseStatus.CLOSED).select_related("case_type")
    assert closed.count() > CASES * 0.4
    contacts = dict(Contact.objects.values("case").annotate(n=Count("pk")).values_list("case", "n"))
    for case in closed:
        weeks = (case.closed_on - case.plan_started_on).days / 7
        visits = weeks / case.case_type.visit_every_weeks
        # The initial visit, at least one visit in each cycle of the rhythm (some weeks
        # add a phone call) and a TAF meeting at each review.
        assert visits * 0.8 <= contacts[case.pk] <= visits * 2.2 + weeks / 5 + 6, case.pk
        reviews = list(case.reviews.order_by("held_on").values_list("held_on", flat=True))
        # Reviews roughly every six weeks of the plan.
        assert len(reviews) >= int(weeks / 6.5)
        kinds = set(case.star_readings.values_list("kind", flat=True))
        assert {"baseline", "closure"} <= kinds
    # A contact never after the day the records end.
    assert not Contact.objects.filter(occurred_at__date__gt=AS_OF).exists()
    assert not Review.objects.filter(held_on__gt=AS_OF).exists()
    assert StarReading.objects.exists()


def test_statuses_and_dates_are_consistent(county):
    cases = Case.objects.all()
    for case in cases:
        allocated_on = case.allocated_at.date()
        assert case.request.received_at.date() <= allocated_on
        if case.status == CaseStatus.CLOSED:
            assert case.closed_on > allocated_on
            assert case.closure_reason
            assert case.closed_on <= AS_OF
        else:
            assert case.closed_on is None
            assert not case.closure_reason
        if case.status == CaseStatus.PLANNING:
            assert case.next_review_due_by is not None
            # Its open review task is due when the case says.
            assert Task.objects.filter(
                case=case, kind="review", completed_at__isnull=True, due_on=case.next_review_due_by
            ).exists()
    # Most allocations are within the five working days; open cases are the recent ones.
    in_time = sum(1 for c in cases if c.allocated_at.date() <= c.request.allocation_due_by)
    assert in_time >= 0.8 * cases.count()
    oldest_open = cases.exclude(status=CaseStatus.CLOSED).aggregate(m=Min("allocated_at"))["m"]
    assert oldest_open.date() > AS_OF - dt.timedelta(weeks=52)
    assert cases.filter(status=CaseStatus.CLOSED).exists()
    assert cases.exclude(status=CaseStatus.CLOSED).exists()
    # Requests not yet allocated are the last few days' and have an open task.
    for request in RequestForSupport.objects.filter(status=RequestStatus.AWAITING_ALLOCATION):
        assert request.received_at.date() > AS_OF - dt.timedelta(days=21)
        assert request.tasks.filter(completed_at__isnull=True).exists()


def test_same_seed_same_data(db):
    _configure()

    def snapshot(seed: int) -> dict:
        try:
            with transaction.atomic():
                summary = _generate(seed)
                first_names = list(
                    Person.objects.order_by("pk").values_list("first_name", flat=True)[:40]
                )
                types = list(Case.objects.order_by("pk").values_list("case_type__code", flat=True))
                raise _Rollback((summary.counts, first_names, types))
        except _Rollback as done:
            return done.args[0]

    first = snapshot(5)
    assert Person.objects.count() == 0  # rolled back
    assert snapshot(5) == first
    assert snapshot(6) != first


def test_refuses_without_configuration_or_twice(db):
    with pytest.raises(CountyDataError, match="load_configuration"):
        _generate()
    _configure()
    out = StringIO()
    call_command("generate_county", years=1, cases_per_year=50, seed=3, as_of=AS_OF, stdout=out)
    assert "cases" in out.getvalue()
    assert "Generated in" in out.getvalue()
    with pytest.raises(CommandError, match="already exist"):
        call_command("generate_county", years=1, cases_per_year=50, seed=3, stdout=StringIO())


def test_pages_open_for_generated_data(county, client):
    worker = User.objects.get(email=demo_email(Role.KEY_WORKER))
    manager = User.objects.get(email=demo_email(Role.OPERATIONS_DELIVERY_LEADER))
    case = Case.objects.filter(key_worker=worker).order_by("-allocated_at").first()
    assert case is not None
    client.force_login(worker)
    for path in ("/cases/", f"/cases/{case.pk}/", "/tasks/", "/families/"):
        response = client.get(path)
        assert response.status_code == 200, path
    person = Person.objects.filter(memberships__family=case.family).first()
    response = client.get(
        "/families/people/search/",
        {
            "name": person.last_name,
            "date_of_birth_day": person.date_of_birth.day,
            "date_of_birth_month": person.date_of_birth.month,
            "date_of_birth_year": person.date_of_birth.year,
        },
    )
    assert response.status_code == 200
    assert person.first_name in response.content.decode()
    client.force_login(manager)
    team = manager.managed_teams.first()
    for path in ("/requests/", f"/workforce/teams/{team.pk}/", f"/cases/{case.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path


def test_talkzone_contacts_when_the_outreach_lists_are_loaded(db):
    from earlyhelp.outreach.models import TalkzoneContact
    from earlyhelp.outreach.services import is_in_hours

    _configure()
    call_command("load_outreach_lists", stdout=StringIO())
    summary = _generate()
    contacts = list(TalkzoneContact.objects.order_by("pk"))
    # 6,000 a year for every 10,000 cases a year: 120 for 200.
    assert summary.counts["Talkzone contacts"] == len(contacts) == 120
    assert all(c.occurred_at.date() <= AS_OF for c in contacts)
    assert all(c.in_hours == is_in_hours(c.occurred_at) for c in contacts)
    assert any(c.in_hours for c in contacts)
    assert any(not c.in_hours for c in contacts)


def test_no_talkzone_contacts_without_the_outreach_lists(county):
    assert county.counts["Talkzone contacts"] == 0


def test_group_attendance_when_the_centres_are_loaded(db):
    from earlyhelp.centres.models import Attendance, GroupSession, Participant

    _configure()
    call_command("load_centres", stdout=StringIO())
    summary = _generate()
    assert summary.counts["group participants"] > 0
    assert Participant.objects.count() == summary.counts["group participants"]
    # Participants are parents of families with a case, at a centre of their district,
    # and attend only the sessions of runs they joined, none after the records end.
    for participant in Participant.objects.select_related("run__centre")[:40]:
        family = participant.person.families.get()
        assert family.district_id == participant.run.centre.district_id
        assert family.cases.exists()
        sessions = GroupSession.objects.filter(attendances__person=participant.person)
        runs = set(
            Participant.objects.filter(person=participant.person).values_list("run", flat=True)
        )
        assert set(sessions.values_list("run_id", flat=True)) <= runs
    assert not GroupSession.objects.filter(date__gt=AS_OF).exists()
    assert Attendance.objects.count() == summary.counts["group attendances"]
