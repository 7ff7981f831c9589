"""One world for the authorisation matrix: the casework world (tests/casework.py) widened
with a second team in the district, a district elsewhere in the locality, the staff
roles it lacks (a senior practitioner, an outreach worker, a quality review officer, a
Talkzone worker and a system administrator, so that every role is a subject), and one
record of each kind the URLs name, twice over: an "own" record held by the Preston team
(team A) and a "foreign" one held by the Lancaster team, in another district of another
locality.

Subjects and how they stand to the own records:

| subject               | who                                                          |
| --------------------- | ------------------------------------------------------------ |
| key_worker            | the case's allocated key worker (own case), team A           |
| team_worker           | another key worker in team A (own team)                       |
| senior_practitioner   | senior practitioner in team A, line managed by its manager    |
| business_support      | business support officer in team A                           |
| outreach_worker       | neighbourhood outreach worker in team A (as seed_demo places  |
|                       | them), line managed by its manager                           |
| district_worker       | key worker in team B, the other team in Preston               |
| locality_worker       | key worker in Chorley, another district of the same locality  |
| other_locality_worker | key worker in Lancaster (another locality): the foreign case's |
| team_manager          | team A's manager, the key worker's line manager               |
| locality_manager      | Central's locality manager, the team manager's line manager   |
| dso                   | designated safeguarding officer                               |
| qro                   | quality review officer: no team, line managed by the head     |
| talkzone_worker       | Talkzone worker: no team (Talkzone is county-wide), line      |
|                       | managed by the head                                           |
| head                  | head of service                                               |
| sysadmin              | system administrator                                          |
| anonymous             | signed out                                                    |
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.allocation.models import AllocationProposal
from earlyhelp.approvals.models import Approval
from earlyhelp.cases.models import SafeguardingConcern
from earlyhelp.centres.models import (
    Centre,
    GroupProgramme,
    GroupRun,
    GroupSession,
    Offer,
    ProgrammeKind,
    ProgrammeSession,
    RotaEntry,
    SessionType,
)
from earlyhelp.claims.models import Attachment, ClaimFramework, EmploymentEpisode
from earlyhelp.configuration.models import District
from earlyhelp.outreach import services as outreach_services
from earlyhelp.outreach.models import (
    OutreachSession,
    TalkzoneContact,
    TalkzoneShift,
    TalkzoneTopic,
)
from earlyhelp.planning.models import PlanningScenario
from earlyhelp.referrals import services as rfs
from earlyhelp.reporting.models import GeneratedReport
from earlyhelp.workforce.models import Absence, Team
from tests.casework import build_world, submit
from tests.factories import make_staff

SUBJECTS = (
    "key_worker",
    "team_worker",
    "senior_practitioner",
    "business_support",
    "outreach_worker",
    "district_worker",
    "locality_worker",
    "other_locality_worker",
    "team_manager",
    "locality_manager",
    "dso",
    "qro",
    "talkzone_worker",
    "head",
    "sysadmin",
    "anonymous",
)


@dataclass
class SecurityWorld:
    users: dict[str, object]
    # record kind -> {"own": id, "foreign": id}; kinds with one record have "own" only.
    records: dict[str, dict[str, int | str]] = field(default_factory=dict)

    def record(self, kind: str, variant: str) -> int | str:
        ids = self.records[kind]
        return ids.get(variant, ids["own"])


def _request_in(world, *, postcode: str):
    return submit(world, postcode=postcode)


def _case_for(world, *, postcode: str, manager, worker):
    request = _request_in(world, postcode=postcode)
    return rfs.allocate_request(
        actor=manager, request_id=request.pk, key_worker_id=worker.pk, reason="Has capacity"
    )


def build_security_world() -> SecurityWorld:
    """The casework world plus the subjects and records of the matrix (see module doc)."""
    w = build_world()
    outreach_services.load_outreach_lists(source="tests")
    # Team B: the second team in Preston (requests go to the district's first team, A).
    team_b = Team.objects.create(name="Preston East Family Support", district=w.district)
    district_worker = make_staff(Role.KEY_WORKER, team=team_b)
    chorley = District.objects.create(
        code="chorley", name="Chorley", locality=w.district.locality, postcode_districts=["PR7"]
    )
    team_c = Team.objects.create(name="Chorley Family Support", district=chorley)
    locality_worker = make_staff(Role.KEY_WORKER, team=team_c)
    sysadmin = make_staff(Role.SYSTEM_ADMINISTRATOR, team=None)
    # Placed as seed_demo places them: senior practitioners and outreach workers in a
    # district's team under its leader; quality review officers and Talkzone workers in
    # no team, under the head of service.
    senior_practitioner = make_staff(Role.SENIOR_PRACTITIONER, team=w.team, line_manager=w.manager)
    outreach_worker = make_staff(Role.OUTREACH_WORKER, team=w.team, line_manager=w.manager)
    qro = make_staff(Role.QUALITY_REVIEW_OFFICER, team=None, line_manager=w.head)
    talkzone_worker = make_staff(Role.TALKZONE_WORKER, team=None, line_manager=w.head)

    users = {
        "key_worker": w.key_worker,
        "team_worker": w.second_worker,
        "senior_practitioner": senior_practitioner,
        "business_support": w.business_support,
        "outreach_worker": outreach_worker,
        "district_worker": district_worker,
        "locality_worker": locality_worker,
        "other_locality_worker": w.other_worker,
        "team_manager": w.manager,
        "locality_manager": w.locality_manager,
        "dso": w.dso,
        "qro": qro,
        "talkzone_worker": talkzone_worker,
        "head": w.head,
        "sysadmin": sysadmin,
        "anonymous": None,
    }
    sw = SecurityWorld(users=users)
    records = sw.records

    own_case = _case_for(w, postcode="PR1 2AB", manager=w.manager, worker=w.key_worker)
    foreign_case = _case_for(w, postcode="LA1 1AA", manager=w.other_manager, worker=w.other_worker)
    records["case"] = {"own": own_case.pk, "foreign": foreign_case.pk}
    records["family"] = {"own": own_case.family_id, "foreign": foreign_case.family_id}
    own_person = own_case.family.members.order_by("pk").first().pk
    foreign_person = foreign_case.family.members.order_by("pk").first().pk
    records["person"] = {"own": own_person, "foreign": foreign_person}

    own_request = _request_in(w, postcode="PR1 2AB")
    foreign_request = _request_in(w, postcode="LA1 1AA")
    records["request"] = {"own": own_request.pk, "foreign": foreign_request.pk}

    now = timezone.now()
    today = timezone.localdate()
    concerns = {}
    for variant, case in (("own", own_case), ("foreign", foreign_case)):
        concern = SafeguardingConcern.objects.create(
            case=case, raised_by=case.key_worker, raised_at=now, concern="Bruising", outcome=""
        )
        concerns[variant] = concern.pk
    records["concern"] = concerns

    records["team"] = {"own": w.team.pk, "foreign": w.other_team.pk}
    records["district"] = {"own": w.district.pk, "foreign": w.other_district.pk}
    records["user"] = {"own": w.key_worker.pk, "foreign": w.other_worker.pk}
    records["staff"] = {"own": w.key_worker.staff.pk, "foreign": w.other_worker.staff.pk}
    absences = {}
    for variant, worker in (("own", w.key_worker), ("foreign", w.other_worker)):
        absence = Absence.objects.create(
            worker=worker.staff,
            kind="annual_leave",
            start_date=today + dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=31),
            note="Holiday",
            recorded_by=worker,
            recorded_at=now,
        )
        absences[variant] = absence.pk
    records["absence"] = absences

    proposals = {}
    for variant, team, creator in (
        ("own", w.team, w.manager),
        ("foreign", w.other_team, w.other_manager),
    ):
        proposal = AllocationProposal.objects.create(
            team=team, district=team.district, created_by=creator, created_at=now
        )
        proposals[variant] = proposal.pk
    records["proposal"] = proposals

    approvals = {}
    for variant, case, approver in (
        ("own", own_case, w.manager),
        ("foreign", foreign_case, w.other_manager),
    ):
        approval = Approval.objects.create(
            kind="case_closure",
            case=case,
            requested_by=case.key_worker,
            requested_at=now,
            request_note="Needs met",
            approver=approver,
            comments="",
        )
        approvals[variant] = approval.pk
    records["approval"] = approvals

    programme = GroupProgramme.objects.create(
        code="positive-parenting",
        name="Positive parenting",
        kind=ProgrammeKind.TARGETED,
        theme="Parenting",
        min_age=18,
        number_of_sessions=4,
        completion_sessions=3,
        facilitator_requirements="",
    )
    records["programme"] = {"own": programme.pk}
    offer = Offer.objects.create(code="core", name="Core offer", description="")
    centres, sessions, runs, group_sessions = {}, {}, {}, {}
    for variant, district, town in (
        ("own", w.district, "Preston"),
        ("foreign", w.other_district, "Lancaster"),
    ):
        centre = Centre.objects.create(
            code=f"{variant}-centre",
            name=f"{town} Neighbourhood Centre",
            address_line_1="1 Mill Lane",
            address_line_2="",
            town=town,
            postcode="PR1 4AB" if variant == "own" else "LA1 4AB",
            district=district,
            offer=offer,
        )
        centres[variant] = centre.pk
        session = ProgrammeSession.objects.create(
            centre=centre,
            weekday=1,
            starts_at=dt.time(10),
            ends_at=dt.time(12),
            session_type=SessionType.WEEKDAY_DAYTIME,
            title="Stay and play",
        )
        sessions[variant] = session.pk
        RotaEntry.objects.create(session=session, staff=w.key_worker.staff, post="grade_6")
        run = GroupRun.objects.create(
            programme=programme,
            centre=centre,
            partner_venue="",
            starts_on=today - dt.timedelta(days=7),
            starts_at=dt.time(10),
            ends_at=dt.time(12),
            created_by=w.manager,
        )
        runs[variant] = run.pk
        group_session = GroupSession.objects.create(
            run=run, number=1, date=today - dt.timedelta(days=7), starts_at=dt.time(10),
            ends_at=dt.time(12),
        )  # fmt: skip
        group_sessions[variant] = group_session.pk
    records["centre"] = centres
    records["centre_session"] = sessions
    records["rota_staff"] = {"own": w.key_worker.staff.pk}
    records["run"] = runs
    records["group_session"] = group_sessions

    outreach = {}
    for variant, district in (("own", w.district), ("foreign", w.other_district)):
        session = OutreachSession.objects.create(
            kind="detached",
            district=district,
            area="Moor Park",
            venue_type="street",
            venue_name="",
            starts_at=now - dt.timedelta(days=1, hours=2),
            ends_at=now - dt.timedelta(days=1),
            notes="",
            recorded_by=w.manager if variant == "own" else w.other_manager,
        )
        outreach[variant] = session.pk
    records["outreach_session"] = outreach

    topic = TalkzoneTopic.objects.order_by("pk").first()
    contact = TalkzoneContact.objects.create(
        channel="webtalk",
        occurred_at=now - dt.timedelta(days=1),
        in_hours=True,
        topic=topic,
        outcome="advice",
        summary="Being picked on at school",
        recorded_by=w.head,
    )
    records["contact"] = {"own": contact.pk}
    shift = TalkzoneShift.objects.create(
        worker=w.key_worker.staff,
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=4),
        created_by=w.head,
    )
    records["shift"] = {"own": shift.pk}

    scenario = PlanningScenario.objects.create(
        name="Locality plan",
        description="",
        inputs={},
        owner=w.locality_manager,
    )
    records["scenario"] = {"own": scenario.pk}
    second = PlanningScenario.objects.create(
        name="County plan", description="", inputs={}, owner=w.head
    )
    records["second_scenario"] = {"own": second.pk}

    framework = ClaimFramework.objects.create(
        code="tfu",
        name="Troubled Families",
        version="1",
        min_needs=2,
        min_headlines=1,
        sustain_months=6,
        sustain_from="progress",
        is_active=True,
    )
    attachments, episodes = {}, {}
    for variant, case in (("own", own_case), ("foreign", foreign_case)):
        attachment = Attachment.objects.create(
            family=case.family,
            framework=framework,
            case=case,
            attached_on=today,
            notes="",
            recorded_by=case.key_worker,
        )
        attachments[variant] = attachment.pk
        person = case.family.members.order_by("pk").first()
        episodes[variant] = EmploymentEpisode.objects.create(
            attachment=attachment,
            person=person,
            started_on=today - dt.timedelta(days=10),
            evidence="Payslip",
            recorded_by=case.key_worker,
        ).pk
    records["attachment"] = attachments
    records["episode"] = episodes

    report = GeneratedReport(
        locality=w.district.locality,
        quarter="2026Q2",
        format="pdf",
        generated_at=now,
        generated_by=w.head,
        size=4,
    )
    report.file.save("security-matrix-report.pdf", ContentFile(b"%PDF"), save=True)
    records["report"] = {"own": report.pk}

    from earlyhelp.privacy.models import RetentionReview

    review = RetentionReview.objects.create(
        family=own_case.family,
        subject_family_id=own_case.family_id,
        destroy_after=today,
        rule="closed-case",
        decision="erase",
        reason="Past its retention date",
        status="proposed",
        # Proposed by someone else, so either data-protection subject may approve it.
        decided_by=make_staff(Role.HEAD_OF_SERVICE, team=None),
        decided_at=now,
    )
    records["review"] = {"own": review.pk}
    return sw
