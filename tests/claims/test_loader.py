"""Loading the shipped frameworks: idempotent, one active, needs kept when a file drops
them, problems reported with the file's name; the models' codes are the domain's."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from earlyhelp.audit.models import AuditEvent
from earlyhelp.claims.loader import load_frameworks, shipped_framework_files, to_domain
from earlyhelp.claims.models import Claim, ClaimFramework, FrameworkNeed, NeedProgress
from earlyhelp.domain.claims import (
    ClaimRoute,
    FrameworkError,
    ProgressStatus,
    SustainFrom,
    framework_from_mapping,
)

pytestmark = pytest.mark.django_db
TF = "troubled-families-phase-2"
SF = "supporting-families-2022"


def test_the_shipped_frameworks_load_with_troubled_families_active():
    summary = load_frameworks()
    assert set(summary.created) == {TF, SF}
    assert summary.active == TF
    assert ClaimFramework.objects.get(is_active=True).code == TF
    assert FrameworkNeed.objects.filter(framework__code=TF).count() == 6
    assert FrameworkNeed.objects.filter(framework__code=SF).count() == 20


def test_loading_again_changes_nothing():
    load_frameworks()
    events = AuditEvent.objects.count()
    summary = load_frameworks()
    assert summary.created == summary.updated == ()
    assert set(summary.unchanged) == {TF, SF}
    assert AuditEvent.objects.count() == events


def test_the_stored_rules_are_the_files_rules():
    load_frameworks()
    for path in shipped_framework_files():
        from_file = framework_from_mapping(yaml.safe_load(path.read_text()))
        assert to_domain(ClaimFramework.objects.get(code=from_file.code)) == from_file


def test_a_chosen_framework_stays_active_and_can_be_switched():
    load_frameworks(activate=SF)
    assert ClaimFramework.objects.get(is_active=True).code == SF
    load_frameworks()
    assert ClaimFramework.objects.get(is_active=True).code == SF
    out = StringIO()
    call_command("load_claim_frameworks", activate=TF, stdout=out)
    assert "Active: troubled-families-phase-2" in out.getvalue()
    assert list(ClaimFramework.objects.filter(is_active=True).values_list("code", flat=True)) == [
        TF
    ]


def test_a_need_dropped_from_the_file_is_kept_but_not_offered(tmp_path: Path):
    load_frameworks()
    data = yaml.safe_load((shipped_framework_files()[1]).read_text())
    assert data["code"] == TF
    data["headlines"] = data["headlines"][:5]
    changed = tmp_path / "tf.yaml"
    changed.write_text(yaml.safe_dump(data))
    summary = load_frameworks([changed])
    assert summary.updated == (TF,)
    health = FrameworkNeed.objects.get(framework__code=TF, code="health")
    assert not health.is_current


def test_a_bad_file_is_refused_with_its_name_and_problems(tmp_path: Path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("code: x\nname: X\neligibility: {min_needs: 0, min_headlines: 1}\n")
    with pytest.raises(FrameworkError) as error:
        load_frameworks([bad])
    assert "broken.yaml: min_needs must be a whole number of at least 1" in error.value.problems
    with pytest.raises(CommandError, match=r"broken\.yaml"):
        call_command("load_claim_frameworks", str(bad), stdout=StringIO())
    assert not ClaimFramework.objects.exists()


def test_the_models_store_the_domains_codes():
    assert set(NeedProgress.Status.values) == {s.value for s in ProgressStatus}
    assert set(Claim.Route.values) == {r.value for r in ClaimRoute}
    choices = {value for value, _ in ClaimFramework._meta.get_field("sustain_from").choices}
    assert choices == {s.value for s in SustainFrom}
