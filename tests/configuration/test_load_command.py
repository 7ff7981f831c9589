"""``manage.py load_configuration FILE``: loads the file, prints a summary; a file with
any problem exits non-zero, prints FILE:LINE: field: message, and loads nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from earlyhelp.audit.models import AuditEvent
from earlyhelp.configuration.models import District, Locality, ServiceSettings
from earlyhelp.configuration.services import LOADED
from tests.configuration.helpers import LANCASHIRE, line_of
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db


def _run(path) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_configuration", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _fails(path) -> tuple[str, str]:
    """Run the command expecting it to fail; its error message and what it wrote to stderr."""
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_configuration", str(path), stdout=StringIO(), stderr=err)
    return str(caught.value), err.getvalue()


def test_the_command_loads_the_lancashire_file_and_prints_a_summary():
    out, err = _run(LANCASHIRE)

    assert err == ""
    assert "Loaded configuration 2026.1 for Lancashire County Council" in out
    assert "districts: 12 created, 0 updated, 0 removed, 0 unchanged" in out
    assert Locality.objects.count() == 5
    assert District.objects.count() == 12
    event = AuditEvent.objects.get(code=LOADED)
    assert event.actor is None
    assert event.details["file"] == str(LANCASHIRE)


def test_running_the_command_twice_is_idempotent(table_counts):
    _run(LANCASHIRE)
    after_first = table_counts()

    out, _ = _run(LANCASHIRE)

    assert table_counts() == after_first
    assert "Already up to date" in out
    assert "districts: 0 created, 0 updated, 0 removed, 12 unchanged" in out


def test_a_yaml_syntax_error_exits_non_zero_naming_the_line_and_loads_nothing(
    write_config, table_counts
):
    path = write_config(
        "schema_version: 1\n"
        "council:\n"
        "  name: Lancashire County Council\n"
        "  configuration_version: [2026.1\n"
        "service:\n"
        "  caf_mailbox: caf@lancashire.gov.uk\n"
    )
    before = table_counts()

    message, stderr = _fails(path)

    assert stderr.startswith(f"{path}:5: yaml: not valid YAML")
    assert "nothing was loaded" in message
    assert table_counts() == before
    assert not AuditEvent.objects.filter(code=LOADED).exists()


def test_a_district_naming_a_missing_locality_exits_non_zero_with_field_and_line(
    lancashire_text, lancashire_with, table_counts
):
    path = lancashire_with("    locality: preston\n", "    locality: preston-north\n")
    line = line_of(lancashire_text, "    locality: preston")
    before = table_counts()

    message, stderr = _fails(path)

    assert stderr == (
        f"{path}:{line}: districts[3].locality: names locality 'preston-north', "
        "which is not in localities\n"
    )
    assert message == f"{path}: 1 problem found; nothing was loaded"
    assert table_counts() == before
    assert not ServiceSettings.objects.exists()


def test_a_bad_file_after_a_good_load_changes_nothing(lancashire_text, write_config, table_counts):
    _run(LANCASHIRE)
    before = table_counts()
    preston_before = list(District.objects.values().order_by("code"))
    # Otherwise-valid changes alongside the bad reference must not be applied either.
    text = (
        lancashire_text.replace("    locality: preston\n", "    locality: preston-north\n")
        .replace("  - code: burnley-pendle\n    name: Burnley and Pendle\n", "")
        .replace("caseload_per_fte: 18", "caseload_per_fte: 20")
    )
    path = write_config(text)

    _, stderr = _fails(path)

    assert "districts[3].locality" in stderr
    assert table_counts() == before
    assert list(District.objects.values().order_by("code")) == preston_before
    assert ServiceSettings.objects.get().caseload_per_fte == 18
    assert AuditEvent.objects.filter(code=LOADED).count() == 1


def test_demand_shares_not_adding_up_to_one_are_rejected(lancashire_with, table_counts):
    path = lancashire_with("demand_share: 0.40", "demand_share: 0.30")
    before = table_counts()

    _, stderr = _fails(path)

    assert "case_types[*].demand_share: the demand shares must add up to 1" in stderr
    assert "they add up to 0.9" in stderr
    assert table_counts() == before


def test_every_problem_is_printed_one_per_line(lancashire_with):
    path = lancashire_with("slots_per_week: 11", "slots_per_week: 0\n  extra_key: 1")

    message, stderr = _fails(path)

    lines = stderr.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{path}:") for line in lines)
    assert message == f"{path}: 2 problems found; nothing was loaded"


def test_a_removal_that_would_orphan_records_is_refused_and_rolled_back(
    lancashire_text, write_config, table_counts
):
    _run(LANCASHIRE)
    FamilyFactory(district=District.objects.get(code="rossendale"))
    start = lancashire_text.index("  - code: rossendale\n")
    end = lancashire_text.index("  - code: burnley\n")
    path = write_config(lancashire_text[:start] + lancashire_text[end:])
    before = table_counts()

    _, stderr = _fails(path)

    line = line_of(lancashire_text, "districts:")
    assert f"{path}:{line}: districts: district 'rossendale'" in stderr
    assert "1 family refers to it" in stderr
    assert table_counts() == before


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_configuration", "does/not/exist.yaml", stdout=StringIO())
