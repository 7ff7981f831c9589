"""Cases in the API: every step from the initial visit to closure."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from earlyhelp.audit.services import record_view
from earlyhelp.cases import selectors, services
from earlyhelp.cases.models import Case, SafeguardingNote
from earlyhelp.core.pagination import Page, paginate

router = Router(tags=["Cases"])


def _source(request) -> str:
    return f"API {request.method} {request.path}"


class ContactIn(Schema):
    occurred_at: dt.datetime
    contact_type: str = Field(
        description="home_visit, centre, community_venue, phone, video, taf_meeting or group"
    )
    duration_minutes: int
    notes: str
    attendee_ids: list[int] = []
    other_attendees: str = ""
    referrer_attended: bool = False


class AssessmentIn(Schema):
    expected_version: int | None = Field(
        None, description="The version you read; a stale one is refused with 409"
    )
    child_development_strengths: str | None = None
    child_development_needs: str | None = None
    parenting_capacity_strengths: str | None = None
    parenting_capacity_needs: str | None = None
    family_environment_strengths: str | None = None
    family_environment_needs: str | None = None
    voice_of_child: str | None = None
    voice_of_parents: str | None = None
    wider_family: str | None = None
    tfu_criteria: list[int] | None = None
    worklessness_identified: bool | None = None


class CaseConsentIn(Schema):
    given: bool
    expected_version: int | None = Field(
        None, description="The assessment's version you read; a stale one is refused with 409"
    )


class DecisionTextIn(Schema):
    decision: str
    expected_version: int | None = Field(
        None, description="The assessment's version you read; a stale one is refused with 409"
    )


class EmploymentAdvisorIn(Schema):
    outcome: str = Field(description="made or declined")
    note: str = ""
    expected_version: int | None = Field(
        None, description="The assessment's version you read; a stale one is refused with 409"
    )


class StarIn(Schema):
    kind: str = Field(description="baseline, review or closure")
    taken_on: dt.date
    scores: dict[str, int]
    star_code: str | None = None


class EscalationIn(Schema):
    discussed_with_id: int
    discussion: str
    csc_referral_made: bool
    csc_reference: str = ""
    wpehs_future_role: str


class CaseDecisionIn(Schema):
    level: str = Field(description="1, 2 or 3-4")
    case_type_code: str = Field(description="L3, L2A, L2B or L2-L1")
    rationale: str
    signposted_services: str = ""
    lead_professional_id: int | None = None
    lead_professional_name: str = ""
    lead_professional_agency: str = ""
    plan_starts_on: dt.date | None = None
    escalation: EscalationIn | None = None


class ActionIn(Schema):
    what: str
    who: str
    by_when: dt.date
    success_measure: str
    outcome_number: int | None = None


class TafIn(Schema):
    scheduled_for: dt.datetime
    venue: str
    agency_ids: list[int]


class ProgressIn(Schema):
    status: str = Field(description="not_started, in_progress, achieved or not_achieved")
    note: str = ""


class ReviewIn(Schema):
    held_on: dt.date
    progress: dict[int, ProgressIn] = Field(description="Progress per action id")
    summary: str
    outcome: str = Field(description="continue, extend, step_up, step_down or close")
    star_scores: dict[str, int] | None = None


class ClosureIn(Schema):
    reason: str = Field(description="needs_met, stepped_up, moved_away, disengaged or other")
    notes: str = ""
    star_scores: dict[str, int] | None = None


class ConcernIn(Schema):
    concern: str


class OutcomeIn(Schema):
    outcome: str


class SafeguardingNoteIn(Schema):
    occurred_at: dt.datetime = Field(description="When it happened: now or in the past")
    text: str
    category: str = Field(
        "",
        description=("Optional: disclosure, concern_raised, strategy_discussion or csc_referral"),
    )
    corrects_id: int | None = Field(
        None, description="The earlier note of this case that this note corrects"
    )


class CaseSummaryOut(Schema):
    id: int
    urn: str
    status: str
    family_id: int
    family_name: str
    key_worker: str
    case_type: str | None
    allocated_at: dt.datetime
    initial_visit_due_by: dt.date
    initial_visit_on: dt.date | None
    next_review_due_by: dt.date | None
    safeguarding_flag: bool
    contacts: int


class ContactOut(Schema):
    id: int
    occurred_at: dt.datetime
    contact_type: str
    duration_minutes: int
    referrer_attended: bool
    notes: str
    attendee_ids: list[int]
    recorded_by: str


class ActionOut(Schema):
    id: int
    what: str
    who: str
    by_when: dt.date
    success_measure: str
    status: str


class StarReadingOut(Schema):
    id: int
    kind: str
    taken_on: dt.date
    star: str
    scores: dict[str, int]


class ReviewOut(Schema):
    id: int
    held_on: dt.date
    outcome: str
    summary: str
    star_reading_id: int | None


class ConcernOut(Schema):
    id: int
    raised_at: dt.datetime
    raised_by: str
    is_open: bool
    details_restricted: bool = Field(
        description=(
            "True when the reader may not see the concern and its outcome: they are left "
            "out (null). Readers are the case's key worker, their line management, the "
            "DSOs covering the case and whoever raised the concern."
        )
    )
    concern: str | None
    outcome: str | None
    outcome_recorded_at: dt.datetime | None


class SafeguardingNoteOut(Schema):
    id: int
    occurred_at: dt.datetime
    category: str
    text: str
    author: str
    recorded_at: dt.datetime
    corrects_id: int | None


class CaseApprovalOut(Schema):
    id: int
    kind: str
    status: str
    approver: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None
    comments: str


class AssessmentOut(Schema):
    version: int
    consent: str
    worklessness_identified: bool
    employment_advisor_contact: str
    completed_at: dt.datetime | None
    consent_refusal_decision: str
    tfu_criteria: list[int]
    blockers: list[str]


class MessageOut(Schema):
    id: int
    kind: str
    to: str
    subject: str
    status: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


class CaseOut(CaseSummaryOut):
    request_id: int
    team: str
    is_re_referral: bool
    level: str
    lead_professional_name: str
    lead_professional_agency: str
    plan_started_on: dt.date | None
    last_reviewed_on: dt.date | None
    caf_submitted_at: dt.datetime | None
    closure_reason: str
    closed_on: dt.date | None
    version: int
    assessment: AssessmentOut
    contact_list: list[ContactOut]
    actions: list[ActionOut]
    star_readings: list[StarReadingOut]
    reviews: list[ReviewOut]
    safeguarding_concerns: list[ConcernOut]
    approvals: list[CaseApprovalOut]
    messages: list[MessageOut]


class ChronologyOut(Schema):
    occurred_at: dt.datetime
    actor: str
    code: str
    summary: str


def _summary(case: Case) -> CaseSummaryOut:
    return CaseSummaryOut(
        id=case.pk,
        urn=case.urn,
        status=case.status,
        family_id=case.family_id,
        family_name=case.family.name,
        key_worker=str(case.key_worker),
        case_type=case.case_type.code if case.case_type_id else None,
        allocated_at=case.allocated_at,
        initial_visit_due_by=case.initial_visit_due_by,
        initial_visit_on=case.initial_visit_on,
        next_review_due_by=case.next_review_due_by,
        safeguarding_flag=case.safeguarding_flag,
        contacts=getattr(case, "contact_count", 0),
    )


def _concern_out(concern, *, readable: bool) -> ConcernOut:
    return ConcernOut(
        id=concern.pk,
        raised_at=concern.raised_at,
        raised_by=str(concern.raised_by),
        is_open=concern.is_open,
        details_restricted=not readable,
        concern=concern.concern if readable else None,
        outcome=concern.outcome if readable else None,
        outcome_recorded_at=concern.outcome_recorded_at,
    )


def _detail(request, case_id: int) -> CaseOut:
    case = selectors.access_case(user=request.auth, case_id=case_id, source=_source(request))
    texts = selectors.safeguarding_texts_for(user=request.auth, case=case, source=_source(request))
    assessment = case.assessment
    summary = _summary(case).dict()
    summary["contacts"] = len(case.contacts.all())
    return CaseOut(
        **summary,
        request_id=case.request_id,
        team=case.team.name,
        is_re_referral=case.is_re_referral,
        level=case.level,
        lead_professional_name=case.lead_professional_name,
        lead_professional_agency=case.lead_professional_agency,
        plan_started_on=case.plan_started_on,
        last_reviewed_on=case.last_reviewed_on,
        caf_submitted_at=case.caf_submitted_at,
        closure_reason=case.closure_reason,
        closed_on=case.closed_on,
        version=case.version,
        assessment=AssessmentOut(
            version=assessment.version,
            consent=assessment.consent,
            worklessness_identified=assessment.worklessness_identified,
            employment_advisor_contact=assessment.employment_advisor_contact,
            completed_at=assessment.completed_at,
            consent_refusal_decision=assessment.consent_refusal_decision,
            tfu_criteria=[c.number for c in assessment.tfu_criteria.all()],
            blockers=services.assessment_blockers(assessment, case)
            if assessment.completed_at is None
            else [],
        ),
        contact_list=[
            ContactOut(
                id=c.pk,
                occurred_at=c.occurred_at,
                contact_type=c.contact_type,
                duration_minutes=c.duration_minutes,
                referrer_attended=c.referrer_attended,
                notes=c.notes,
                attendee_ids=[p.pk for p in c.attendees.all()],
                recorded_by=str(c.recorded_by),
            )
            for c in case.contacts.all()
        ],
        actions=[
            ActionOut(
                id=a.pk,
                what=a.what,
                who=a.who,
                by_when=a.by_when,
                success_measure=a.success_measure,
                status=a.status,
            )
            for a in case.actions.all()
        ],
        star_readings=[
            StarReadingOut(
                id=r.pk, kind=r.kind, taken_on=r.taken_on, star=r.star.code, scores=r.scores
            )
            for r in case.star_readings.all()
        ],
        reviews=[
            ReviewOut(
                id=r.pk,
                held_on=r.held_on,
                outcome=r.outcome,
                summary=r.summary,
                star_reading_id=r.star_reading_id,
            )
            for r in case.reviews.all()
        ],
        safeguarding_concerns=[
            _concern_out(c, readable=texts.concern(c)) for c in case.safeguarding_concerns.all()
        ],
        approvals=[
            CaseApprovalOut(
                id=a.pk,
                kind=a.kind,
                status=a.status,
                approver=str(a.approver),
                requested_at=a.requested_at,
                decided_at=a.decided_at,
                comments=a.comments,
            )
            for a in case.approvals.all()
        ],
        messages=[
            MessageOut(
                id=m.pk,
                kind=m.kind,
                to=m.to,
                subject=m.subject,
                status=m.status,
                created_at=m.created_at,
                sent_at=m.sent_at,
            )
            for m in case.messages.all()
        ],
    )


@router.get("", response=Page[CaseSummaryOut], summary="My caseload")
def my_caseload(request, include_closed: bool = False, page: int = 1):
    """The signed-in worker's cases, initial visit deadline first."""
    cases = selectors.caseload_for(user=request.auth, include_closed=include_closed)
    return paginate(cases, page, _summary)


