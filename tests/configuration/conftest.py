"""Shared fixtures for the configuration tests: the shipped Lancashire file, a way to
write variants of it, and the row counts of every configuration table."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from earlyhelp.configuration.models import (
    CaseType,
    ClosureDay,
    District,
    Locality,
    MarmotObjective,
    NeedLevel,
    OutcomesStar,
    ServiceOutcome,
    ServiceSettings,
    StarArea,
    TargetGroup,
    TfuCriterion,
)
from tests.configuration.helpers import LANCASHIRE

CONFIGURATION_MODELS = (
    ServiceSettings,
    Locality,
    District,
    NeedLevel,
    CaseType,
    TargetGroup,
    MarmotObjective,
    TfuCriterion,
    ServiceOutcome,
    ClosureDay,
    OutcomesStar,
    StarArea,
)


@pytest.fixture
def lancashire_text() -> str:
    """The shipped file without its Outcomes Star section, which tests add their own."""
    text = LANCASHIRE.read_text(encoding="utf-8")
    start = text.index("# Outcomes Star definitions")
    end = text.index("# Days the service is closed")
    return text[:start] + text[end:]


@pytest.fixture
def write_config(tmp_path) -> Callable[[str], Path]:
    """Write YAML text to a file under tmp_path and return its path."""
    counter = iter(range(1000))

    def write(text: str) -> Path:
        path = tmp_path / f"configuration-{next(counter)}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def lancashire_with(lancashire_text, write_config) -> Callable[..., Path]:
    """The Lancashire file with one exact piece of text replaced (which must be there)."""

    def variant(old: str, new: str, *, count: int = 1) -> Path:
        assert old in lancashire_text, f"{old!r} is not in the Lancashire file"
        return write_config(lancashire_text.replace(old, new, count))

    return variant


@pytest.fixture
def table_counts() -> Callable[[], dict[str, int]]:
    def counts() -> dict[str, int]:
        return {model._meta.label: model.objects.count() for model in CONFIGURATION_MODELS}

    return counts


@pytest.fixture
def loaded(db) -> None:
    """The Lancashire configuration, loaded by the command."""
    call_command("load_configuration", str(LANCASHIRE), stdout=StringIO())
