"""Taking Requests for Support: receipt, the consent check, acknowledgement, the CAF
check and URN, resubmission, withdrawal and allocation (Appendix L, boxes 1-4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from earlyhelp.allocation.selectors import recommendations_for
from earlyhelp.audit.services import record_denied, record_write
from earlyhelp.cases.errors import AlreadyAllocated
from earlyhelp.cases.models import Case
from earlyhelp.cases.selectors import eligible_workers
from earlyhelp.cases.services import open_case
from earlyhelp.configuration.models import TargetGroup, TfuCriterion
from earlyhelp.configuration.selectors import service_calendar, service_settings, service_timescales
from earlyhelp.core.actions import authorised_action
from earlyhelp.domain import casework, consent
from earlyhelp.domain.allocation import reason_needed
from earlyhelp.domain.people import format_urn, young_person_age_problem
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.services import queue_message
from earlyhelp.people.models import Family, Gender, Person, Relationship
from earlyhelp.people.rules import families_visible_to
from earlyhelp.people.services import add_family_member, create_family, district_for_postcode
from earlyhelp.referrals.errors import NotInServiceArea, PossibleDuplicatePeople
from earlyhelp.referrals.models import (
    Consent,
    RequestForSupport,
    RequestMember,
    Route,
    Status,
    UrnSequence,
)
from earlyhelp.referrals.selectors import access_request, find_possible_matches
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.services import complete_tasks, create_task, reassign_tasks


@dataclass(frozen=True)
class ReferrerInput:
    name: str
    organisation: str = ""
    role: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class AddressInput:
    family_name: str
    address_line_1: str
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class MemberInput:
    """A person on the request: an existing person (``person_id``) or a new one."""

    key: str
    first_name: str = ""
    last_name: str = ""
    date_of_birth: dt.date | None = None
    gender: str = Gender.NOT_KNOWN
    relationship: str = Relationship.CHILD
    is_subject: bool = True
    is_parent_or_carer: bool = False
    preferred_language: str = "English"
    interpreter_needed: bool = False
    has_send: bool = False
    school_or_setting: str = ""
    person_id: int | None = None
    confirmed_new: bool = False


@dataclass(frozen=True)
class ConsentInput:
    member_key: str
    purpose: str
    given: bool
    given_by_key: str


@dataclass(frozen=True)
class NeedsInput:
    presenting_needs: str
    target_groups: tuple[str, ...] = ()
    tfu_criteria: tuple[int, ...] = ()


@dataclass(frozen=True)
class CafInput:
    exists: bool = False
    urn: str = ""
    lead_professional: str = ""
    lead_professional_email: str = ""


@dataclass
class _Resolved:
    family: Family
    people: dict[str, Person] = field(default_factory=dict)


def _check_permission(actor, *, source: str = "") -> None:
    if not actor.has_perm("referrals.submit_request"):
        record_denied(
            actor=actor, object_type="referrals.requestforsupport", object_id="", source=source
        )
        raise PermissionDenied("Your role cannot take Requests for Support.")


def _validate(
    *,
    received_at: dt.datetime,
    members: list[MemberInput],
    needs: NeedsInput,
    caf: CafInput,
    referrer: ReferrerInput,
) -> None:
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if received_at > now:
        errors.setdefault("received_at", []).append("The date received must be in the past")
    if not referrer.name.strip():
        errors.setdefault("referrer.name", []).append("Enter the referrer's name")
    if not needs.presenting_needs.strip():
        errors.setdefault("presenting_needs", []).append("Describe the family's needs")
    if caf.exists and not caf.urn.strip():
        errors.setdefault("caf.urn", []).append("Enter the URN of the existing CAF")
    if caf.exists and not caf.lead_professional.strip():
        errors.setdefault("caf.lead_professional", []).append(
            "Enter the lead professional of the existing CAF"
        )
    if not members:
        errors.setdefault("members", []).append("Add the family's members")
    if members and not any(m.is_subject for m in members):
        errors.setdefault("members", []).append(
            "Add at least one child or young person the request is about"
        )
    keys = [m.key for m in members]
    if len(set(keys)) != len(keys):
        errors.setdefault("members", []).append("Each member needs a different key")
    today = timezone.localdate()
    for index, member in enumerate(members):
        prefix = f"members[{index}]"
        if member.person_id is None:
            if not member.first_name.strip():
                errors.setdefault(f"{prefix}.first_name", []).append("Enter a first name")
            if not member.last_name.strip():
                errors.setdefault(f"{prefix}.last_name", []).append("Enter a last name")
        if member.date_of_birth and member.date_of_birth > today:
            errors.setdefault(f"{prefix}.date_of_birth", []).append(
                "Date of birth must be today or in the past"
            )
        elif member.is_subject and member.person_id is None:
            problem = young_person_age_problem(
                member.date_of_birth, has_send=member.has_send, today=today
            )
            if problem:
                errors.setdefault(f"{prefix}.date_of_birth", []).append(problem)
    if errors:
        raise ValidationError(errors)


def _may_link(actor, person: Person, member: MemberInput, postcode: str) -> bool:
    """Whether the actor may put this known person on a request: one offered as a
    possible match for the details given (as the intake form offers them), or one in a
    family the actor may see. Knowing a record's id is not enough."""
    visible = Family.objects.filter(families_visible_to(actor))
    if person.memberships.filter(family__in=visible).exists():
        return True
    if not (member.first_name.strip() or member.last_name.strip()):
        return False
    offered = find_possible_matches(
        first_name=member.first_name,
        last_name=member.last_name,
        date_of_birth=member.date_of_birth,
        postcode=postcode,
    )
    target = person.merged_into_id or person.pk
    return any(match["person_id"] in (person.pk, target) for match in offered)


