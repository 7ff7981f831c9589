"""One world for the whole matrix module, built once inside a transaction that is rolled
back when the module ends; each test runs in its own nested transaction on top."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def security_world(django_db_setup, django_db_blocker):
    from tests.security.runner import Subjects
    from tests.security.world import build_security_world

    # Files the matrix writes (a generated report) are kept in memory, not under var/.
    storages = override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        }
    )
    storages.enable()
    # Thousands of refusals would each log a warning with its traceback: slow, and noise.
    logging.disable(logging.WARNING)
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        world = None
        try:
            world = build_security_world()
            world.subjects = Subjects(world.users)
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            storages.disable()
            logging.disable(logging.NOTSET)
