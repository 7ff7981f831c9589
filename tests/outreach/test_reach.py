"""Reach: unique families and young people across casework, groups, outreach and
Talkzone. A person reached several ways is one person; a family is reached once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from earlyhelp.centres.models import (
    Attendance,
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    Offer,
    ProgrammeKind,
)
from earlyhelp.outreach import services
from earlyhelp.outreach.reach import reach_report
from earlyhelp.referrals import services as rfs
from tests.factories import FamilyMemberFactory, PersonFactory
from tests.outreach.conftest import contact_input, session_input

TODAY = timezone.localdate


def open_case_for(ow, family):
    """A Request for Support for an existing family, naming its young person, allocated."""
    request = rfs.submit_request(
        actor=ow.world.business_support,
        route="agency",
        received_at=timezone.now() - dt.timedelta(hours=2),
        referrer=rfs.ReferrerInput(name="Pat Referrer"),
        members=[
            rfs.MemberInput(
                key="yp", person_id=ow.young_person.pk, relationship="child", is_subject=True
            )
        ],
        consents=[rfs.ConsentInput("yp", "share_information", True, "yp")],
        needs=rfs.NeedsInput(presenting_needs="Isolated", target_groups=("neglect",)),
        caf=rfs.CafInput(),
        family_id=family.pk,
    )
    return rfs.allocate_request(
        actor=ow.world.manager, request_id=request.pk, key_worker_id=ow.world.key_worker.pk
    )


def attend_group(ow, person, *, on: dt.date | None = None) -> Centre:
    """Named attendance at a group session at a centre in the world's district."""
    offer, _ = Offer.objects.get_or_create(code="core", defaults={"name": "Core"})
    centre, _ = Centre.objects.get_or_create(
        code="ribbleton",
        defaults={
            "name": "Ribbleton Neighbourhood Centre",
            "address_line_1": "1 Mill Lane",
            "town": "Preston",
            "postcode": "PR1 4AB",
            "district": ow.world.district,
            "offer": offer,
        },
    )
    programme, _ = GroupProgramme.objects.get_or_create(
        code="youth-club",
        defaults={
            "name": "Youth club",
            "kind": ProgrammeKind.TARGETED,
            "theme": "Wellbeing",
            "number_of_sessions": 6,
            "completion_sessions": 4,
        },
    )
    day = on or TODAY() - dt.timedelta(days=3)
    run = GroupRun.objects.create(
        programme=programme,
        centre=centre,
        starts_on=day,
        starts_at=dt.time(17),
        ends_at=dt.time(19),
        created_by=ow.world.manager,
    )
    session = GroupSession.objects.create(
        run=run, number=1, date=day, starts_at=dt.time(17), ends_at=dt.time(19)
    )
    Attendance.objects.create(session=session, person=person)
    return centre


def _report(**kwargs):
    return reach_report(since=TODAY() - dt.timedelta(days=30), until=TODAY(), **kwargs)


def _source(report, label):
    return next(row.counts for row in report.by_source if row.label == label)


def test_a_young_person_in_casework_and_a_group_is_counted_once(ow):
    open_case_for(ow, ow.family)
    attend_group(ow, ow.young_person)

    report = _report()

    assert _source(report, "Casework").young_people == 1
    assert _source(report, "Group programmes").young_people == 1
    assert report.total.young_people == 1
    assert report.total.families == 1
    assert report.groups_included is True
    assert [(row.label, row.counts.young_people) for row in report.by_centre] == [
        ("Ribbleton Neighbourhood Centre", 1)
    ]


def test_a_young_person_in_casework_and_talkzone_is_counted_once(ow):
    open_case_for(ow, ow.family)
    services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=ow.young_person.pk)
    )

    report = _report()

    assert _source(report, "Talkzone").young_people == 1
    assert report.total.young_people == 1
    assert report.total.people == 1
    assert [(row.label, row.counts.young_people) for row in report.by_district] == [("Preston", 1)]


def test_casework_reaches_the_whole_family_and_counts_only_its_young_people_as_such(ow):
    parent = PersonFactory(date_of_birth=dt.date(1985, 1, 1))
    FamilyMemberFactory(family=ow.family, person=parent, relationship="parent")
    open_case_for(ow, ow.family)

    report = _report()

    assert report.total.people == 2
    assert report.total.young_people == 1
    assert report.total.families == 1


def test_two_young_people_of_one_family_are_two_young_people_and_one_family(ow):
    sibling = PersonFactory(date_of_birth=dt.date(2012, 1, 1))
    FamilyMemberFactory(family=ow.family, person=sibling)
    services.record_outreach_session(
        actor=ow.outreach_worker,
        data=session_input(ow, people_met_ids=(ow.young_person.pk, sibling.pk)),
    )
    services.record_talkzone_contact(
        actor=ow.world.manager, data=contact_input(person_id=sibling.pk)
    )

    report = _report()

    assert report.total.young_people == 2
    assert report.total.families == 1
    assert _source(report, "Outreach and detached").young_people == 2


def test_a_merged_duplicate_counts_as_the_record_it_was_merged_into(ow):
    duplicate = PersonFactory(date_of_birth=ow.young_person.date_of_birth)
    FamilyMemberFactory(family=ow.family, person=duplicate)
    attend_group(ow, duplicate)
    duplicate.merged_into = ow.young_person
    duplicate.save()
    open_case_for(ow, ow.family)

    report = _report()

    # The case reaches the family's members: the young person (and the merged duplicate's
    # membership), all one person.
    assert report.total.young_people == 1


def test_reach_by_target_group_follows_the_familys_requests(ow):
    open_case_for(ow, ow.family)

    report = _report()

    groups = {row.label: row.counts.young_people for row in report.by_target_group}
    assert groups == {"Experiencing neglect": 1, "Workless": 0}


def test_reach_by_priority_neighbourhood_and_anonymous_contacts_are_apart(ow):
    services.record_outreach_session(
        actor=ow.outreach_worker,
        data=session_input(ow, people_met_ids=(ow.young_person.pk,), priority_neighbourhood=True),
    )
    services.record_talkzone_contact(actor=ow.talkzone_worker, data=contact_input())

    report = _report()

    priority = {row.label: (row.counts.young_people, row.detail) for row in report.by_priority}
    assert priority == {"Priority neighbourhoods": (1, "9"), "Other neighbourhoods": (0, "0")}
    assert report.anonymous_outreach_contacts == 9
    assert report.anonymous_talkzone_contacts == 1
    assert report.total.people == 1


def test_the_district_filter_and_the_period_leave_out_others(ow):
    open_case_for(ow, ow.family)
    attend_group(ow, ow.young_person, on=TODAY() - dt.timedelta(days=60))

    elsewhere = _report(district_id=ow.world.other_district.pk)
    here = _report(district_id=ow.world.district.pk)
    groups_only_earlier = reach_report(
        since=TODAY() - dt.timedelta(days=90), until=TODAY() - dt.timedelta(days=45)
    )

    assert elsewhere.total.people == 0
    assert here.total.young_people == 1
    assert _source(here, "Group programmes").people == 0
    assert _source(groups_only_earlier, "Group programmes").young_people == 1