def _resolve_people(
    *,
    actor,
    members: list[MemberInput],
    address: AddressInput | None,
    family_id: int | None,
    source: str,
) -> _Resolved:
    """Link existing people, refuse unconfirmed look-alikes, and find or create the family."""
    linked = {}
    postcode = address.postcode if address else ""
    for index, member in enumerate(members):
        if member.person_id is None:
            continue
        person = Person.objects.select_related("merged_into").filter(pk=member.person_id).first()
        if person is None or not _may_link(actor, person, member, postcode):
            raise ValidationError(
                {
                    f"members[{index}].person_id": [
                        "Link a person offered as a possible match for this member's name, "
                        "date of birth or postcode, or one in a family you work with"
                    ]
                }
            )
        # A merged duplicate stands for the record it was merged into.
        linked[member.key] = person.merged_into or person
    unconfirmed: dict[str, list[dict]] = {}
    for member in members:
        if member.person_id is not None or member.confirmed_new:
            continue
        matches = find_possible_matches(
            first_name=member.first_name,
            last_name=member.last_name,
            date_of_birth=member.date_of_birth,
            postcode=postcode,
        )
        if matches:
            unconfirmed[member.key] = matches
    if unconfirmed:
        raise PossibleDuplicatePeople(
            "Some people may already be known. Link each to the existing person or confirm "
            "they are new.",
            matches=unconfirmed,
        )
    families = {fm.family_id for person in linked.values() for fm in person.memberships.all()}
    if family_id is not None:
        families.add(family_id)
    if len(families) > 1:
        raise ValidationError(
            {"members": ["These people belong to different families: choose one family"]}
        )
    if families:
        family = Family.objects.get(pk=families.pop())
    else:
        if address is None or not address.postcode:
            raise ValidationError({"address.postcode": ["Enter the family's postcode"]})
        district = district_for_postcode(address.postcode)
        if district is None:
            raise NotInServiceArea(
                "That postcode is not in any of the service's districts.", field="address.postcode"
            )
        family = create_family(
            actor=actor,
            name=address.family_name or members[0].last_name,
            address_line_1=address.address_line_1,
            address_line_2=address.address_line_2,
            town=address.town,
            postcode=address.postcode,
            district=district,
            team=district.teams.order_by("pk").first(),
            source=source,
        )
    resolved = _Resolved(family=family, people=dict(linked))
    existing_members = set(family.memberships.values_list("person_id", flat=True))
    for member in members:
        if member.key in resolved.people:
            person = resolved.people[member.key]
            if person.pk not in existing_members:
                family.memberships.create(person=person, relationship=member.relationship)
            continue
        membership = add_family_member(
            actor=actor,
            family=family,
            first_name=member.first_name.strip(),
            last_name=member.last_name.strip(),
            relationship=member.relationship,
            date_of_birth=member.date_of_birth,
            gender=member.gender,
            preferred_language=member.preferred_language,
            interpreter_needed=member.interpreter_needed,
            has_send=member.has_send,
            school_or_setting=member.school_or_setting,
            source=source,
        )
        resolved.people[member.key] = membership.person
    if family.team_id is None:
        raise ValidationError({"address.postcode": ["No team serves this family's district yet"]})
    return resolved


