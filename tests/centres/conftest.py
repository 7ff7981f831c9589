"""Fixtures for the centres tests: the shipped Lancashire configuration and centres, and
a small programme (one centre of each offer) with staff of each role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.centres.models import (
    Centre,
    GroupProgramme,
    GroupRun,
    Offer,
    OfferRequirement,
    OpeningTime,
    ProgrammeKind,
    Room,
    SessionType,
)
from earlyhelp.configuration.models import District, Locality
from earlyhelp.workforce.models import Team
from tests.factories import make_staff

LANCASHIRE = Path(settings.BASE_DIR) / "configuration" / "lancashire.yaml"


@pytest.fixture
def lancashire(db):
    """The shipped service configuration and centres file, loaded as `make run` does."""
    call_command("load_configuration", str(LANCASHIRE), stdout=StringIO())
    call_command("load_centres", stdout=StringIO())


@dataclass
class Programme:
    district: District
    other_district: District
    team: Team
    other_team: Team
    enhanced: Centre
    core: Centre
    hall: Room
    small_room: Room
    parenting: GroupProgramme
    manager: User
    other_manager: User
    head: User
    outreach: User
    outreach_2: User
    key_worker: User
    talkzone: User


def _offer(code: str, rows: dict[str, tuple[int, int, int, int, int]]) -> Offer:
    offer = Offer.objects.create(code=code, name=f"{code.title()} offer")
    for session_type, (sessions, g6, a, b, dsw) in rows.items():
        OfferRequirement.objects.create(
            offer=offer, session_type=session_type, sessions_per_week=sessions,
            grade_6=g6, outreach_a=a, outreach_b=b, delivery_support=dsw,
        )  # fmt: skip
    return offer


def build_programme() -> Programme:
    """Two districts in two localities; an enhanced centre and a core one in the first."""
    locality = Locality.objects.create(code="central", name="Central")
    other_locality = Locality.objects.create(code="east", name="East")
    district = District.objects.create(code="preston", name="Preston", locality=locality)
    other = District.objects.create(code="burnley", name="Burnley", locality=other_locality)
    enhanced = _offer(
        "enhanced",
        {
            SessionType.WEEKDAY_DAYTIME: (8, 1, 2, 0, 1),
            SessionType.TWILIGHT: (2, 1, 2, 0, 0),
            SessionType.EVENING_WEEKEND: (2, 1, 0, 2, 0),
        },
    )
    core = _offer(
        "core",
        {
            SessionType.WEEKDAY_DAYTIME: (5, 1, 2, 0, 1),
            SessionType.TWILIGHT: (1, 1, 2, 0, 0),
            SessionType.EVENING_WEEKEND: (1, 1, 0, 2, 0),
        },
    )
    centres = []
    for code, offer, closes in (("ribbleton", enhanced, 21), ("fishwick", core, 17)):
        centre = Centre.objects.create(
            code=code, name=f"{code.title()} Neighbourhood Centre", address_line_1="1 Mill Lane",
            town="Preston", postcode="PR1 4AB", district=district, offer=offer,
        )  # fmt: skip
        for weekday in range(5):
            OpeningTime.objects.create(
                centre=centre, weekday=weekday, opens_at=dt.time(9), closes_at=dt.time(closes)
            )
        centres.append(centre)
    hall = Room.objects.create(centre=centres[0], name="Main hall", capacity=30)
    small = Room.objects.create(centre=centres[0], name="Quiet room", capacity=6)
    parenting = GroupProgramme.objects.create(
        code="positive-parenting", name="Positive parenting", kind=ProgrammeKind.TARGETED,
        theme="Parenting", min_age=18, number_of_sessions=4, completion_sessions=3,
    )  # fmt: skip
    team = Team.objects.create(name="Preston team", district=district)
    other_team = Team.objects.create(name="Burnley team", district=other)
    manager = make_staff(Role.OPERATIONS_DELIVERY_LEADER, team=team)
    team.manager = manager
    team.save()
    return Programme(
        district=district,
        other_district=other,
        team=team,
        other_team=other_team,
        enhanced=centres[0],
        core=centres[1],
        hall=hall,
        small_room=small,
        parenting=parenting,
        manager=manager,
        other_manager=make_staff(Role.OPERATIONS_DELIVERY_LEADER, team=other_team),
        head=make_staff(Role.HEAD_OF_SERVICE, team=None),
        outreach=make_staff(Role.OUTREACH_WORKER, team=team),
        outreach_2=make_staff(Role.OUTREACH_WORKER, team=team),
        key_worker=make_staff(Role.KEY_WORKER, team=team),
        talkzone=make_staff(Role.TALKZONE_WORKER, team=None),
    )


@pytest.fixture
def programme(db) -> Programme:
    return build_programme()


def make_run(p: Programme, *, starts_on: dt.date, actor=None) -> GroupRun:
    from earlyhelp.centres.services import create_group_run

    return create_group_run(
        actor=actor or p.manager,
        centre_id=p.enhanced.pk,
        programme_id=p.parenting.pk,
        starts_on=starts_on,
        starts_at=dt.time(10),
        ends_at=dt.time(12),
    )
