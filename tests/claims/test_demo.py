"""The demo programme records: made through the services, the same for the same seed,
and loaded once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from earlyhelp.claims import selectors
from earlyhelp.claims.models import Attachment, Claim, EmploymentEpisode, NeedProgress
from earlyhelp.people.models import Family
from tests.casework import open_case

pytestmark = pytest.mark.django_db


def _demo_world(world) -> None:
    for _ in range(5):
        open_case(world)
    Family.objects.update(is_synthetic=True)


def _snapshot() -> list:
    return [
        (
            a.case_id,
            a.attached_on,
            sorted(n.need.code for n in a.needs.all()),
            sorted(
                (p.identified_need.need.code, p.recorded_on, p.status)
                for p in NeedProgress.objects.filter(identified_need__attachment=a)
            ),
        )
        for a in Attachment.objects.prefetch_related("needs__need").order_by("case_id")
    ]


def test_demo_attaches_families_with_progress_work_and_one_claim(world):
    _demo_world(world)
    out = StringIO()
    call_command("load_claim_frameworks", demo=True, seed=7, stdout=out)
    assert "5 families attached" in out.getvalue()
    assert "1 claimed" in out.getvalue()
    assert Claim.objects.count() == 1
    assert EmploymentEpisode.objects.count() == 1
    assert NeedProgress.objects.filter(status="regressed").count() == 1
    framework = selectors.active_framework()
    states = sorted(
        r.state for r in selectors.attachment_rows(user=world.head, framework=framework)
    )
    assert states == ["claimable", "claimable", "claimed", "progress", "progress"]


def test_demo_is_loaded_once(world):
    _demo_world(world)
    call_command("load_claim_frameworks", demo=True, seed=7, stdout=StringIO())
    first = _snapshot()
    out = StringIO()
    call_command("load_claim_frameworks", demo=True, seed=7, stdout=out)
    assert "already loaded" in out.getvalue()
    assert _snapshot() == first


def test_the_same_seed_gives_the_same_records(world):
    _demo_world(world)
    call_command("load_claim_frameworks", demo=True, seed=11, stdout=StringIO())
    first = _snapshot()
    Claim.objects.all().delete()
    Attachment.objects.all().delete()
    call_command("load_claim_frameworks", demo=True, seed=11, stdout=StringIO())
    assert _snapshot() == first