def _consent_problems(request: RequestForSupport, on: dt.date) -> list[dict]:
    """What consent the request still lacks, from its recorded members and consents."""
    members = list(request.members.select_related("person"))
    domain_members = [
        consent.Member(
            key=str(m.person_id),
            name=m.person.full_name,
            date_of_birth=m.person.date_of_birth,
            is_parent_or_carer=m.is_parent_or_carer,
        )
        for m in members
    ]
    records = [
        consent.ConsentGiven(
            member_key=str(c.person_id),
            purpose=consent.Purpose(c.purpose),
            given=c.given,
            given_by_key=str(c.given_by_id),
        )
        for c in request.consents.order_by("recorded_at", "pk")
    ]
    return [
        {"person_id": int(p.member_key), "message": p.message}
        for p in consent.consent_problems(domain_members, records, on)
    ]


def _record_consents(
    *, actor, request: RequestForSupport, consents: list[ConsentInput], people: dict[str, Person]
) -> None:
    now = timezone.now()
    for index, item in enumerate(consents):
        if item.member_key not in people or item.given_by_key not in people:
            raise ValidationError(
                {f"consents[{index}]": ["Consent must name members of this request"]}
            )
        if item.purpose not in consent.Purpose.__members__.values():
            raise ValidationError({f"consents[{index}].purpose": ["Choose a consent purpose"]})
        Consent.objects.create(
            request=request,
            person=people[item.member_key],
            purpose=item.purpose,
            given=item.given,
            given_by=people[item.given_by_key],
            recorded_at=now,
            recorded_by=actor,
        )


def next_urn(*, year: int) -> str:
    """Issue the next CAF URN for a year (locks the year's counter)."""
    settings_row = service_settings()
    sequence, _ = UrnSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_urn(
        template=settings_row.urn_format,
        prefix=settings_row.urn_prefix,
        year=year,
        number=sequence.last_number,
    )


