"""Troubled Families / Supporting Families in the API: frameworks, attaching a family,
progress and employment, where families stand, programme progress, the claims report
for a window with its CSV and XLSX, and making a claim. Errors are problem+json."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.claims import exports, selectors, services
from earlyhelp.claims.models import Attachment, ClaimFramework
from earlyhelp.core.pagination import Page, paginate
from earlyhelp.domain.claims import ClaimAssessment

router = Router(tags=["Family outcomes claims"])


def _source(request) -> str:
    return f"API {request.method} {request.path}"


def _require_claims_pages(request) -> None:
    if not request.auth.has_perm("claims.view_claims"):
        record_denied(
            actor=request.auth, object_type="claims.claim", object_id="", source=_source(request)
        )
        raise PermissionDenied("Only managers and the head of service see claims.")


def _framework(code: str | None) -> ClaimFramework:
    framework = selectors.framework_by_code(code)
    if framework is None:
        raise Http404("No framework with that code." if code else "No framework is loaded.")
    return framework


# ---------------------------------------------------------------- schemas


class NeedOut(Schema):
    code: str
    title: str
    headline_code: str
    headline_title: str
    evidence_hint: str
    tfu_criterion: int | None
    offered: bool = Field(description="False when the framework file no longer has it")


class FrameworkOut(Schema):
    code: str
    name: str
    version: str
    active: bool
    starts_on: dt.date | None
    min_needs: int
    min_headlines: int
    sustain_months: int
    sustain_from: str = Field(description="progress or closure")
    employment_weeks_required: int | None = Field(
        description="None: no continuous-employment route"
    )
    employment_within_weeks: int | None
    jsa_weeks_required: int | None
    jsa_within_weeks: int | None
    needs: list[NeedOut]


class NeedEvidenceIn(Schema):
    code: str = Field(description="A need code of the framework")
    evidence: str


class AttachIn(Schema):
    case_id: int
    attached_on: dt.date
    needs: list[NeedEvidenceIn]
    framework_code: str | None = Field(None, description="The active framework if omitted")
    notes: str = ""


class ClaimProgressIn(Schema):
    need_code: str
    recorded_on: dt.date
    status: str = Field(description="progress, sustained or regressed")
    evidence: str


class EmploymentIn(Schema):
    person_id: int
    started_on: dt.date
    ended_on: dt.date | None = None
    was_on_jsa: bool = False
    evidence: str


class EndEmploymentIn(Schema):
    ended_on: dt.date


class ClaimIn(Schema):
    window_start: dt.date
    window_end: dt.date


class ProgressEntryOut(Schema):
    id: int
    recorded_on: dt.date
    status: str
    evidence: str
    recorded_by: str


class NeedStandingOut(Schema):
    code: str
    title: str
    headline: str
    identified_evidence: str
    state: str = Field(description="none, progress, sustained or regressed")
    progress_on: dt.date | None
    sustain_until: dt.date | None
    sustained_on: dt.date | None
    regressed_on: dt.date | None
    progress: list[ProgressEntryOut]


class EmploymentOut(Schema):
    id: int
    person_id: int
    person: str
    started_on: dt.date
    ended_on: dt.date | None
    was_on_jsa: bool
    evidence: str


class ClaimOut(Schema):
    id: int
    attachment_id: int
    family_id: int
    framework: str
    route: str
    due_on: dt.date
    window_start: dt.date
    window_end: dt.date
    claimed_at: dt.datetime
    claimed_by: str
    evidence: dict


class AttachmentSummaryOut(Schema):
    id: int
    family_id: int
    family_name: str
    case_id: int
    case_urn: str
    framework: str
    attached_on: dt.date
    needs: list[str]
    state: str = Field(description="identified, progress, claimable or claimed")
    route: str | None = Field(description="progress or employment when a claim is due")
    due_on: dt.date | None


class AttachmentOut(AttachmentSummaryOut):
    recorded_by: str
    notes: str
    reasons: list[str]
    employment_due_on: dt.date | None
    need_standing: list[NeedStandingOut]
    employment: list[EmploymentOut]
    claim: ClaimOut | None


class CandidateOut(Schema):
    case_id: int
    case_urn: str
    family_id: int
    family_name: str
    key_worker: str
    suggested_needs: list[str]


class DueNeedOut(Schema):
    code: str
    title: str
    headline: str
    identified_evidence: str
    progress_on: dt.date | None
    sustained_on: dt.date | None
    evidence: list[str] = Field(description="The progress's and the sustained record's")


class DueOut(Schema):
    attachment_id: int
    family_id: int
    family_name: str
    case_urn: str
    route: str
    due_on: dt.date
    needs: list[DueNeedOut]


class ClaimsReportOut(Schema):
    framework: str
    start: dt.date
    end: dt.date
    due_by_progress: list[DueOut]
    due_by_employment: list[DueOut]
    due_earlier: list[DueOut]
    claimed: list[ClaimOut]


class FiguresOut(Schema):
    key: str
    label: str
    attached: int
    attached_in_period: int
    possibly_eligible: int
    with_progress: int
    claimable: int
    claimed: int
    claimed_in_period: int


class ProgrammeProgressOut(Schema):
    framework: str | None
    start: dt.date | None
    end: dt.date
    group_by: str
    rows: list[FiguresOut]
    total: FiguresOut


# ---------------------------------------------------------------- conversions


def _framework_out(row: ClaimFramework) -> FrameworkOut:
    return FrameworkOut(
        code=row.code,
        name=row.name,
        version=row.version,
        active=row.is_active,
        starts_on=row.starts_on,
        min_needs=row.min_needs,
        min_headlines=row.min_headlines,
        sustain_months=row.sustain_months,
        sustain_from=row.sustain_from,
        employment_weeks_required=row.employment_weeks_required,
        employment_within_weeks=row.employment_within_weeks,
        jsa_weeks_required=row.jsa_weeks_required,
        jsa_within_weeks=row.jsa_within_weeks,
        needs=[
            NeedOut(
                code=n.code,
                title=n.title,
                headline_code=n.headline_code,
                headline_title=n.headline_title,
                evidence_hint=n.evidence_hint,
                tfu_criterion=n.tfu_criterion_number,
                offered=n.is_current,
            )
            for n in row.needs.all()
        ],
    )


def _needs_out(attachment: Attachment, assessment: ClaimAssessment) -> list[NeedStandingOut]:
    return [
        NeedStandingOut(
            code=identified.need.code,
            title=identified.need.title,
            headline=identified.need.headline_title,
            identified_evidence=identified.evidence,
            state=outcome.state,
            progress_on=outcome.progress_on,
            sustain_until=outcome.sustain_until,
            sustained_on=outcome.sustained_on,
            regressed_on=outcome.regressed_on,
            progress=[
                ProgressEntryOut(
                    id=p.pk,
                    recorded_on=p.recorded_on,
                    status=p.status,
                    evidence=p.evidence,
                    recorded_by=str(p.recorded_by),
                )
                for p in identified.progress.all()
            ],
        )
        for identified, outcome in zip(attachment.needs.all(), assessment.needs, strict=True)
    ]


def _claim_out(claim) -> ClaimOut:
    return ClaimOut(
        id=claim.pk,
        attachment_id=claim.attachment_id,
        family_id=claim.family_id,
        framework=claim.framework.code,
        route=claim.route,
        due_on=claim.due_on,
        window_start=claim.window_start,
        window_end=claim.window_end,
        claimed_at=claim.claimed_at,
        claimed_by=str(claim.claimed_by),
        evidence=claim.evidence,
    )


def _summary(row: selectors.AttachmentRow) -> AttachmentSummaryOut:
    attachment, assessment = row.attachment, row.assessment
    return AttachmentSummaryOut(
        id=attachment.pk,
        family_id=attachment.family_id,
        family_name=attachment.family.name,
        case_id=attachment.case_id,
        case_urn=attachment.case.urn,
        framework=attachment.framework.code,
        attached_on=attachment.attached_on,
        needs=[identified.need.code for identified in attachment.needs.all()],
        state=row.state,
        route=assessment.route,
        due_on=assessment.due_on,
    )


def _detail(request, attachment_id: int) -> AttachmentOut:
    attachment = selectors.access_attachment(
        user=request.auth, attachment_id=attachment_id, source=_source(request)
    )
    as_of = timezone.localdate()
    assessment = selectors.assess(attachment, as_of=as_of)
    row = selectors.AttachmentRow(
        attachment, assessment, selectors.state_of(attachment, assessment, as_of)
    )
    claim = getattr(attachment, "claim", None)
    return AttachmentOut(
        **_summary(row).dict(),
        recorded_by=str(attachment.recorded_by),
        notes=attachment.notes,
        reasons=list(assessment.reasons),
        employment_due_on=assessment.employment_due_on,
        need_standing=_needs_out(attachment, assessment),
        employment=[
            EmploymentOut(
                id=e.pk,
                person_id=e.person_id,
                person=str(e.person),
                started_on=e.started_on,
                ended_on=e.ended_on,
                was_on_jsa=e.was_on_jsa,
                evidence=e.evidence,
            )
            for e in attachment.employment.all()
        ],
        claim=_claim_out(claim) if claim is not None else None,
    )


def _due_out(row: selectors.AttachmentRow) -> DueOut:
    return DueOut(
        attachment_id=row.attachment.pk,
        family_id=row.attachment.family_id,
        family_name=row.attachment.family.name,
        case_urn=row.attachment.case.urn,
        route=row.assessment.route,
        due_on=row.assessment.due_on,
        needs=[
            DueNeedOut(
                code=identified.need.code,
                title=identified.need.title,
                headline=identified.need.headline_title,
                identified_evidence=identified.evidence,
                progress_on=outcome.progress_on,
                sustained_on=outcome.sustained_on,
                evidence=list(outcome.evidence),
            )
            for identified, outcome in zip(
                row.attachment.needs.all(), row.assessment.needs, strict=True
            )
        ],
    )


# ---------------------------------------------------------------- endpoints


@router.get("/frameworks", response=list[FrameworkOut], summary="Claim frameworks")
def list_frameworks(request):
    """Every loaded framework with its rules and needs, the active one first."""
    return [_framework_out(row) for row in selectors.frameworks()]


@router.get("/attachments", response=Page[AttachmentSummaryOut], summary="Attached families")
def list_attachments(
    request,
    framework: str | None = None,
    state: str | None = Query(None, description="identified, progress, claimable or claimed"),
    locality_id: int | None = None,
    district_id: int | None = None,
    team_id: int | None = None,
    page: int = 1,
):
    """The framework's attached families that you may see, with where each stands
    today, optionally in one state and one locality, district (the family's) or team
    (the case's): the families behind a programme progress figure. Managers and the
    head of service."""
    _require_claims_pages(request)
    if state is not None and state not in selectors.STATE_LABELS:
        raise ValidationError({"state": ["Choose identified, progress, claimable or claimed"]})
    found = selectors.attachment_rows(
        user=request.auth,
        framework=_framework(framework),
        state=state,
        locality_id=locality_id,
        district_id=district_id,
        team_id=team_id,
    )
    result = paginate(found, page, lambda standing: standing)
    result["items"] = [_summary(row) for row in selectors.rows_for(result["items"])]
    return result


@router.post("/attachments", response={201: AttachmentOut}, summary="Attach a family")
def attach_family(request, payload: AttachIn):
    """Attach the case's family to a framework with the needs identified and their
    evidence. An ineligible family is refused (422, rule ``claims_not_eligible``) with
    the reason; a family is attached once per framework (409)."""
    attachment = services.attach_family(
        actor=request.auth,
        case_id=payload.case_id,
        needs={n.code: n.evidence for n in payload.needs},
        attached_on=payload.attached_on,
        framework_code=payload.framework_code,
        notes=payload.notes,
        source=_source(request),
    )
    return Status(201, _detail(request, attachment.pk))


@router.get("/attachments/{attachment_id}", response=AttachmentOut, summary="One attached family")
def get_attachment(request, attachment_id: int):
    """The family's needs with their progress, employment, where the claim stands
    today, and the claim if made."""
    return _detail(request, attachment_id)


@router.post(
    "/attachments/{attachment_id}/progress",
    response={201: AttachmentOut},
    summary="Record progress on a need",
)
def record_progress(request, attachment_id: int, payload: ClaimProgressIn):
    """Progress made, sustained or regressed on one identified need, with evidence.
    The case's key worker and their managers."""
    services.record_progress(
        actor=request.auth, attachment_id=attachment_id, source=_source(request), **payload.dict()
    )
    return Status(201, _detail(request, attachment_id))


@router.post(
    "/attachments/{attachment_id}/employment",
    response={201: AttachmentOut},
    summary="Record a spell of work",
)
def record_employment(request, attachment_id: int, payload: EmploymentIn):
    """A spell of work of an adult of the family, for continuous employment (409 where
    the framework has no such route)."""
    services.record_employment(
        actor=request.auth, attachment_id=attachment_id, source=_source(request), **payload.dict()
    )
    return Status(201, _detail(request, attachment_id))


@router.post(
    "/attachments/{attachment_id}/employment/{episode_id}/end",
    response=AttachmentOut,
    summary="Record the end of a spell of work",
)
def end_employment(request, attachment_id: int, episode_id: int, payload: EndEmploymentIn):
    services.end_employment(
        actor=request.auth,
        attachment_id=attachment_id,
        episode_id=episode_id,
        ended_on=payload.ended_on,
        source=_source(request),
    )
    return _detail(request, attachment_id)


@router.post("/attachments/{attachment_id}/claim", response={201: ClaimOut}, summary="Make a claim")
def make_claim(request, attachment_id: int, payload: ClaimIn):
    """Claim for the family in a window: due by the window's last day (409
    ``claims_not_due`` otherwise), never twice under one framework (409
    ``claims_already_claimed``). Managers and the head of service."""
    claim = services.make_claim(
        actor=request.auth,
        attachment_id=attachment_id,
        window_start=payload.window_start,
        window_end=payload.window_end,
        source=_source(request),
    )
    return Status(201, _claim_out(claim))


@router.get("/eligible", response=Page[CandidateOut], summary="Families who look eligible")
def list_candidates(request, framework: str | None = None, page: int = 1):
    """Open cases, not attached, whose assessment's TFU criteria would make the family
    eligible."""
    _require_claims_pages(request)
    candidates = selectors.possibly_eligible(user=request.auth, framework=_framework(framework))
    return paginate(
        candidates,
        page,
        lambda c: CandidateOut(
            case_id=c.case.pk,
            case_urn=c.case.urn,
            family_id=c.case.family_id,
            family_name=c.case.family.name,
            key_worker=str(c.case.key_worker),
            suggested_needs=[n.code for n in c.needs],
        ),
    )


def _window(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    default = selectors.default_window()
    start, end = start or default[0], end or default[1]
    if end < start:
        raise ValidationError({"end": ["The window must end on or after its start"]})
    return start, end


@router.get("/report", response=ClaimsReportOut, summary="Claims report for a window")
def claims_report(
    request,
    framework: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    """Families whose claim became due in the window (``start`` to ``end``; the
    financial quarter so far by default), by route, with the evidence per need; those
    due earlier and not yet claimed; and the claims made in the window."""
    _require_claims_pages(request)
    start, end = _window(start, end)
    report = selectors.claim_window_report(
        user=request.auth, framework=_framework(framework), start=start, end=end
    )
    return ClaimsReportOut(
        framework=report.framework.code,
        start=report.start,
        end=report.end,
        due_by_progress=[_due_out(r) for r in report.due_by_progress],
        due_by_employment=[_due_out(r) for r in report.due_by_employment],
        due_earlier=[_due_out(r) for r in report.due_earlier],
        claimed=[_claim_out(c) for c in report.claimed],
    )


@router.get(
    "/report/export",
    summary="Claims report as CSV or XLSX",
    response={200: bytes},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The report file",
                "content": {
                    exports.CSV_CONTENT_TYPE.split(";")[0]: {},
                    exports.XLSX_CONTENT_TYPE: {},
                },
            }
        }
    },
)
def export_report(
    request,
    format: str = Query("csv", description="csv or xlsx"),
    framework: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    """The claims report as a file: CSV (one row per family) or XLSX (Summary, Families
    and Evidence sheets). The export is on the audit log."""
    _require_claims_pages(request)
    if format not in exports.FORMATS:
        raise ValidationError({"format": ["Choose csv or xlsx"]})
    start, end = _window(start, end)
    row = _framework(framework)
    report = selectors.claim_window_report(user=request.auth, framework=row, start=start, end=end)
    record_view(
        actor=request.auth,
        instance=row,
        source=f"{_source(request)}?{request.GET.urlencode()}",
        code="claims.report_exported",
    )
    if format == "csv":
        response = HttpResponse(exports.report_csv(report), content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.report_xlsx(report), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(report, format)}"'
    return response


@router.get("/progress", response=ProgrammeProgressOut, summary="Programme progress")
def programme_progress(
    request,
    framework: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    locality_id: int | None = None,
    district_id: int | None = None,
    team_id: int | None = None,
    group_by: str = Query("locality", description="locality, district or team"),
):
    """Families attached, looking eligible, with progress, with a claim due and claimed,
    by locality, district or team, for the families you may see."""
    _require_claims_pages(request)
    if group_by not in selectors.GROUPINGS:
        raise ValidationError({"group_by": ["Choose locality, district or team"]})
    result = selectors.programme_progress(
        user=request.auth,
        framework=_framework(framework),
        start=start,
        end=end,
        locality_id=locality_id,
        district_id=district_id,
        team_id=team_id,
        group_by=group_by,
    )
    return ProgrammeProgressOut(
        framework=result.framework.code if result.framework else None,
        start=result.start,
        end=result.end,
        group_by=result.group_by,
        rows=[FiguresOut(**vars(row)) for row in result.rows],
        total=FiguresOut(**vars(result.total)),
    )
