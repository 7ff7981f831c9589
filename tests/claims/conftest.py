"""Shared set-up for the claims tests: the shipped frameworks loaded, and helpers that
attach a world's family and take its needs to sustained progress."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from earlyhelp.claims import services
from earlyhelp.claims.loader import load_frameworks
from earlyhelp.claims.models import Attachment, ClaimFramework
from earlyhelp.domain.claims import add_months
from tests.casework import World, open_case

TF = "troubled-families-phase-2"
SF = "supporting-families-2022"
TF_NEEDS = ("crime-asb", "school-attendance")
SF_NEEDS = ("education-attendance", "housing-homeless", "financial-debt")


@pytest.fixture
def frameworks(db) -> dict[str, ClaimFramework]:
    load_frameworks()
    return {row.code: row for row in ClaimFramework.objects.all()}


def today() -> dt.date:
    return timezone.localdate()


def attach(
    world: World,
    *,
    case=None,
    needs=TF_NEEDS,
    attached_on: dt.date | None = None,
    framework: str = TF,
    actor=None,
) -> Attachment:
    """Attach a (new) case's family with evidence for each need."""
    case = case or open_case(world)
    return services.attach_family(
        actor=actor or case.key_worker,
        case_id=case.pk,
        needs={code: f"Evidence for {code}" for code in needs},
        attached_on=attached_on or today() - dt.timedelta(days=300),
        framework_code=framework,
    )


def sustain(
    attachment: Attachment,
    *,
    needs=None,
    progress_on: dt.date | None = None,
    months: int = 6,
    actor=None,
) -> dt.date:
    """Progress on each need 10 days after the attachment, sustained ``months`` later;
    the day it was sustained."""
    actor = actor or attachment.case.key_worker
    progress_on = progress_on or attachment.attached_on + dt.timedelta(days=10)
    sustained_on = add_months(progress_on, months)
    codes = needs or [n.need.code for n in attachment.needs.select_related("need")]
    for code in codes:
        services.record_progress(
            actor=actor,
            attachment_id=attachment.pk,
            need_code=code,
            recorded_on=progress_on,
            status="progress",
            evidence=f"Progress on {code}",
        )
        services.record_progress(
            actor=actor,
            attachment_id=attachment.pk,
            need_code=code,
            recorded_on=sustained_on,
            status="sustained",
            evidence=f"Sustained on {code}",
        )
    return sustained_on