def _accept(*, actor, request: RequestForSupport, status: str, source: str) -> None:
    """Consent is in place: acknowledge, do the CAF check, start the allocation clock."""
    calendar = service_calendar()
    timescales = service_timescales()
    received_on = timezone.localdate(request.received_at)
    request.status = status
    request.allocation_due_by = casework.allocation_due_by(received_on, calendar, timescales)
    request.acknowledged_at = timezone.now()
    request.consent_problems = []
    if request.caf_exists:
        create_task(
            kind=TaskKind.CONTACT_LEAD_PROFESSIONAL,
            title=(
                f"Ask {request.caf_lead_professional} (CAF {request.caf_urn}) to gain the "
                f"{request.family.name} family's consent for us to attend the next TAF"
            ),
            team=request.team,
            assignee=request.team.manager,
            request=request,
            due_on=request.allocation_due_by,
        )
    else:
        last_closed = (
            request.family.cases.filter(closed_on__isnull=False).order_by("-closed_on").first()
        )
        if last_closed and casework.is_re_referral(last_closed.closed_on, received_on):
            request.caf_urn = last_closed.urn
            request.is_re_referral = True
        else:
            request.caf_urn = next_urn(year=received_on.year)
            request.urn_issued = True
    request.full_clean()
    request.save()
    if request.referrer_email:
        queue_message(
            kind=MessageKind.ACKNOWLEDGEMENT,
            to=request.referrer_email,
            subject=f"Request for Support received: {request.family.name} family",
            body=(
                f"Dear {request.referrer_name},\n\nThank you for your Request for Support for "
                f"the {request.family.name} family, received on {received_on:%d %B %Y}. "
                f"Its reference is {request.caf_urn}. It will be allocated to a worker by "
                f"{request.allocation_due_by:%d %B %Y}.\n"
            ),
            request=request,
        )
    create_task(
        kind=TaskKind.ALLOCATE,
        title=f"Allocate the Request for Support for the {request.family.name} family",
        team=request.team,
        assignee=request.team.manager,
        request=request,
        due_on=request.allocation_due_by,
    )
    record_write(
        actor=actor,
        code="request.accepted",
        instance=request,
        details={
            "allocation_due_by": request.allocation_due_by.isoformat(),
            "urn": request.caf_urn,
            "urn_issued": request.urn_issued,
            "caf_exists": request.caf_exists,
            "re_referral": request.is_re_referral,
        },
        source=source,
        subject_family_id=request.family_id,
    )


def _return_for_consent(
    *, actor, request: RequestForSupport, problems: list[dict], status: str, source: str
) -> None:
    request.status = status
    request.returned_at = timezone.now()
    request.consent_problems = problems
    request.full_clean()
    request.save()
    if request.referrer_email:
        lines = "\n".join(f"- {p['message']}" for p in problems)
        queue_message(
            kind=MessageKind.CONSENT_REQUEST,
            to=request.referrer_email,
            subject=f"Consent needed: Request for Support for the {request.family.name} family",
            body=(
                f"Dear {request.referrer_name},\n\nWe cannot go ahead with your Request for "
                f"Support for the {request.family.name} family until consent is complete:\n"
                f"{lines}\n\nPlease complete the consent and send the request again.\n"
            ),
            request=request,
        )
    record_write(
        actor=actor,
        code="request.returned_for_consent",
        instance=request,
        details={"problems": problems},
        source=source,
        subject_family_id=request.family_id,
    )


def submit_request(
    *,
    actor,
    route: str,
    received_at: dt.datetime,
    referrer: ReferrerInput,
    members: list[MemberInput],
    consents: list[ConsentInput],
    needs: NeedsInput,
    caf: CafInput,
    address: AddressInput | None = None,
    family_id: int | None = None,
    source: str = "",
) -> RequestForSupport:
    """Receive a Request for Support. Without consent it is returned to the referrer and
    goes no further; with it, it is acknowledged, CAF-checked and queued for allocation."""
    # Refused before the transaction opens, so that the refusal stays on the audit log.
    _check_permission(actor, source=source)
    return _submit_request(
        actor=actor,
        route=route,
        received_at=received_at,
        referrer=referrer,
        members=members,
        consents=consents,
        needs=needs,
        caf=caf,
        address=address,
        family_id=family_id,
        source=source,
    )


