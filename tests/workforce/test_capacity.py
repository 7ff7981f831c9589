import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.cases.models import Status
from earlyhelp.configuration.models import Specialism
from earlyhelp.domain.caseload import CaseloadRules
from earlyhelp.workforce.capacity import caseload_rules, worker_loads
from earlyhelp.workforce.models import Absence, AbsenceKind, StaffMember
from tests.factories import make_staff
from tests.workforce.helpers import held_case, hold

WEDNESDAY = dt.date(2026, 6, 10)  # the week of 8-14 June 2026 has five working days
SPRING_BANK_HOLIDAY_WEEK = dt.date(2026, 5, 27)  # Monday 25 May 2026 is a bank holiday

pytestmark = pytest.mark.django_db


def absent(worker, start: dt.date, end: dt.date, kind=AbsenceKind.ANNUAL_LEAVE) -> Absence:
    return Absence.objects.create(
        worker=worker.staff,
        kind=kind,
        start_date=start,
        end_date=end,
        recorded_by=worker,
        recorded_at=timezone.now(),
    )


def test_rules_come_from_the_configuration(world):
    assert caseload_rules() == CaseloadRules()

    world.settings.caseload_per_fte = 16
    world.settings.assessment_counts_as = "L2B"
    world.settings.save()
    rules = caseload_rules()

    assert rules.caseload_per_fte == 16
    assert rules.visits_for(None) == rules.visits_for("L2B")


def test_the_seed_mixed_caseload_of_18_is_over_capacity_not_over_caseload(world):
    hold(world.key_worker, {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1})

    load = worker_loads(StaffMember.objects.filter(user=world.key_worker), on=WEDNESDAY)[
        world.key_worker.staff.pk
    ]

    assert load.open_cases == 18
    assert load.open_cases_by_type == {"L3": 1, "L2A": 7, "L2B": 9, "L2-L1": 1}
    assert load.flags.demand_slots == 13
    assert load.flags.capacity_slots == 11
    assert load.flags.over_capacity
    assert not load.flags.over_caseload
    assert load.headroom_cases == 0
    assert load.headroom_slots == -2
    assert load.team_id == world.team.pk
    assert load.district_id == world.district.pk
    assert not load.absent_on


def test_closed_cases_do_not_count_and_cases_in_assessment_count_as_l2a(world):
    hold(world.key_worker, {None: 2, "L2B": 2})
    held_case(world.key_worker, case_type="L2A", status=Status.CLOSED)

    load = worker_loads([world.key_worker.staff], on=WEDNESDAY)[world.key_worker.staff.pk]

    assert load.open_cases == 4
    assert load.open_cases_by_type == {None: 2, "L2B": 2}
    assert load.flags.demand_slots == 3
    assert load.headroom_cases == 14
    assert load.headroom_slots == 8


def test_a_part_time_worker_with_protected_hours_has_fewer_slots(world):
    staff = world.key_worker.staff
    staff.fte = Decimal("0.5")
    staff.protected_hours = Decimal("2.5")
    staff.save()

    load = worker_loads([staff], on=WEDNESDAY)[staff.pk]

    assert load.flags.capacity_slots == 4.5  # 11 x 0.5 less one 2.5-hour slot
    assert load.flags.caseload_limit == 9
    assert load.fte == Decimal("0.5")


def test_two_days_of_leave_take_two_fifths_of_the_week(world):
    absent(world.key_worker, dt.date(2026, 6, 11), dt.date(2026, 6, 14))  # Thu to Sun

    load = worker_loads([world.key_worker.staff], on=WEDNESDAY)[world.key_worker.staff.pk]

    assert load.absent_days_in_week == 2
    assert load.flags.capacity_slots == pytest.approx(6.6)
    assert not load.absent_on  # back at work on the Wednesday
    assert load.headroom_cases == 18


def test_absent_on_the_day_and_the_whole_week_leaves_no_headroom(world):
    absent(world.key_worker, dt.date(2026, 6, 1), dt.date(2026, 6, 30), AbsenceKind.SICKNESS)
    hold(world.key_worker, {"L2B": 2})

    load = worker_loads([world.key_worker.staff], on=WEDNESDAY)[world.key_worker.staff.pk]

    assert load.absent_on
    assert load.absent_all_week
    assert load.flags.capacity_slots == 0
    assert load.headroom_cases == 0
    assert load.headroom_slots == -1
    assert not load.can_take_a_case


def test_cancelled_absences_and_other_weeks_do_not_count(world):
    cancelled = absent(world.key_worker, WEDNESDAY, WEDNESDAY)
    cancelled.cancelled_at = timezone.now()
    cancelled.cancelled_by = world.manager
    cancelled.save()
    absent(world.key_worker, dt.date(2026, 6, 15), dt.date(2026, 6, 19))

    load = worker_loads([world.key_worker.staff], on=WEDNESDAY)[world.key_worker.staff.pk]

    assert load.absent_days_in_week == 0
    assert load.flags.capacity_slots == 11


def test_absent_all_four_working_days_of_a_bank_holiday_week_is_the_whole_week(world):
    absent(world.key_worker, dt.date(2026, 5, 26), dt.date(2026, 5, 29))

    load = worker_loads([world.key_worker.staff], on=SPRING_BANK_HOLIDAY_WEEK)[
        world.key_worker.staff.pk
    ]

    assert load.working_days_in_week == 4
    assert load.absent_days_in_week == 4
    assert load.flags.capacity_slots == 0
    assert load.headroom_cases == 0


def test_specialisms_and_languages_are_listed(world):
    send = Specialism.objects.create(code="send", name="SEND", matches_send=True)
    under_5 = Specialism.objects.create(code="age-0-5", name="0-5", min_age=0, max_age=5)
    staff = world.key_worker.staff
    staff.specialisms.set([send, under_5])
    staff.languages = ["Urdu", "polish"]
    staff.save()

    load = worker_loads([staff], on=WEDNESDAY)[staff.pk]

    assert load.specialisms == {"send", "age-0-5"}
    assert load.languages == {"urdu", "polish"}


def _team_of(size: int, world, cases_each: int) -> None:
    for _ in range(size):
        worker = make_staff(Role.KEY_WORKER, team=world.team, line_manager=world.manager)
        send, _ = Specialism.objects.get_or_create(code="send", name="SEND")
        worker.staff.specialisms.set([send])
        hold(worker, {"L2A": cases_each, None: 1})
        absent(worker, WEDNESDAY, WEDNESDAY)


def test_the_number_of_queries_does_not_grow_with_workers_or_cases(world):
    _team_of(2, world, cases_each=1)
    workers = StaffMember.objects.filter(team=world.team)
    worker_loads(workers, on=WEDNESDAY)  # warms the per-process calendar cache
    with CaptureQueriesContext(connection) as small:
        worker_loads(workers, on=WEDNESDAY)

    _team_of(6, world, cases_each=4)
    with CaptureQueriesContext(connection) as large:
        loads = worker_loads(workers, on=WEDNESDAY)

    assert len(loads) == StaffMember.objects.filter(team=world.team).count()
    assert len(large.captured_queries) == len(small.captured_queries) <= 6
