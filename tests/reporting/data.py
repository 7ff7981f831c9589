"""A small hand-built data set with known dashboard answers for 2026Q2 (1 April to 30
June 2026; Good Friday 3 April, Easter Monday 6 April, 4 May and 25 May are bank
holidays). Timescales: allocation 5 working days, initial visit 7, reviews every 6 weeks.

Preston team (the world's team), key worker's cases:
- A: received Thu 2 Apr, allocated Thu 9 Apr: 3 working days (5 without Easter); visited
  Wed 15 Apr: 4 days. Level 2, L2A, plan from 20 Apr, review 28 May (on time). Family
  FA had case A0, closed 3 Apr 2025: A is a re-referral just inside 12 months.
- B: received Fri 24 Apr, allocated Tue 5 May: 6 working days (late; 4 May a holiday);
  visited Thu 14 May: 7 days (on time). Level 2, L2B, plan from 1 Mar, review 1 Jun
  (late). Stepped up: an escalation with a referral to Children's Social Care, 20 May.
- C: received Mon 1 Jun, allocated Tue 2 Jun: 1 day; visited Fri 12 Jun: 8 days (late).
  Closed 20 Jun, needs met. Family FC had case C0, closed 1 Jun 2025: exactly 12 months,
  so C is not a re-referral.
Lancaster team (other worker):
- D: received Mon 11 May, allocated Mon 18 May: 5 days (on time); never visited, due
  28 May (25 May a holiday): late by 15 July. Not yet decided.
- E: a request by the step-down route received 10 Apr and returned for consent that day.

Requests received in the quarter: A, B, C, D, E (5); acknowledged: A, B (2).
Talkzone: 3 contacts in hours, 1 out of hours in the quarter (Preston), 1 in hours in
March (outside). Group sessions in the quarter at a Preston centre: 3 planned, 2 with
the register taken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from earlyhelp.cases.models import Case, Escalation, Review
from earlyhelp.centres.models import Centre, GroupProgramme, GroupRun, GroupSession, Offer
from earlyhelp.configuration.models import CaseType
from earlyhelp.outreach.models import TalkzoneContact, TalkzoneTopic
from earlyhelp.referrals import services as rfs
from earlyhelp.referrals.models import RequestForSupport, Route
from tests.casework import World, submit

D = dt.date
TODAY = D(2026, 7, 15)
Q_FROM, Q_TO = D(2026, 4, 1), D(2026, 6, 30)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@dataclass
class ReportingData:
    a: Case
    b: Case
    c: Case
    d: Case
    a0: Case
    c0: Case
    e: RequestForSupport


def _case(
    world: World,
    *,
    received: dt.date,
    allocated: dt.date,
    worker=None,
    family=None,
    acknowledged: bool = False,
) -> Case:
    worker = worker or world.key_worker
    request = submit(world, postcode="LA1 1AA" if worker == world.other_worker else "PR1 2AB")
    case = rfs.allocate_request(
        actor=world.manager if worker != world.other_worker else world.other_manager,
        request_id=request.pk,
        key_worker_id=worker.pk,
        reason="Has capacity",
    )
    if family is not None:
        Case.objects.filter(pk=case.pk).update(family=family)
        RequestForSupport.objects.filter(pk=request.pk).update(family=family)
    RequestForSupport.objects.filter(pk=request.pk).update(
        received_at=at(received),
        first_received_at=at(received),
        acknowledged_at=at(received, 11) if acknowledged else None,
        returned_at=None,
        team=case.team,
    )
    Case.objects.filter(pk=case.pk).update(allocated_at=at(allocated, 14))
    case.refresh_from_db()
    return case


def build_reporting_data(world: World) -> ReportingData:
    l2a = CaseType.objects.get(code="L2A")
    l2b = CaseType.objects.get(code="L2B")
    a = _case(world, received=D(2026, 4, 2), allocated=D(2026, 4, 9), acknowledged=True)
    b = _case(world, received=D(2026, 4, 24), allocated=D(2026, 5, 5), acknowledged=True)
    c = _case(world, received=D(2026, 6, 1), allocated=D(2026, 6, 2))
    d = _case(world, received=D(2026, 5, 11), allocated=D(2026, 5, 18), worker=world.other_worker)
    a0 = _case(world, received=D(2025, 1, 6), allocated=D(2025, 1, 8), family=a.family)
    c0 = _case(world, received=D(2025, 2, 2), allocated=D(2025, 2, 4), family=c.family)
    Case.objects.filter(pk=a0.pk).update(
        status="closed", closed_on=D(2025, 4, 3), closure_reason="needs_met"
    )
    Case.objects.filter(pk=c0.pk).update(
        status="closed", closed_on=D(2025, 6, 1), closure_reason="needs_met"
    )
    Case.objects.filter(pk=a.pk).update(
        initial_visit_on=D(2026, 4, 15),
        level="2",
        case_type=l2a,
        status="planning",
        plan_started_on=D(2026, 4, 20),
    )
    Case.objects.filter(pk=b.pk).update(
        initial_visit_on=D(2026, 5, 14),
        level="2",
        case_type=l2b,
        status="planning",
        plan_started_on=D(2026, 3, 1),
    )
    Case.objects.filter(pk=c.pk).update(
        initial_visit_on=D(2026, 6, 12),
        status="closed",
        closed_on=D(2026, 6, 20),
        closure_reason="needs_met",
    )
    for case, held in ((a, D(2026, 5, 28)), (b, D(2026, 6, 1)), (a, D(2026, 7, 10))):
        Review.objects.create(
            case=case,
            held_on=held,
            progress={},
            summary="Review",
            outcome="continue",
            recorded_by=world.key_worker,
        )
    Escalation.objects.create(
        case=b,
        discussed_with=world.manager,
        discussion="Risk increasing",
        csc_referral_made=True,
        wpehs_future_role="Support alongside",
        recorded_by=world.key_worker,
        recorded_at=at(D(2026, 5, 20)),
    )
    e = submit(world)
    RequestForSupport.objects.filter(pk=e.pk).update(
        route=Route.STEP_DOWN,
        received_at=at(D(2026, 4, 10)),
        first_received_at=at(D(2026, 4, 10)),
        returned_at=at(D(2026, 4, 10), 12),
        acknowledged_at=None,
        status="returned_for_consent",
        team=world.other_team,
    )
    # Every other request made by the helpers is dated before the quarter.
    topic = TalkzoneTopic.objects.create(code="friends", name="Friends")
    for day, in_hours in (
        (D(2026, 4, 7), True),
        (D(2026, 5, 7), True),
        (D(2026, 6, 30), True),
        (D(2026, 6, 13), False),
        (D(2026, 3, 31), True),
    ):
        TalkzoneContact.objects.create(
            channel="phone",
            occurred_at=at(day, 19 if not in_hours else 15),
            in_hours=in_hours,
            topic=topic,
            outcome="advice",
            district=world.district,
            summary="Talked about friends",
            recorded_by=world.manager,
        )
    centre = Centre.objects.create(
        code="preston-cc",
        offer=Offer.objects.create(code="core", name="Core offer"),
        name="Preston Children's Centre",
        address_line_1="1 Centre Road",
        town="Preston",
        postcode="PR1 3AA",
        district=world.district,
    )
    programme = GroupProgramme.objects.create(
        code="baby-massage",
        name="Baby massage",
        kind=GroupProgramme._meta.get_field("kind").choices[0][0],
        theme="Bonding",
        number_of_sessions=4,
        completion_sessions=3,
    )
    run = GroupRun.objects.create(
        programme=programme,
        centre=centre,
        starts_on=D(2026, 6, 1),
        starts_at=dt.time(10),
        ends_at=dt.time(11),
        created_by=world.manager,
    )
    for number, (day, taken) in enumerate(
        (
            (D(2026, 6, 1), True),
            (D(2026, 6, 8), True),
            (D(2026, 6, 15), False),
            (D(2026, 7, 6), True),
        ),
        start=1,
    ):
        GroupSession.objects.create(
            run=run,
            number=number,
            date=day,
            starts_at=dt.time(10),
            ends_at=dt.time(11),
            register_taken_at=at(day, 11) if taken else None,
            register_taken_by=world.manager if taken else None,
        )
    return ReportingData(a=a, b=b, c=c, d=d, a0=a0, c0=c0, e=e)


def build_more_cases(world: World, count: int) -> list[Case]:
    """More cases allocated in the quarter, visited, reviewed and some closed, for the
    query-count tests."""
    l2a = CaseType.objects.get(code="L2A")
    made = []
    for n in range(count):
        case = _case(world, received=D(2026, 5, 4 + n % 3), allocated=D(2026, 5, 12))
        Case.objects.filter(pk=case.pk).update(
            initial_visit_on=D(2026, 5, 14),
            level="2",
            case_type=l2a,
            plan_started_on=D(2026, 5, 15),
        )
        Review.objects.create(
            case=case,
            held_on=D(2026, 6, 20),
            progress={},
            summary="Review",
            outcome="continue",
            recorded_by=world.key_worker,
        )
        if n % 2:
            Case.objects.filter(pk=case.pk).update(
                status="closed", closed_on=D(2026, 6, 25), closure_reason="signposted"
            )
        made.append(case)
    return made
