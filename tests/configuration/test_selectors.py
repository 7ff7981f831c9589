"""Reading the configuration: settings, timescales and the working-day calendar, which is
cached per process but never stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from earlyhelp.configuration.models import ClosureDay
from earlyhelp.configuration.selectors import (
    ConfigurationNotLoaded,
    clear_service_calendar_cache,
    service_calendar,
    service_settings,
    service_timescales,
)

pytestmark = pytest.mark.django_db

CHRISTMAS_EVE_2026 = dt.date(2026, 12, 24)  # a Thursday


def test_service_settings_before_the_configuration_is_loaded_says_how_to_load_it():
    with pytest.raises(ConfigurationNotLoaded, match="load_configuration"):
        service_settings()

    assert issubclass(ConfigurationNotLoaded, ImproperlyConfigured)


def test_service_settings_and_timescales_come_from_the_loaded_file(loaded):
    assert service_settings().caf_mailbox == "caf@lancashire.gov.uk"
    timescales = service_timescales()
    assert timescales.allocation_working_days == 5
    assert timescales.initial_visit_working_days == 7
    assert timescales.review_interval_weeks == 6
    assert timescales.review_overdue_weeks == 8
    assert timescales.outcomes_star_review_weeks == 12


def test_the_calendar_skips_bank_holidays_and_the_configured_christmas_closure(loaded):
    calendar = service_calendar()

    assert not calendar.is_working_day(dt.date(2026, 12, 29))
    # Fri 25 Dec and Mon 28 Dec (Boxing Day moved) are bank holidays, 29-31 Dec closure
    # days, 1 Jan a bank holiday: the next working day is Monday 4 January 2027.
    assert calendar.add_working_days(CHRISTMAS_EVE_2026, 1) == dt.date(2027, 1, 4)


def test_without_closure_days_only_bank_holidays_are_skipped():
    calendar = service_calendar()

    assert calendar.is_working_day(dt.date(2026, 12, 29))
    assert calendar.add_working_days(CHRISTMAS_EVE_2026, 1) == dt.date(2026, 12, 29)


def test_the_calendar_is_cached_while_closure_days_do_not_change():
    assert service_calendar() is service_calendar()


def test_adding_or_removing_a_closure_day_is_seen_at_once():
    day = dt.date(2026, 6, 1)
    assert service_calendar().is_working_day(day)

    closure = ClosureDay.objects.create(date=day, reason="Staff training day")
    assert not service_calendar().is_working_day(day)

    closure.delete()
    assert service_calendar().is_working_day(day)


@transaction.atomic
def _close_then_roll_back(day: dt.date) -> None:
    ClosureDay.objects.create(date=day, reason="Never committed")
    # Seen inside its own transaction...
    assert not service_calendar().is_working_day(day)
    raise RuntimeError("roll back")


def test_a_closure_day_rolled_back_is_not_left_in_the_cached_calendar():
    day = dt.date(2026, 6, 1)
    service_calendar()

    with pytest.raises(RuntimeError):
        _close_then_roll_back(day)

    assert service_calendar().is_working_day(day)
    assert service_calendar() is service_calendar()


def test_a_closure_day_saved_by_another_process_is_seen_once_the_cache_is_a_minute_old(
    settings, monkeypatch
):
    # Another app process's save sends no signal here: bulk_create stands in for it.
    settings.CALENDAR_CACHE_SECONDS = 60
    day = dt.date(2026, 6, 1)
    now = [1000.0]
    monkeypatch.setattr("earlyhelp.configuration.selectors.time.monotonic", lambda: now[0])
    clear_service_calendar_cache()
    assert service_calendar().is_working_day(day)

    ClosureDay.objects.bulk_create([ClosureDay(date=day, reason="Closed by another process")])
    now[0] += 59
    assert service_calendar().is_working_day(day)

    now[0] += 2
    assert not service_calendar().is_working_day(day)