@transaction.atomic
def _submit_request(
    *,
    actor,
    route: str,
    received_at: dt.datetime,
    referrer: ReferrerInput,
    members: list[MemberInput],
    consents: list[ConsentInput],
    needs: NeedsInput,
    caf: CafInput,
    address: AddressInput | None,
    family_id: int | None,
    source: str,
) -> RequestForSupport:
    if route not in Route.values:
        raise ValidationError({"route": ["Choose how the request came in"]})
    _validate(received_at=received_at, members=members, needs=needs, caf=caf, referrer=referrer)
    resolved = _resolve_people(
        actor=actor, members=members, address=address, family_id=family_id, source=source
    )
    request = RequestForSupport(
        family=resolved.family,
        team=resolved.family.team,
        status=Status.AWAITING_ALLOCATION,  # until the consent check below decides
        route=route,
        received_at=received_at,
        first_received_at=received_at,
        referrer_name=referrer.name.strip(),
        referrer_organisation=referrer.organisation,
        referrer_role=referrer.role,
        referrer_email=referrer.email,
        referrer_phone=referrer.phone,
        presenting_needs=needs.presenting_needs.strip(),
        caf_exists=caf.exists,
        caf_urn=caf.urn.strip() if caf.exists else "",
        caf_lead_professional=caf.lead_professional if caf.exists else "",
        caf_lead_professional_email=caf.lead_professional_email if caf.exists else "",
        created_by=actor,
    )
    request.full_clean(exclude=["allocation_due_by"])
    request.save()
    request.target_groups.set(TargetGroup.objects.filter(code__in=needs.target_groups))
    request.tfu_criteria.set(TfuCriterion.objects.filter(number__in=needs.tfu_criteria))
    for member in members:
        RequestMember.objects.create(
            request=request,
            person=resolved.people[member.key],
            is_subject=member.is_subject,
            is_parent_or_carer=member.is_parent_or_carer,
        )
    _record_consents(actor=actor, request=request, consents=consents, people=resolved.people)
    record_write(
        actor=actor,
        code="request.received",
        instance=request,
        details={"route": route, "members": len(members), "referrer": request.referrer_name},
        source=source,
        subject_family_id=request.family_id,
    )
    _decide_on_consent(actor=actor, request=request, current=None, source=source)
    return request


def _decide_on_consent(
    *, actor, request: RequestForSupport, current: casework.RequestStatus | None, source: str
) -> None:
    """Return the request for consent, or accept it; the transition table says which
    moves are allowed from ``current``."""
    problems = _consent_problems(request, timezone.localdate(request.received_at))
    if problems:
        action = "receive_without_consent" if current is None else "resubmit_still_without_consent"
        status = casework.next_request_status(action, current)
        _return_for_consent(
            actor=actor, request=request, problems=problems, status=status, source=source
        )
    else:
        action = "receive_with_consent" if current is None else "resubmit_with_consent"
        status = casework.next_request_status(action, current)
        _accept(actor=actor, request=request, status=status, source=source)


def request_action(permission: str):
    """Authorise the user on the request before the action's transaction opens."""
    return authorised_action(
        queryset=lambda: RequestForSupport.objects.select_related("family", "team__district"),
        id_argument="request_id",
        permission=permission,
        not_found="No Request for Support with that reference.",
        refused="You cannot do this to this Request for Support.",
    )


def _lock_request(request_id: int) -> RequestForSupport:
    request = (
        # Lock the request row only: the joined team's manager is nullable (an outer join,
        # which PostgreSQL cannot lock).
        RequestForSupport.objects.select_for_update(of=("self",))
        .select_related("family", "team__manager", "team__district")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No Request for Support with that reference.")
    return request


def _lock_worker(user_id: int) -> None:
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))


@request_action("referrals.access_request")
def resubmit_request(
    *, actor, request_id: int, consents: list[ConsentInput], source: str = ""
) -> RequestForSupport:
    """A returned request comes back with consent: the allocation clock starts now."""
    _check_permission(actor)
    request = _lock_request(request_id)
    access_request(user=actor, request=request, source=source)
    current = casework.RequestStatus(request.status)
    if current is not casework.RequestStatus.RETURNED_FOR_CONSENT:
        raise casework.TransitionNotAllowed(
            "resubmit_with_consent", current.value, rule="request_resubmit_with_consent"
        )
    people = {str(m.person_id): m.person for m in request.members.select_related("person")}
    _record_consents(actor=actor, request=request, consents=consents, people=people)
    request.received_at = timezone.now()
    request.version += 1
    record_write(
        actor=actor,
        code="request.resubmitted",
        instance=request,
        details={"consents": len(consents)},
        source=source,
        subject_family_id=request.family_id,
    )
    _decide_on_consent(actor=actor, request=request, current=current, source=source)
    return request