@router.get("/{case_id}", response=CaseOut, summary="One case")
def get_case(request, case_id: int):
    return _detail(request, case_id)


@router.get("/{case_id}/chronology", response=list[ChronologyOut], summary="Chronology")
def chronology(request, case_id: int):
    """Every significant event of the case in date order."""
    case = selectors.access_case(user=request.auth, case_id=case_id, source=_source(request))
    return [
        ChronologyOut(**entry.__dict__)
        for entry in selectors.case_chronology(case=case, user=request.auth)
    ]


@router.post("/{case_id}/contacts", response={201: CaseOut}, summary="Record a contact")
def record_contact(request, case_id: int, payload: ContactIn):
    services.record_contact(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.patch("/{case_id}/assessment", response=CaseOut, summary="Save the CAF draft")
def update_assessment(request, case_id: int, payload: AssessmentIn):
    data = payload.dict()
    services.update_assessment(
        actor=request.auth,
        case_id=case_id,
        expected_version=data.pop("expected_version"),
        tfu_criteria=data.pop("tfu_criteria"),
        worklessness_identified=data.pop("worklessness_identified"),
        fields={k: v for k, v in data.items() if v is not None},
        source=_source(request),
    )
    return _detail(request, case_id)


@router.post("/{case_id}/assessment/consent", response=CaseOut, summary="CAF consent")
def record_caf_consent(request, case_id: int, payload: CaseConsentIn):
    """Refused consent goes to the line manager as a task."""
    services.record_caf_consent(
        actor=request.auth,
        case_id=case_id,
        given=payload.given,
        expected_version=payload.expected_version,
        source=_source(request),
    )
    return _detail(request, case_id)


@router.post(
    "/{case_id}/assessment/consent-refusal-decision",
    response=CaseOut,
    summary="Line manager's decision on refused consent",
)
def record_consent_refusal_decision(request, case_id: int, payload: DecisionTextIn):
    services.record_consent_refusal_decision(
        actor=request.auth,
        case_id=case_id,
        decision=payload.decision,
        expected_version=payload.expected_version,
        source=_source(request),
    )
    return _detail(request, case_id)


@router.post(
    "/{case_id}/assessment/employment-advisor",
    response=CaseOut,
    summary="Employment Advisor contact made or declined",
)
def record_employment_advisor(request, case_id: int, payload: EmploymentAdvisorIn):
    services.record_employment_advisor_contact(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.post("/{case_id}/assessment/complete", response=CaseOut, summary="Complete the CAF")
def complete_assessment(request, case_id: int):
    services.complete_assessment(actor=request.auth, case_id=case_id, source=_source(request))
    return _detail(request, case_id)


@router.post("/{case_id}/stars", response={201: CaseOut}, summary="Record an Outcomes Star")
def record_star(request, case_id: int, payload: StarIn):
    services.record_star_reading(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.post("/{case_id}/decision", response=CaseOut, summary="Record the decision")
def record_decision(request, case_id: int, payload: CaseDecisionIn):
    """Level 1, 2 or 3-4, with the case type and the rationale. 409 when the assessment
    is not complete."""
    data = payload.dict()
    escalation = data.pop("escalation")
    services.record_decision(
        actor=request.auth,
        case_id=case_id,
        escalation=escalation,
        source=_source(request),
        **data,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/actions", response={201: CaseOut}, summary="Add a plan action")
def add_action(request, case_id: int, payload: ActionIn):
    services.add_plan_action(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.post("/{case_id}/taf-meetings", response={201: CaseOut}, summary="Schedule a TAF")
def schedule_taf(request, case_id: int, payload: TafIn):
    services.schedule_taf_meeting(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.post("/{case_id}/submit-caf", response=CaseOut, summary="Submit the CAF/TAF")
def submit_caf(request, case_id: int):
    services.submit_caf(actor=request.auth, case_id=case_id, source=_source(request))
    return _detail(request, case_id)


@router.post("/{case_id}/reviews", response={201: CaseOut}, summary="Record a review")
def record_review(request, case_id: int, payload: ReviewIn):
    data = payload.dict()
    services.record_review(
        actor=request.auth,
        case_id=case_id,
        held_on=data["held_on"],
        progress=data["progress"],
        summary=data["summary"],
        outcome=data["outcome"],
        star_scores=data["star_scores"],
        source=_source(request),
    )
    return _detail(request, case_id)


@router.post("/{case_id}/closure", response=CaseOut, summary="Request closure")
def request_closure(request, case_id: int, payload: ClosureIn):
    """Asks the line manager to agree; 409 when the case is not at a stage to close."""
    services.request_closure(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return _detail(request, case_id)


@router.post("/{case_id}/safeguarding", response={201: CaseOut}, summary="Child needs protection")
def raise_concern(request, case_id: int, payload: ConcernIn):
    """Flags the case and alerts the DSOs and the line manager at once."""
    services.raise_safeguarding_concern(
        actor=request.auth, case_id=case_id, concern=payload.concern, source=_source(request)
    )
    return _detail(request, case_id)


@router.post(
    "/safeguarding/{concern_id}/outcome", response=ConcernOut, summary="DSO records outcome"
)
def record_concern_outcome(request, concern_id: int, payload: OutcomeIn):
    """Only a designated safeguarding officer; the concern and outcome text come back
    only to a DSO covering the case (``details_restricted`` otherwise)."""
    concern = services.record_safeguarding_outcome(
        actor=request.auth,
        concern_id=concern_id,
        outcome=payload.outcome,
        source=_source(request),
    )
    readable = selectors.can_read_safeguarding_concern(user=request.auth, concern=concern)
    if readable:
        record_view(
            actor=request.auth,
            instance=concern.case,
            source=_source(request),
            code="safeguarding_details.viewed",
        )
    return _concern_out(concern, readable=readable)


def _note_out(note: SafeguardingNote) -> SafeguardingNoteOut:
    return SafeguardingNoteOut(
        id=note.pk,
        occurred_at=note.occurred_at,
        category=note.category,
        text=note.text,
        author=str(note.author),
        recorded_at=note.recorded_at,
        corrects_id=note.corrects_id,
    )


@router.get(
    "/{case_id}/safeguarding-notes",
    response=list[SafeguardingNoteOut],
    summary="Safeguarding notes (restricted)",
)
def list_safeguarding_notes(request, case_id: int):
    """The case's safeguarding notes, newest first, for its key worker, their line
    management and the DSOs covering the case; 403 for anyone else. Reading is audited."""
    _case, notes = selectors.access_safeguarding_notes(
        user=request.auth, case_id=case_id, source=_source(request)
    )
    return [_note_out(note) for note in notes]


@router.post(
    "/{case_id}/safeguarding-notes",
    response={201: SafeguardingNoteOut},
    summary="Add a safeguarding note (restricted)",
)
def add_safeguarding_note(request, case_id: int, payload: SafeguardingNoteIn):
    """Notes are never changed: to correct one, add a note with ``corrects_id``."""
    note = services.record_safeguarding_note(
        actor=request.auth, case_id=case_id, source=_source(request), **payload.dict()
    )
    return Status(201, _note_out(note))
