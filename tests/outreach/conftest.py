"""An outreach world: the casework world (tests/casework.py), the outreach lists loaded,
an outreach worker and a second one in the Preston team, a Talkzone worker and a family
the team holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.outreach import services
from earlyhelp.people.models import Family, Person
from tests.casework import World, build_world
from tests.factories import FamilyFactory, FamilyMemberFactory, PersonFactory, make_staff


@dataclass
class OutreachWorld:
    world: World
    outreach_worker: object
    second_outreach_worker: object
    talkzone_worker: object
    second_talkzone_worker: object
    family: Family
    young_person: Person
    other_family_person: Person


def build_outreach_world() -> OutreachWorld:
    world = build_world()
    services.load_outreach_lists(source="tests")
    outreach_worker = make_staff(Role.OUTREACH_WORKER, team=world.team, line_manager=world.manager)
    second = make_staff(Role.OUTREACH_WORKER, team=world.team, line_manager=world.manager)
    talkzone_worker = make_staff(Role.TALKZONE_WORKER, team=None, line_manager=world.head)
    second_talkzone = make_staff(Role.TALKZONE_WORKER, team=None, line_manager=world.head)
    family = FamilyFactory(name="Testfamily", district=world.district, team=world.team)
    young_person = PersonFactory(
        first_name="Jo", last_name="Testfamily", date_of_birth=dt.date(2010, 5, 1)
    )
    FamilyMemberFactory(family=family, person=young_person)
    other_family = FamilyFactory(district=world.other_district, team=world.other_team)
    other_person = PersonFactory(date_of_birth=dt.date(2011, 1, 1))
    FamilyMemberFactory(family=other_family, person=other_person)
    return OutreachWorld(
        world=world,
        outreach_worker=outreach_worker,
        second_outreach_worker=second,
        talkzone_worker=talkzone_worker,
        second_talkzone_worker=second_talkzone,
        family=family,
        young_person=young_person,
        other_family_person=other_person,
    )


@pytest.fixture
def ow(db) -> OutreachWorld:
    return build_outreach_world()


def yesterday_at(hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def session_input(ow: OutreachWorld, **changes) -> services.SessionInput:
    values = {
        "kind": "detached",
        "district_id": ow.world.district.pk,
        "area": "Moor Park",
        "venue_type": "street",
        "starts_at": yesterday_at(18),
        "ends_at": yesterday_at(20),
        "worker_ids": (ow.outreach_worker.staff.pk,),
        "contact_counts": {"11-15": 6, "16-19": 3},
        "issue_codes": ("anti-social-behaviour", "substance-use"),
        "follow_ups": 2,
    }
    values.update(changes)
    return services.SessionInput(**values)


def contact_input(**changes) -> services.ContactInput:
    values = {
        "channel": "webtalk",
        "occurred_at": yesterday_at(15),
        "topic_code": "bullying",
        "outcome": "advice",
        "summary": "Being picked on at school; talked through who to tell.",
    }
    values.update(changes)
    return services.ContactInput(**values)
