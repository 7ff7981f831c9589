"""Reads of the service's configuration: settings, timescales and the working-day
calendar (bank holidays plus configured closure days).

The calendar is cached per process. Saving or deleting a ClosureDay clears the cache
(signal receivers below), and a transaction that has changed closure days never fills
it: its rows are not committed yet and could still roll back. Writes that bypass model
signals (``QuerySet.update``, ``bulk_create``) must call ``clear_service_calendar_cache``.
Other app processes and workers cannot hear those signals, so a cached calendar is read
again once it is ``CALENDAR_CACHE_SECONDS`` old (a minute by default): a closure day
saved on one machine reaches every process within that time.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from earlyhelp.configuration.models import ClosureDay, ServiceSettings

if TYPE_CHECKING:
    from earlyhelp.domain.calendar import WorkingCalendar
    from earlyhelp.domain.casework import Timescales


class ConfigurationNotLoaded(ImproperlyConfigured):
    """The service configuration has not been loaded into this database yet."""


def service_settings() -> ServiceSettings:
    """The service-wide settings row; the configuration must have been loaded."""
    row = ServiceSettings.objects.order_by("pk").first()
    if row is None:
        raise ConfigurationNotLoaded(
            "The service configuration is not loaded: run "
            "manage.py load_configuration configuration/lancashire.yaml"
        )
    return row


def service_timescales() -> Timescales:
    """The service's timescales from its configuration."""
    from earlyhelp.domain.casework import Timescales

    row = service_settings()
    return Timescales(
        allocation_working_days=row.allocation_working_days,
        initial_visit_working_days=row.initial_visit_working_days,
        review_interval_weeks=row.review_interval_weeks,
        review_overdue_weeks=row.review_overdue_weeks,
        outcomes_star_review_weeks=row.outcomes_star_review_weeks,
    )


# ---------------------------------------------------------------- the calendar cache

_lock = threading.Lock()
_cached: WorkingCalendar | None = None
_cached_at = 0.0
# Bumped on every clear, so a read that raced a change never stores what it read.
_generation = 0


def _closure_days_changed_on_commit() -> None:
    clear_service_calendar_cache()


def _uncommitted_closure_changes() -> bool:
    """Whether this connection's open transaction has changed closure days."""
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    # A callback queued by the receiver stays queued until commit; a rollback drops it.
    return any(
        callback is _closure_days_changed_on_commit for _, callback, *_ in connection.run_on_commit
    )


def clear_service_calendar_cache() -> None:
    """Forget the cached calendar: the next service_calendar() reads closure days again."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1


def service_calendar() -> WorkingCalendar:
    """Working days: Monday to Friday less bank holidays and configured closure days."""
    from earlyhelp.domain.calendar import WorkingCalendar

    with _lock:
        cached, cached_at, generation = _cached, _cached_at, _generation
    max_age = settings.CALENDAR_CACHE_SECONDS
    if cached is not None and (max_age is None or time.monotonic() - cached_at < max_age):
        return cached
    calendar = WorkingCalendar(closure_days=ClosureDay.objects.values_list("date", flat=True))
    if not _uncommitted_closure_changes():
        _store(calendar, generation)
    return calendar


def _store(calendar: WorkingCalendar, generation: int) -> None:
    global _cached, _cached_at
    with _lock:
        if _generation == generation:
            _cached, _cached_at = calendar, time.monotonic()


@receiver(post_save, sender=ClosureDay, dispatch_uid="configuration.closure_day_saved")
@receiver(post_delete, sender=ClosureDay, dispatch_uid="configuration.closure_day_deleted")
def _closure_day_changed(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Clear the calendar now, and again when the change commits (other threads may have
    cached the old rows meanwhile)."""
    clear_service_calendar_cache()
    transaction.on_commit(_closure_days_changed_on_commit, using=using)


@receiver(post_migrate, dispatch_uid="configuration.database_flushed")
def _database_flushed(**kwargs) -> None:
    """A migrate or flush (as between transactional tests) may have changed every row."""
    clear_service_calendar_cache()
