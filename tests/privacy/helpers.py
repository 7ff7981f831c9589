"""A family with records in every corner of the service, for the data-protection tests:
an assessed case (contact, consent, assessment, Star), a safeguarding note, a Talkzone
contact, a group register, an outreach session, and a third party in the family."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from earlyhelp.cases.models import Case, SafeguardingNote
from earlyhelp.cases.models import Status as CaseStatus
from earlyhelp.centres.models import (
    Attendance,
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    Offer,
    Participant,
    ProgrammeKind,
)
from earlyhelp.outreach.models import (
    OutreachSession,
    SessionKind,
    TalkzoneContact,
    TalkzoneTopic,
    VenueType,
)
from earlyhelp.people.models import FamilyMember, Person, Relationship
from tests.casework import World, assessed_case

PARTNER_FIRST, PARTNER_LAST = "Quentin", "Zebedee"


@dataclass
class Household:
    case: Case
    parent: Person
    child: Person
    partner: Person


def household(world: World) -> Household:
    """The Testfamily: Sam (parent, the subject of most tests), Alex (child) and Quentin
    Zebedee, mum's partner, a third party named in the notes."""
    case = assessed_case(world)
    family = case.family
    parent = family.members.get(first_name="Sam")
    child = family.members.get(first_name="Alex")
    partner = Person.objects.create(
        first_name=PARTNER_FIRST, last_name=PARTNER_LAST, date_of_birth=dt.date(1985, 1, 1)
    )
    FamilyMember.objects.create(
        family=family, person=partner, relationship=Relationship.OTHER_ADULT
    )
    contact = case.contacts.first()
    contact.notes = f"Visit with Sam and {PARTNER_FIRST} {PARTNER_LAST}; Alex asleep"
    contact.save()
    contact.attendees.set([parent, partner])
    now = timezone.now()
    SafeguardingNote.objects.create(
        case=case,
        occurred_at=now,
        text=f"{PARTNER_FIRST} shouted at Sam",
        author=world.dso,
        recorded_at=now,
    )
    topic = TalkzoneTopic.objects.create(code="family", name="Family")
    TalkzoneContact.objects.create(
        channel="phone",
        occurred_at=now,
        in_hours=True,
        topic=topic,
        outcome="advice",
        person=parent,
        summary="Sam rang about routines",
        recorded_by=world.key_worker,
    )
    offer = Offer.objects.create(code="core", name="Core")
    centre = Centre.objects.create(
        code="mill",
        name="Mill Centre",
        address_line_1="1 Mill Lane",
        town="Preston",
        postcode="PR1 4AB",
        district=world.district,
        offer=offer,
    )
    programme = GroupProgramme.objects.create(
        code="parenting",
        name="Positive parenting",
        kind=ProgrammeKind.TARGETED,
        theme="Parenting",
        min_age=18,
        number_of_sessions=4,
        completion_sessions=3,
    )
    run = GroupRun.objects.create(
        programme=programme,
        centre=centre,
        starts_on=dt.date(2026, 1, 5),
        starts_at=dt.time(10),
        ends_at=dt.time(12),
        created_by=world.manager,
    )
    session = GroupSession.objects.create(
        run=run, number=1, date=dt.date(2026, 1, 5), starts_at=dt.time(10), ends_at=dt.time(12)
    )
    Participant.objects.create(
        run=run, person=parent, consent_recorded_at=now, enrolled_by=world.manager
    )
    Attendance.objects.create(session=session, person=parent)
    outreach = OutreachSession.objects.create(
        kind=SessionKind.OUTREACH,
        district=world.district,
        area="Avenham",
        venue_type=VenueType.STREET,
        starts_at=now - dt.timedelta(hours=2),
        ends_at=now - dt.timedelta(hours=1),
        recorded_by=world.key_worker,
    )
    outreach.workers.set([world.key_worker.staff])
    outreach.people_met.set([parent, partner])
    return Household(case=case, parent=parent, child=child, partner=partner)


def close_long_ago(case: Case, *, closed_on: dt.date) -> None:
    """Close a case on a past date (the closing journey itself is tested in cases)."""
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_on=closed_on)
