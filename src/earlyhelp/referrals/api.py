"""Requests for Support in the API: receive, match, resubmit, withdraw, queue, allocate."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema

from earlyhelp.core.pagination import Page, paginate
from earlyhelp.referrals import selectors, services
from earlyhelp.referrals.models import RequestForSupport

router = Router(tags=["Requests for Support"])


class ReferrerIn(Schema):
    name: str
    organisation: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""


class RequestAddressIn(Schema):
    family_name: str = ""
    address_line_1: str
    address_line_2: str = ""
    town: str = ""
    postcode: str


class MemberIn(Schema):
    key: str = Field(description="Your name for this member within the request, e.g. 'm1'")
    person_id: int | None = Field(None, description="An existing person, after matching")
    confirmed_new: bool = Field(False, description="A new person despite possible matches")
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = "not_known"
    relationship: str = "child"
    is_subject: bool = True
    is_parent_or_carer: bool = False
    preferred_language: str = "English"
    interpreter_needed: bool = False
    has_send: bool = False
    school_or_setting: str = ""


class ConsentIn(Schema):
    member_key: str = Field(description="Whose consent (a member key, or a person id on resubmit)")
    purpose: str = Field(description="share_information, assessment or referral_on")
    given: bool
    given_by_key: str = Field(description="Who decided: the member, or a parent or carer")


class CafIn(Schema):
    exists: bool = False
    urn: str = ""
    lead_professional: str = ""
    lead_professional_email: str = ""


class RequestIn(Schema):
    route: str = Field(description="agency, self, tfu, step_down, mash or partnership")
    received_at: dt.datetime
    referrer: ReferrerIn
    address: RequestAddressIn | None = None
    family_id: int | None = None
    members: list[MemberIn]
    consents: list[ConsentIn] = []
    presenting_needs: str
    target_groups: list[str] = []
    tfu_criteria: list[int] = []
    caf: CafIn = CafIn()


class ResubmitIn(Schema):
    consents: list[ConsentIn]


class WithdrawIn(Schema):
    reason: str


class AllocateIn(Schema):
    key_worker_id: int
    reason: str = ""


class MatchQuery(Schema):
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    postcode: str = ""


class MatchOut(Schema):
    person_id: int
    name: str
    date_of_birth: str | None
    postcode: str
    score: float
    reasons: list[str]


class RequestMemberOut(Schema):
    person_id: int
    name: str
    date_of_birth: dt.date | None
    is_subject: bool
    is_parent_or_carer: bool


class ConsentOut(Schema):
    person_id: int
    purpose: str
    given: bool
    given_by_id: int
    recorded_at: dt.datetime


class RequestOut(Schema):
    id: int
    status: str
    route: str
    family_id: int
    family_name: str
    team: str
    received_at: dt.datetime
    first_received_at: dt.datetime
    allocation_due_by: dt.date | None
    working_days_left: int | None
    referrer_name: str
    referrer_organisation: str
    referrer_email: str
    presenting_needs: str
    caf_exists: bool
    caf_urn: str
    urn_issued: bool
    is_re_referral: bool
    acknowledged_at: dt.datetime | None
    consent_problems: list[dict]
    case_id: int | None
    members: list[RequestMemberOut] = []
    consents: list[ConsentOut] = []


class WorkerOut(Schema):
    id: int
    name: str
    team: str
    open_cases: int


def _out(request: RequestForSupport, *, detail: bool = False, days_left=None) -> RequestOut:
    case_id = getattr(getattr(request, "case", None), "pk", None) if detail else None
    out = RequestOut(
        id=request.pk,
        status=request.status,
        route=request.route,
        family_id=request.family_id,
        family_name=request.family.name,
        team=request.team.name,
        received_at=request.received_at,
        first_received_at=request.first_received_at,
        allocation_due_by=request.allocation_due_by,
        working_days_left=days_left,
        referrer_name=request.referrer_name,
        referrer_organisation=request.referrer_organisation,
        referrer_email=request.referrer_email,
        presenting_needs=request.presenting_needs,
        caf_exists=request.caf_exists,
        caf_urn=request.caf_urn,
        urn_issued=request.urn_issued,
        is_re_referral=request.is_re_referral,
        acknowledged_at=request.acknowledged_at,
        consent_problems=request.consent_problems,
        case_id=case_id,
    )
    if detail:
        out.members = [
            RequestMemberOut(
                person_id=m.person_id,
                name=m.person.full_name,
                date_of_birth=m.person.date_of_birth,
                is_subject=m.is_subject,
                is_parent_or_carer=m.is_parent_or_carer,
            )
            for m in request.members.all()
        ]
        out.consents = [
            ConsentOut(
                person_id=c.person_id,
                purpose=c.purpose,
                given=c.given,
                given_by_id=c.given_by_id,
                recorded_at=c.recorded_at,
            )
            for c in request.consents.all()
        ]
    return out


def _detail(request, request_id: int) -> RequestOut:
    rfs = selectors.get_request_for_user(
        user=request.auth, request_id=request_id, source=f"API {request.method} {request.path}"
    )
    days = selectors.queue_rows([rfs])[0].working_days_left if rfs.allocation_due_by else None
    return _out(rfs, detail=True, days_left=days)


def _consents(items: list[ConsentIn]) -> list[services.ConsentInput]:
    return [services.ConsentInput(**c.dict()) for c in items]


@router.post("", response={201: RequestOut}, summary="Receive a Request for Support")
def submit_request(request, payload: RequestIn):
    """Receive a request. Without consent it is returned to the referrer (status
    `returned_for_consent`); with it, it is acknowledged, CAF-checked and queued. People
    who may already be known must be linked (`person_id`) or confirmed new: otherwise
    409 with the possible matches."""
    rfs = services.submit_request(
        actor=request.auth,
        route=payload.route,
        received_at=payload.received_at,
        referrer=services.ReferrerInput(**payload.referrer.dict()),
        address=services.AddressInput(**payload.address.dict()) if payload.address else None,
        family_id=payload.family_id,
        members=[services.MemberInput(**m.dict()) for m in payload.members],
        consents=_consents(payload.consents),
        needs=services.NeedsInput(
            presenting_needs=payload.presenting_needs,
            target_groups=tuple(payload.target_groups),
            tfu_criteria=tuple(payload.tfu_criteria),
        ),
        caf=services.CafInput(**payload.caf.dict()),
        source=f"API POST {request.path}",
    )
    return _detail(request, rfs.pk)


@router.post("/matches", response=list[MatchOut], summary="People who may already be known")
def find_matches(request, payload: MatchQuery):
    """Existing people who may be this person: similar name, same date of birth, same
    postcode."""
    if not request.auth.has_perm("referrals.submit_request"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Your role cannot take Requests for Support.")
    return selectors.find_possible_matches(**payload.dict())


@router.get("", response=Page[RequestOut], summary="Requests your teams hold")
def list_requests(request, status: str = "awaiting_allocation", page: int = 1):
    """Requests held by your teams, nearest allocation deadline first, with working days
    left (negative when overdue)."""
    queryset = selectors.request_queue_for_user(user=request.auth, statuses=(status,))
    result = paginate(queryset, page, lambda r: r)
    rows = selectors.queue_rows(result["items"])
    result["items"] = [_out(row.request, days_left=row.working_days_left) for row in rows]
    return result


@router.get("/{request_id}", response=RequestOut, summary="One Request for Support")
def get_request(request, request_id: int):
    return _detail(request, request_id)


@router.post("/{request_id}/resubmit", response=RequestOut, summary="Resubmit with consent")
def resubmit(request, request_id: int, payload: ResubmitIn):
    """A returned request comes back with consent (member keys are person ids here)."""
    services.resubmit_request(
        actor=request.auth,
        request_id=request_id,
        consents=_consents(payload.consents),
        source=f"API POST {request.path}",
    )
    return _detail(request, request_id)


@router.post("/{request_id}/withdraw", response=RequestOut, summary="Withdraw a request")
def withdraw(request, request_id: int, payload: WithdrawIn):
    services.withdraw_request(
        actor=request.auth,
        request_id=request_id,
        reason=payload.reason,
        source=f"API POST {request.path}",
    )
    return _detail(request, request_id)


@router.get("/{request_id}/workers", response=list[WorkerOut], summary="Who can take it")
def eligible_workers(request, request_id: int):
    """The key workers of the family's district, each with their open cases."""
    rfs = selectors.get_request_for_user(
        user=request.auth, request_id=request_id, source=f"API GET {request.path}"
    )
    return [
        WorkerOut(id=w.pk, name=str(w), team=w.staff.team.name, open_cases=w.open_cases)
        for w in selectors.workers_for_allocation(request=rfs)
    ]


@router.post("/{request_id}/allocate", response=RequestOut, summary="Allocate to a key worker")
def allocate(request, request_id: int, payload: AllocateIn):
    """Allocate to a key worker of the district: opens the case. 409 if it is already
    allocated or still lacks consent; 422 on `reason` when the worker is not a top
    recommendation (`/allocation/requests/{id}/recommendations`) or has no headroom
    and no reason is given."""
    services.allocate_request(
        actor=request.auth,
        request_id=request_id,
        key_worker_id=payload.key_worker_id,
        reason=payload.reason,
        source=f"API POST {request.path}",
        check_recommendation=True,
    )
    return _detail(request, request_id)
