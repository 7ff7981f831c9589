"""Planners (head of service, two locality managers) and someone who does not plan."""

from __future__ import annotations

import pytest

from earlyhelp.accounts.roles import Role
from tests.factories import make_staff


@pytest.fixture
def head(db):
    return make_staff(Role.HEAD_OF_SERVICE, email="head@example.test")


@pytest.fixture
def manager(db):
    return make_staff(Role.LOCALITY_MANAGER, email="lm.one@example.test")


@pytest.fixture
def other_manager(db):
    return make_staff(Role.LOCALITY_MANAGER, email="lm.two@example.test")


@pytest.fixture
def key_worker(db):
    return make_staff(Role.KEY_WORKER, email="kw@example.test")
