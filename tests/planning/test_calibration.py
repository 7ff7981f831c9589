"""Calibration of the simulated year from the records of the last 12 months."""

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from earlyhelp.cases.models import Case
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.configuration.models import CaseType
from earlyhelp.planning.calibration import CalibrationError, calibrate
from earlyhelp.referrals.models import RequestForSupport, Route, Status
from tests.factories import FamilyFactory

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 6, 1)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=LONDON)


def add_requests(world, days, *, status=Status.AWAITING_ALLOCATION):
    family = FamilyFactory(district=world.district)
    return RequestForSupport.objects.bulk_create(
        RequestForSupport(
            family=family,
            team=world.team,
            status=status,
            route=Route.AGENCY,
            received_at=at(day),
            first_received_at=at(day),
            referrer_name="A referrer",
            presenting_needs="Synthetic needs",
            created_by=world.manager,
        )
        for day in days
    )


def add_cases(world, requests, codes):
    types = {case_type.code: case_type for case_type in CaseType.objects.all()}
    Case.objects.bulk_create(
        Case(
            request=request,
            family=request.family,
            urn=f"TST-{request.pk}",
            status=CaseStatus.PLANNING,
            key_worker=world.key_worker,
            team=world.team,
            allocated_at=request.received_at + dt.timedelta(days=1),
            allocated_by=world.manager,
            initial_visit_due_by=request.received_at.date() + dt.timedelta(days=9),
            case_type=types[code] if code else None,
        )
        for request, code in zip(requests, codes, strict=True)
    )


def working_days(first: dt.date, last: dt.date) -> int:
    """Mondays to Fridays from first to last, less England's bank holidays, day by day."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(first.year, last.year + 1))
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and day not in bank)


@pytest.fixture
def last_year(world):
    """40 queued requests in the 12 months to 31 May 2026, 25 of whose cases have a type
    (5 L3, 10 L2A, 10 L2B), and records that must not count."""
    days = [dt.date(2025, 6, 1) + dt.timedelta(days=9 * n) for n in range(40)]
    queued = add_requests(world, days[:30]) + add_requests(
        world, days[30:], status=Status.ALLOCATED
    )
    add_cases(world, queued[:30], ["L3"] * 5 + ["L2A"] * 10 + ["L2B"] * 10 + [None] * 5)
    # Outside the window, never queued, or no longer needing a worker.
    add_requests(world, [dt.date(2025, 5, 31), TODAY])
    add_requests(world, days[:3], status=Status.RETURNED_FOR_CONSENT)
    add_requests(world, days[:2], status=Status.WITHDRAWN)
    late = add_requests(world, [TODAY], status=Status.ALLOCATED)
    add_cases(world, late, ["L3"])
    return world


def test_calibration_counts_queued_requests_per_working_day_of_the_last_12_months(last_year):
    calibration = calibrate(today=TODAY)
    assert calibration.window_start == dt.date(2025, 6, 1)
    assert calibration.window_end == dt.date(2026, 5, 31)
    assert calibration.requests == 40
    assert calibration.working_days == working_days(dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    assert calibration.requests_per_working_day == pytest.approx(40 / calibration.working_days)


def test_calibration_takes_the_case_type_mix_of_typed_cases(last_year):
    calibration = calibrate(today=TODAY)
    assert calibration.typed_cases == 25
    assert calibration.case_type_mix == {"L3": 20, "L2A": 40, "L2B": 40}
    assert calibration.support_weeks == {"L3": 15, "L2A": 12, "L2B": 12}


def test_too_little_data_says_what_is_short(last_year):
    with pytest.raises(CalibrationError) as error:
        calibrate(today=TODAY, min_typed_cases=26)
    assert error.value.input == "calibrate_from_database"
    message = str(error.value)
    assert "too little data" in message
    assert "25 allocated cases with a case type (at least 26 needed)" in message
    assert "40 requests for support" in message


def test_an_empty_database_cannot_calibrate(world):
    with pytest.raises(CalibrationError, match="0 requests for support"):
        calibrate(today=TODAY)


def test_simulate_command_uses_the_calibrated_rate_and_mix(last_year, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    out = StringIO()
    call_command(
        "simulate", "--calibrate-from-database", "--replications", "2", "--workers", "3",
        "--format", "json", stdout=out,
    )  # fmt: skip
    figures = json.loads(out.getvalue())
    assert figures["calibration"]["requests"] == 40
    assert figures["inputs"]["case_type_mix"] == {"L3": 20, "L2A": 40, "L2B": 40}
    assert figures["inputs"]["requests_per_working_day"] == pytest.approx(
        40 / figures["calibration"]["working_days"]
    )


def test_simulate_command_refuses_to_calibrate_from_too_little_data(world):
    out = StringIO()
    with pytest.raises(CommandError, match="calibrate_from_database: too little data"):
        call_command("simulate", "--calibrate-from-database", "--replications", "1", stdout=out)
    assert out.getvalue() == ""


def test_calibration_reads_the_database_in_a_fixed_number_of_queries(
    last_year, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        calibrate(today=TODAY)


def test_a_bad_scenario_file_is_reported_before_calibrating(world, tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="scenario_file"):
        call_command(
            "simulate", "--scenario-file", str(path), "--calibrate-from-database",
            stdout=StringIO(),
        )  # fmt: skip