@request_action("referrals.access_request")
def withdraw_request(*, actor, request_id: int, reason: str, source: str = "") -> RequestForSupport:
    """Withdraw a request that has not been allocated, with the reason."""
    _check_permission(actor)
    if not reason.strip():
        raise ValidationError({"reason": ["Give the reason for withdrawing the request"]})
    request = _lock_request(request_id)
    access_request(user=actor, request=request, source=source)
    before = request.status
    request.status = casework.next_request_status(
        "withdraw", casework.RequestStatus(request.status)
    )
    request.version += 1
    request.save(update_fields=["status", "version"])
    complete_tasks(actor=actor, kind=TaskKind.ALLOCATE, request=request)
    record_write(
        actor=actor,
        code="request.withdrawn",
        instance=request,
        changes={"status": [before, request.status]},
        details={"reason": reason.strip()},
        source=source,
        subject_family_id=request.family_id,
    )
    return request


@request_action("referrals.allocate_request")
def allocate_request(
    *,
    actor,
    request_id: int,
    key_worker_id: int,
    reason: str = "",
    source: str = "",
    check_recommendation: bool = False,
) -> Case:
    """Allocate a waiting request to a key worker of the family's district: opens the
    case, with its initial visit due in 7 working days. Of two managers allocating at
    once, the second is told it is already allocated. With ``check_recommendation`` (a
    manager choosing from the ranked recommendations, on the page or in the API),
    choosing someone other than a top recommendation, or a worker without headroom,
    needs a recorded reason; a bulk proposal records its own."""
    # Lock the worker before the request, in the order a bulk accept locks them, so a
    # single allocation and a bulk accept cannot both take the worker's last place.
    _lock_worker(key_worker_id)
    request = _lock_request(request_id)
    if not actor.has_perm("referrals.allocate_request", request):
        record_denied(
            actor=actor,
            object_type="referrals.requestforsupport",
            object_id=request.pk,
            source=source,
        )
        raise PermissionDenied("Only the team's manager can allocate this request.")
    current = casework.RequestStatus(request.status)
    if current is casework.RequestStatus.ALLOCATED:
        raise AlreadyAllocated(
            f"This request was already allocated to {request.case.key_worker}.",
            field="key_worker_id",
        )
    status = casework.next_request_status("allocate", current)
    worker = eligible_workers(team=request.team).filter(pk=key_worker_id).first()
    if worker is None:
        raise ValidationError(
            {"key_worker_id": ["Choose a key worker or senior practitioner of this district"]}
        )
    if check_recommendation and not reason.strip():
        needed = reason_needed(recommendations_for(request), worker.pk)
        if needed:
            raise ValidationError({"reason": [needed]})
    case = open_case(actor=actor, request=request, key_worker=worker, reason=reason, source=source)
    request.status = status
    request.version += 1
    request.save(update_fields=["status", "version"])
    complete_tasks(actor=actor, kind=TaskKind.ALLOCATE, request=request)
    reassign_tasks(request=request, to_user=worker, kinds=(TaskKind.CONTACT_LEAD_PROFESSIONAL,))
    today = timezone.localdate()
    record_write(
        actor=actor,
        code="request.allocated",
        instance=request,
        changes={"status": [current.value, status]},
        details={
            "key_worker": worker.email,
            "key_worker_name": worker.get_full_name() or worker.email,
            "case_id": case.pk,
            "on_time": bool(request.allocation_due_by and today <= request.allocation_due_by),
            "reason": reason,
        },
        source=source,
        subject_family_id=request.family_id,
        subject_case_id=case.pk,
    )
    return case
