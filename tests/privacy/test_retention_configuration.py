"""The retention periods in the service configuration: the optional ``retention``
section of the YAML file, its checks, and its defaults."""

from __future__ import annotations

import pytest

from earlyhelp.configuration.loader import ConfigurationError, parse_configuration
from earlyhelp.configuration.models import ServiceSettings
from earlyhelp.configuration.services import load_configuration
from earlyhelp.domain.retention import RetentionRules
from earlyhelp.privacy.selectors import retention_rules
from tests.configuration.helpers import LANCASHIRE, line_of
from tests.factories import UserFactory

SECTION = """retention:
  years_after_youngest_child_birth: 25  # a closed case: until the youngest child is 25
  minimum_years_after_closure: 6        # and never less than 6 years after it closed
  years_after_request_decision: 6       # a request that never became a case: 6 years
"""


@pytest.fixture
def lancashire_text() -> str:
    return LANCASHIRE.read_text()


def test_the_lancashire_file_sets_the_default_periods(lancashire_text):
    settings = parse_configuration(lancashire_text).settings
    assert settings.retention_years_after_youngest_child_birth == 25
    assert settings.retention_minimum_years_after_closure == 6
    assert settings.retention_years_after_request_decision == 6


def test_a_file_without_the_section_gets_the_defaults(lancashire_text):
    assert SECTION in lancashire_text
    settings = parse_configuration(lancashire_text.replace(SECTION, "")).settings
    assert settings.retention_years_after_youngest_child_birth == 25
    assert settings.retention_years_after_request_decision == 6


def test_a_council_sets_its_own_periods(lancashire_text):
    text = lancashire_text.replace(
        "years_after_request_decision: 6", "years_after_request_decision: 3"
    )
    assert parse_configuration(text).settings.retention_years_after_request_decision == 3


def test_bad_periods_are_reported_by_field_and_line(lancashire_text):
    text = lancashire_text.replace(
        "minimum_years_after_closure: 6", "minimum_years_after_closure: -2"
    ).replace("years_after_request_decision: 6", "years_after_request_decison: 6")
    with pytest.raises(ConfigurationError) as caught:
        parse_configuration(text)
    problems = {p.field: p for p in caught.value.problems}
    assert problems["retention.minimum_years_after_closure"].line == line_of(
        text, "minimum_years_after_closure"
    )
    assert "from 0 to 120" in problems["retention.minimum_years_after_closure"].message
    assert "unknown field" in problems["retention.years_after_request_decison"].message


@pytest.mark.django_db
def test_loaded_periods_reach_the_retention_rule(lancashire_text):
    admin = UserFactory(is_superuser=True, is_staff=True)
    text = lancashire_text.replace(
        "years_after_youngest_child_birth: 25", "years_after_youngest_child_birth: 30"
    )
    load_configuration(actor=admin, data=parse_configuration(text), source="test")

    assert ServiceSettings.objects.get().retention_years_after_youngest_child_birth == 30
    assert retention_rules() == RetentionRules(
        years_after_youngest_child_birth=30,
        minimum_years_after_closure=6,
        years_after_request_decision=6,
    )
