"""A refusal is audited before the action's transaction opens: the rollback that
undoes a refused action must not undo the record of the refusal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from earlyhelp.audit.models import AuditEvent, Kind
from earlyhelp.domain.performance import parse_quarter
from earlyhelp.reporting import services as reporting
from earlyhelp.reporting.models import GeneratedReport


def test_a_refused_report_generation_stays_on_the_audit_log(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(PermissionDenied):
        reporting.generate_report(
            actor=world.key_worker,
            locality=None,
            quarter=parse_quarter("2026Q2"),
            report_format="xlsx",
            source="test",
        )

    refusal = AuditEvent.objects.get(kind=Kind.DENIED)
    assert refusal.actor == world.key_worker
    assert refusal.object_type == "reporting.generatedreport"
    assert not GeneratedReport.objects.exists()
