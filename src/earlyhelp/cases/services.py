"""Every action on a case, from allocation to closure (Appendix L, boxes 4-7). Each is
one transaction: permission checked, the domain rule applied, one audit event, and
messages and tasks created with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst

from earlyhelp.accounts.roles import Role
from earlyhelp.approvals.models import Kind as ApprovalKind
from earlyhelp.approvals.services import register_handler, request_approval
from earlyhelp.audit.services import diff, record_denied, record_write, snapshot
from earlyhelp.cases.errors import StaleRecord, StepNotReady
from earlyhelp.cases.models import (
    VISIT_TYPES,
    ActionStatus,
    Agency,
    Assessment,
    Case,
    ClosureReason,
    ConsentDecision,
    Contact,
    ContactType,
    Decision,
    EmploymentAdvisorContact,
    Escalation,
    Level,
    PlanAction,
    Review,
    ReviewOutcome,
    SafeguardingConcern,
    SafeguardingNote,
    SafeguardingNoteCategory,
    StarReading,
    StarReadingKind,
    Status,
    TafMeeting,
)
from earlyhelp.configuration.models import CaseType, OutcomesStar, ServiceOutcome, TfuCriterion
from earlyhelp.configuration.selectors import service_calendar, service_settings, service_timescales
from earlyhelp.core.actions import authorised_action
from earlyhelp.core.concurrency import check_version, differences, save_versioned
from earlyhelp.domain import casework
from earlyhelp.outbox.models import Kind as MessageKind
from earlyhelp.outbox.services import queue_message
from earlyhelp.people.models import Person
from earlyhelp.tasks.models import Kind as TaskKind
from earlyhelp.tasks.services import complete_tasks, create_task

User = get_user_model()

MANAGER_ROLES = (Role.OPERATIONS_DELIVERY_LEADER, Role.LOCALITY_MANAGER, Role.HEAD_OF_SERVICE)
ASSESSMENT_TEXT_FIELDS = (
    "child_development_strengths",
    "child_development_needs",
    "parenting_capacity_strengths",
    "parenting_capacity_needs",
    "family_environment_strengths",
    "family_environment_needs",
    "voice_of_child",
    "voice_of_parents",
    "wider_family",
)
MAX_CONTACT_MINUTES = 12 * 60


# ---------------------------------------------------------------- helpers


def _lock_case(case_id: int) -> Case:
    case = (
        # Lock the case row only: several joins are outer (nullable), which PostgreSQL
        # cannot lock.
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "family",
            "team__manager",
            "team__district",
            "key_worker__staff__line_manager",
            "request",
            "case_type",
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No case with that reference.")
    return case


def _authorise(actor, case: Case, permission: str, source: str) -> None:
    if not actor.has_perm(permission, case):
        record_denied(actor=actor, object_type="cases.case", object_id=case.pk, source=source)
        raise PermissionDenied("You do not have access to this case.")


def case_action(permission: str = "cases.work_on_case"):
    """Authorise the user on the case before the action's transaction opens."""
    return authorised_action(
        queryset=lambda: Case.objects.select_related("family", "team", "key_worker__staff"),
        id_argument="case_id",
        permission=permission,
        not_found="No case with that reference.",
        refused="You do not have access to this case.",
    )


def _case_for_action(*, actor, case_id: int, source: str, permission="cases.work_on_case"):
    case = _lock_case(case_id)
    _authorise(actor, case, permission, source)
    return case


def line_manager_for(case: Case):
    """Who agrees closures and hears of refused consent: the worker's line manager, or
    the team's manager when the worker has none."""
    staff = getattr(case.key_worker, "staff", None)
    if staff is not None and staff.line_manager_id:
        return staff.line_manager
    return case.team.manager


def _dsos(case: Case) -> list:
    """The DSOs covering the case's district (a county DSO covers every district)."""
    from earlyhelp.cases.rules import is_dso_for_case

    dsos = User.objects.filter(groups__name=Role.DSO.value, is_active=True).order_by("pk")
    return [dso for dso in dsos.select_related("staff__team") if is_dso_for_case(dso, case)]


def _set_status(case: Case, action: str) -> tuple[str, str]:
    before = case.status
    case.status = casework.next_case_status(action, casework.CaseStatus(case.status))
    return before, case.status


def _save_case(case: Case, *fields: str) -> None:
    case.version += 1
    case.full_clean()
    case.save(update_fields=[*fields, "version"])


def _not_future(value, field: str, message: str) -> None:
    now = timezone.now() if isinstance(value, dt.datetime) else timezone.localdate()
    if value > now:
        raise ValidationError({field: [message]})


# ---------------------------------------------------------------- allocation


def open_case(*, actor, request, key_worker, reason: str, source: str) -> Case:
    """Open a case for an allocated request: the initial visit is due in 7 working days.

    Called by ``allocate_request`` inside its transaction, with the request locked.
    """
    now = timezone.now()
    timescales = service_timescales()
    due = casework.initial_visit_due_by(timezone.localdate(now), service_calendar(), timescales)
    case = Case(
        request=request,
        family=request.family,
        urn=request.caf_urn,
        is_re_referral=request.is_re_referral,
        status=Status.ASSESSMENT,
        key_worker=key_worker,
        team=key_worker.staff.team,
        allocated_at=now,
        allocated_by=actor,
        allocation_reason=reason,
        initial_visit_due_by=due,
    )
    case.full_clean()
    case.save()
    Assessment.objects.create(case=case)
    family = request.family
    before = snapshot(family, ("team_id", "key_worker_id"))
    family.team = case.team
    family.key_worker = key_worker
    family.save(update_fields=["team", "key_worker", "updated_at"])
    create_task(
        kind=TaskKind.INITIAL_VISIT,
        title=f"Initial visit to the {family.name} family",
        assignee=key_worker,
        case=case,
        due_on=due,
    )
    record_write(
        actor=actor,
        code="case.opened",
        instance=case,
        changes=diff(before, snapshot(family, ("team_id", "key_worker_id"))),
        details={
            "urn": case.urn,
            "key_worker": key_worker.email,
            "initial_visit_due_by": due.isoformat(),
            "re_referral": case.is_re_referral,
            "reason": reason,
        },
        source=source,
    )
    return case


# ---------------------------------------------------------------- contacts


@case_action()
def record_contact(
    *,
    actor,
    case_id: int,
    occurred_at: dt.datetime,
    contact_type: str,
    duration_minutes: int,
    notes: str,
    attendee_ids: list[int] | None = None,
    other_attendees: str = "",
    referrer_attended: bool = False,
    source: str = "",
) -> Contact:
    """Record a visit or other contact (one delivery slot). The first meeting with the
    family is the initial visit."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("record_contact", casework.CaseStatus(case.status))
    _not_future(occurred_at, "occurred_at", "The contact must have already happened")
    if occurred_at < case.allocated_at - dt.timedelta(days=1):
        raise ValidationError({"occurred_at": ["The contact cannot be before the allocation"]})
    if contact_type not in ContactType.values:
        raise ValidationError({"contact_type": ["Choose the type of contact"]})
    if not 1 <= duration_minutes <= MAX_CONTACT_MINUTES:
        raise ValidationError({"duration_minutes": ["Enter a duration between 1 and 720 minutes"]})
    if not notes.strip():
        raise ValidationError({"notes": ["Enter notes of the contact"]})
    members = set(case.family.memberships.values_list("person_id", flat=True))
    attendee_ids = list(dict.fromkeys(attendee_ids or []))
    if not set(attendee_ids) <= members:
        raise ValidationError({"attendee_ids": ["Attendees must be members of the family"]})
    contact = Contact(
        case=case,
        occurred_at=occurred_at,
        contact_type=contact_type,
        duration_minutes=duration_minutes,
        other_attendees=other_attendees,
        referrer_attended=referrer_attended,
        notes=notes.strip(),
        recorded_by=actor,
    )
    contact.full_clean()
    contact.save()
    contact.attendees.set(Person.objects.filter(pk__in=attendee_ids))
    details = {"type": contact_type, "minutes": duration_minutes, "attendees": attendee_ids}
    if case.initial_visit_on is None and contact_type in VISIT_TYPES:
        case.initial_visit_on = timezone.localdate(occurred_at)
        _save_case(case, "initial_visit_on")
        complete_tasks(actor=actor, kind=TaskKind.INITIAL_VISIT, case=case)
        details["initial_visit"] = True
        details["on_time"] = case.initial_visit_on <= case.initial_visit_due_by
    record_write(
        actor=actor, code="contact.recorded", instance=contact, details=details, source=source
    )
    return contact


# ---------------------------------------------------------------- assessment

ASSESSMENT_NOUN = "this assessment"
# The draft's fields as the API's stale-save problem names them.
ASSESSMENT_LABELS = {
    name: capfirst(Assessment._meta.get_field(name).verbose_name)
    for name in (*ASSESSMENT_TEXT_FIELDS, "worklessness_identified")
}


@case_action()
def update_assessment(
    *,
    actor,
    case_id: int,
    expected_version: int | None = None,
    fields: Mapping[str, str] | None = None,
    tfu_criteria: list[int] | None = None,
    worklessness_identified: bool | None = None,
    source: str = "",
) -> Assessment:
    """Save the CAF draft. Worklessness makes an Employment Advisor contact required."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("edit_assessment", casework.CaseStatus(case.status))
    assessment = Assessment.objects.select_for_update().get(case=case)
    if expected_version is not None and assessment.version != expected_version:
        submitted: dict[str, object] = {
            name: value.strip()
            for name, value in (fields or {}).items()
            if name in ASSESSMENT_TEXT_FIELDS
        }
        if worklessness_identified is not None:
            submitted["worklessness_identified"] = worklessness_identified
        raise StaleRecord(
            "Someone else saved this assessment after you opened it. Their changes are shown: "
            "check them and make your changes again.",
            field="version",
            noun=ASSESSMENT_NOUN,
            current_version=assessment.version,
            differences=differences(
                saved={name: getattr(assessment, name) for name in ASSESSMENT_LABELS},
                submitted=submitted,
                labels=ASSESSMENT_LABELS,
            ),
        )
    if assessment.completed_at is not None:
        raise StepNotReady("The assessment is complete and can no longer be edited.")
    before = snapshot(assessment)
    for name, value in (fields or {}).items():
        if name not in ASSESSMENT_TEXT_FIELDS:
            raise ValidationError({name: ["Not a field of the assessment"]})
        setattr(assessment, name, value.strip())
    if worklessness_identified is not None:
        assessment.worklessness_identified = worklessness_identified
        if (
            worklessness_identified
            and assessment.employment_advisor_contact == EmploymentAdvisorContact.NOT_NEEDED
        ):
            assessment.employment_advisor_contact = EmploymentAdvisorContact.REQUIRED
            create_task(
                kind=TaskKind.EMPLOYMENT_ADVISOR,
                title=f"Contact the Employment Advisor about the {case.family.name} family",
                assignee=case.key_worker,
                case=case,
                due_on=service_calendar().add_working_days(timezone.localdate(), 5),
            )
    assessment.full_clean()
    # Conditional on the version read, as well as the row lock (core/concurrency.py).
    save_versioned(
        assessment,
        [*ASSESSMENT_TEXT_FIELDS, "worklessness_identified", "employment_advisor_contact"],
        noun=ASSESSMENT_NOUN,
    )
    if tfu_criteria is not None:
        criteria = list(TfuCriterion.objects.filter(number__in=tfu_criteria))
        if len(criteria) != len(set(tfu_criteria)):
            raise ValidationError({"tfu_criteria": ["Choose TFU criteria from the list"]})
        assessment.tfu_criteria.set(criteria)
    record_write(
        actor=actor,
        code="assessment.updated",
        instance=assessment,
        changes=diff(before, snapshot(assessment)),
        details={"tfu_criteria": tfu_criteria} if tfu_criteria is not None else {},
        source=source,
    )
    return assessment


@case_action()
def record_caf_consent(
    *, actor, case_id: int, given: bool, expected_version: int | None = None, source: str = ""
) -> Assessment:
    """Record the family's consent to the CAF. Refusal goes to the line manager. A record
    made to an older version of the assessment (``expected_version``) is refused."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("edit_assessment", casework.CaseStatus(case.status))
    assessment = Assessment.objects.select_for_update().get(case=case)
    consent = ConsentDecision.GIVEN if given else ConsentDecision.REFUSED
    check_version(
        assessment,
        expected_version,
        saved={"consent": assessment.get_consent_display()},
        submitted={"consent": consent.label},
        labels={"consent": "Consent to the CAF"},
        noun=ASSESSMENT_NOUN,
    )
    before = assessment.consent
    assessment.consent = consent
    assessment.consent_recorded_at = timezone.now()
    save_versioned(assessment, ["consent", "consent_recorded_at"], noun=ASSESSMENT_NOUN)
    if not given:
        manager = line_manager_for(case)
        create_task(
            kind=TaskKind.CAF_CONSENT_REFUSED,
            title=f"The {case.family.name} family refused consent to the CAF: decide next steps",
            assignee=manager,
            team=case.team,
            case=case,
            due_on=service_calendar().add_working_days(timezone.localdate(), 2),
        )
    record_write(
        actor=actor,
        code="assessment.consent_recorded",
        instance=assessment,
        changes={"consent": [before, assessment.consent]},
        source=source,
    )
    return assessment


@case_action("cases.manage_case")
def record_consent_refusal_decision(
    *,
    actor,
    case_id: int,
    decision: str,
    expected_version: int | None = None,
    source: str = "",
) -> Assessment:
    """The line manager records what happens after the family refused the CAF. A record
    made to an older version of the assessment (``expected_version``) is refused."""
    case = _case_for_action(
        actor=actor, case_id=case_id, source=source, permission="cases.manage_case"
    )
    assessment = Assessment.objects.select_for_update().get(case=case)
    check_version(
        assessment,
        expected_version,
        saved={
            "consent": assessment.get_consent_display(),
            "decision": assessment.consent_refusal_decision,
        },
        submitted={"consent": ConsentDecision.REFUSED.label, "decision": decision.strip()},
        labels={"consent": "Consent to the CAF", "decision": "Decision on the refused consent"},
        noun=ASSESSMENT_NOUN,
    )
    if assessment.consent != ConsentDecision.REFUSED:
        raise StepNotReady("The family has not refused consent to the CAF.")
    if not decision.strip():
        raise ValidationError({"decision": ["Record your decision"]})
    assessment.consent_refusal_decision = decision.strip()
    save_versioned(assessment, ["consent_refusal_decision"], noun=ASSESSMENT_NOUN)
    complete_tasks(actor=actor, kind=TaskKind.CAF_CONSENT_REFUSED, case=case)
    record_write(
        actor=actor,
        code="assessment.consent_refusal_decided",
        instance=assessment,
        details={"decision": assessment.consent_refusal_decision},
        source=source,
    )
    return assessment


@case_action()
def record_employment_advisor_contact(
    *,
    actor,
    case_id: int,
    outcome: str,
    note: str = "",
    expected_version: int | None = None,
    source: str = "",
) -> Assessment:
    """Record the required contact with the WPEH Employment Advisor: made or declined. A
    record made to an older version of the assessment (``expected_version``) is refused."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    assessment = Assessment.objects.select_for_update().get(case=case)
    check_version(
        assessment,
        expected_version,
        saved={"outcome": assessment.get_employment_advisor_contact_display()},
        submitted={
            "outcome": EmploymentAdvisorContact(outcome).label
            if outcome in EmploymentAdvisorContact.values
            else outcome
        },
        labels={"outcome": "Contact with the Employment Advisor"},
        noun=ASSESSMENT_NOUN,
    )
    if assessment.employment_advisor_contact == EmploymentAdvisorContact.NOT_NEEDED:
        raise StepNotReady("No worklessness has been identified for this family.")
    if outcome not in (EmploymentAdvisorContact.MADE, EmploymentAdvisorContact.DECLINED):
        raise ValidationError({"outcome": ["Choose whether the contact was made or declined"]})
    before = assessment.employment_advisor_contact
    assessment.employment_advisor_contact = outcome
    save_versioned(assessment, ["employment_advisor_contact"], noun=ASSESSMENT_NOUN)
    complete_tasks(actor=actor, kind=TaskKind.EMPLOYMENT_ADVISOR, case=case)
    record_write(
        actor=actor,
        code="assessment.employment_advisor_contact",
        instance=assessment,
        changes={"employment_advisor_contact": [before, outcome]},
        details={"note": note},
        source=source,
    )
    return assessment


def assessment_blockers(assessment: Assessment, case: Case) -> list[str]:
    """What stops the assessment being completed, in plain words."""
    problems = []
    if assessment.consent != ConsentDecision.GIVEN:
        problems.append("Record the family's consent to the CAF")
    if assessment.employment_advisor_contact == EmploymentAdvisorContact.REQUIRED:
        problems.append("Record the contact with the Employment Advisor as made or declined")
    if case.initial_visit_on is None:
        problems.append("Record the initial visit")
    for name in (
        "child_development_needs",
        "parenting_capacity_needs",
        "family_environment_needs",
        "voice_of_child",
    ):
        if not getattr(assessment, name).strip():
            label = Assessment._meta.get_field(name).verbose_name
            problems.append(f"Complete the {label}")
    if not case.star_readings.filter(kind=StarReadingKind.BASELINE).exists():
        problems.append("Record the baseline Outcomes Star")
    return problems


@case_action()
def complete_assessment(*, actor, case_id: int, source: str = "") -> Assessment:
    """Complete the CAF: consent given, Employment Advisor contact done, domains filled,
    baseline Star taken."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("edit_assessment", casework.CaseStatus(case.status))
    assessment = Assessment.objects.select_for_update().get(case=case)
    if assessment.completed_at is not None:
        raise StepNotReady("The assessment is already complete.")
    problems = assessment_blockers(assessment, case)
    if problems:
        raise StepNotReady("The assessment cannot be completed yet: " + "; ".join(problems))
    assessment.completed_at = timezone.now()
    assessment.completed_by = actor
    assessment.version += 1
    assessment.save(update_fields=["completed_at", "completed_by", "version", "updated_at"])
    record_write(actor=actor, code="assessment.completed", instance=assessment, source=source)
    return assessment


# ---------------------------------------------------------------- Outcomes Star


def _validate_scores(star: OutcomesStar, scores: Mapping[str, int]) -> dict[str, int]:
    areas = list(star.areas.values_list("code", flat=True))
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    for code in areas:
        value = scores.get(code)
        if value is None:
            errors[f"scores.{code}"] = ["Score every area of the Star"]
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            errors[f"scores.{code}"] = ["Scores are whole numbers"]
            continue
        if not star.scale_min <= number <= star.scale_max:
            errors[f"scores.{code}"] = [f"Score between {star.scale_min} and {star.scale_max}"]
        clean[code] = number
    unknown = set(scores) - set(areas)
    if unknown:
        errors["scores"] = [f"Not areas of this Star: {', '.join(sorted(unknown))}"]
    if errors:
        raise ValidationError(errors)
    return clean


def _default_star() -> OutcomesStar:
    star = OutcomesStar.objects.filter(is_default=True).first() or OutcomesStar.objects.first()
    if star is None:
        raise StepNotReady("No Outcomes Star is configured.")
    return star


def _add_star_reading(*, actor, case, kind, taken_on, scores, star=None) -> StarReading:
    star = star or _default_star()
    _not_future(taken_on, "taken_on", "The Star cannot be taken in the future")
    reading = StarReading(
        case=case,
        star=star,
        kind=kind,
        taken_on=taken_on,
        scores=_validate_scores(star, scores),
        recorded_by=actor,
    )
    reading.full_clean()
    reading.save()
    return reading


@case_action()
def record_star_reading(
    *,
    actor,
    case_id: int,
    kind: str,
    taken_on: dt.date,
    scores: Mapping[str, int],
    star_code: str | None = None,
    source: str = "",
) -> StarReading:
    """An Outcomes Star reading: every area scored on the Star's scale, dated."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("record_star", casework.CaseStatus(case.status))
    if kind not in StarReadingKind.values:
        raise ValidationError({"kind": ["Choose when the Star was taken"]})
    star = OutcomesStar.objects.filter(code=star_code).first() if star_code else None
    if star_code and star is None:
        raise ValidationError({"star_code": ["No such Outcomes Star"]})
    reading = _add_star_reading(
        actor=actor, case=case, kind=kind, taken_on=taken_on, scores=scores, star=star
    )
    record_write(
        actor=actor,
        code="star.recorded",
        instance=reading,
        details={"kind": kind, "taken_on": taken_on.isoformat(), "scores": reading.scores},
        source=source,
    )
    return reading


# ---------------------------------------------------------------- decision


@case_action()
def record_decision(
    *,
    actor,
    case_id: int,
    level: str,
    case_type_code: str,
    rationale: str,
    signposted_services: str = "",
    lead_professional_id: int | None = None,
    lead_professional_name: str = "",
    lead_professional_agency: str = "",
    plan_starts_on: dt.date | None = None,
    escalation: Mapping[str, object] | None = None,
    source: str = "",
) -> Decision:
    """The decision after assessment, with its evidence: Level 1 signpost and close (with
    the line manager's agreement), Level 2 plan with a lead professional, or Level 3/4
    escalation discussed with the line manager or DSO."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    errors: dict[str, list[str]] = {}
    if level not in Level.values:
        errors["level"] = ["Choose the level of need"]
    case_type = CaseType.objects.filter(code=case_type_code).first()
    if case_type is None:
        errors["case_type_code"] = ["Choose the case type"]
    if not rationale.strip():
        errors["rationale"] = ["Give the evidence and rationale for the decision"]
    if errors:
        raise ValidationError(errors)
    action = {
        Level.LEVEL_1: "decide_level_1",
        Level.LEVEL_2: "decide_level_2",
        Level.LEVEL_3_4: "decide_level_3_4",
    }[Level(level)]
    before_status, _ = _set_status(case, action)
    assessment = Assessment.objects.get(case=case)
    consent_refused_and_decided = (
        assessment.consent == ConsentDecision.REFUSED and assessment.consent_refusal_decision
    )
    if assessment.completed_at is None and not (
        level != Level.LEVEL_2 and consent_refused_and_decided
    ):
        raise StepNotReady(
            "Complete the assessment before recording the decision.", rule="assessment_incomplete"
        )
    now = timezone.now()
    decision = Decision(
        case=case,
        level=level,
        case_type=case_type,
        rationale=rationale.strip(),
        signposted_services=signposted_services.strip(),
        decided_by=actor,
        decided_at=now,
    )
    decision.full_clean()
    decision.save()
    case.level = level
    case.case_type = case_type
    changed = ["status", "level", "case_type"]
    details: dict[str, object] = {"level": level, "case_type": case_type.code}
    if level == Level.LEVEL_1:
        if not signposted_services.strip():
            raise ValidationError({"signposted_services": ["Record the services signposted"]})
        _save_case(case, *changed)
        request_approval(
            kind=ApprovalKind.LEVEL_1_CLOSURE,
            case=case,
            requested_by=actor,
            approver=line_manager_for(case),
            note=f"Signposted to: {decision.signposted_services}",
        )
    elif level == Level.LEVEL_2:
        _name_lead_professional(
            case,
            lead_professional_id=lead_professional_id,
            name=lead_professional_name,
            agency=lead_professional_agency,
        )
        start = plan_starts_on or timezone.localdate()
        if start < timezone.localdate(case.allocated_at):
            raise ValidationError({"plan_starts_on": ["The plan cannot start before allocation"]})
        case.plan_started_on = start
        case.next_review_due_by = casework.next_review_due_by(start, service_timescales())
        changed += [
            "lead_professional",
            "lead_professional_name",
            "lead_professional_agency",
            "plan_started_on",
            "next_review_due_by",
        ]
        _save_case(case, *changed)
        create_task(
            kind=TaskKind.REVIEW,
            title=f"Review the {case.family.name} family's plan",
            assignee=case.key_worker,
            case=case,
            due_on=case.next_review_due_by,
        )
        details["plan_started_on"] = start.isoformat()
        details["next_review_due_by"] = case.next_review_due_by.isoformat()
    else:
        _save_case(case, *changed)
        _record_escalation(actor=actor, case=case, data=escalation or {}, source=source)
    record_write(
        actor=actor,
        code="case.decision_recorded",
        instance=case,
        changes={"status": [before_status, case.status]},
        details={**details, "rationale": decision.rationale},
        source=source,
    )
    return decision


def _name_lead_professional(case: Case, *, lead_professional_id, name: str, agency: str) -> None:
    if lead_professional_id:
        lead = User.objects.filter(pk=lead_professional_id, is_active=True).first()
        if lead is None:
            raise ValidationError({"lead_professional_id": ["Choose a member of staff"]})
        case.lead_professional = lead
        case.lead_professional_name = lead.get_full_name()
        case.lead_professional_agency = "Wellbeing, Prevention and Early Help Service"
    elif name.strip() and agency.strip():
        case.lead_professional = None
        case.lead_professional_name = name.strip()
        case.lead_professional_agency = agency.strip()
    else:
        raise ValidationError(
            {"lead_professional": ["Name the lead professional: a worker, or a name and agency"]}
        )


def _record_escalation(*, actor, case: Case, data: Mapping[str, object], source: str):
    errors: dict[str, list[str]] = {}
    discussed_with = User.objects.filter(pk=data.get("discussed_with_id") or 0).first()
    if discussed_with is None or not discussed_with.has_role(Role.DSO, *MANAGER_ROLES):
        errors["escalation.discussed_with_id"] = ["Choose the line manager or DSO you consulted"]
    if not str(data.get("discussion", "")).strip():
        errors["escalation.discussion"] = ["Record the discussion"]
    if "csc_referral_made" not in data:
        errors["escalation.csc_referral_made"] = [
            "Say whether a referral to Children's Social Care was made"
        ]
    if not str(data.get("wpehs_future_role", "")).strip():
        errors["escalation.wpehs_future_role"] = ["Record the agreed future role of the service"]
    if errors:
        raise ValidationError(errors)
    escalation = Escalation.objects.create(
        case=case,
        discussed_with=discussed_with,
        discussion=str(data["discussion"]).strip(),
        csc_referral_made=bool(data["csc_referral_made"]),
        csc_reference=str(data.get("csc_reference", "")).strip(),
        wpehs_future_role=str(data["wpehs_future_role"]).strip(),
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    for dso in _dsos(case):
        queue_message(
            kind=MessageKind.DSO_NOTICE,
            to=dso.email,
            subject=f"Escalation: case {case.urn}",
            body=(
                f"The case {case.urn} ({case.family.name} family) has been escalated at level "
                f"3/4 after discussion with {discussed_with}. Referral to Children's Social "
                f"Care made: {'yes' if escalation.csc_referral_made else 'no'}. Agreed future "
                f"role of the service: {escalation.wpehs_future_role}"
            ),
            case=case,
        )
    record_write(
        actor=actor,
        code="case.escalated",
        instance=escalation,
        details={
            "discussed_with": discussed_with.email,
            "csc_referral_made": escalation.csc_referral_made,
            "csc_reference": escalation.csc_reference,
        },
        source=source,
    )


# ---------------------------------------------------------------- Level 2 plan


@case_action()
def add_plan_action(
    *,
    actor,
    case_id: int,
    what: str,
    who: str,
    by_when: dt.date,
    success_measure: str,
    outcome_number: int | None = None,
    source: str = "",
) -> PlanAction:
    """Add a SMART action to the plan: what, who, by when, and how success is measured."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("plan", casework.CaseStatus(case.status))
    errors: dict[str, list[str]] = {}
    for name, value, message in (
        ("what", what, "Say what will be done"),
        ("who", who, "Say who will do it"),
        ("success_measure", success_measure, "Say how success will be measured"),
    ):
        if not value.strip():
            errors[name] = [message]
    if by_when < case.plan_started_on:
        errors["by_when"] = ["The action cannot be due before the plan starts"]
    outcome = None
    if outcome_number is not None:
        outcome = ServiceOutcome.objects.filter(number=outcome_number).first()
        if outcome is None:
            errors["outcome_number"] = ["Choose one of the service's outcomes"]
    if errors:
        raise ValidationError(errors)
    action = PlanAction(
        case=case,
        what=what.strip(),
        who=who.strip(),
        by_when=by_when,
        success_measure=success_measure.strip(),
        outcome=outcome,
    )
    action.full_clean()
    action.save()
    record_write(
        actor=actor,
        code="plan.action_added",
        instance=action,
        changes=diff({}, snapshot(action)),
        source=source,
    )
    return action


@case_action()
def schedule_taf_meeting(
    *,
    actor,
    case_id: int,
    scheduled_for: dt.datetime,
    venue: str,
    agency_ids: list[int],
    source: str = "",
) -> TafMeeting:
    """Schedule a TAF meeting and send each invited agency an invitation."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("plan", casework.CaseStatus(case.status))
    agencies = list(Agency.objects.filter(pk__in=agency_ids))
    errors: dict[str, list[str]] = {}
    if not venue.strip():
        errors["venue"] = ["Enter where the meeting is"]
    if not agencies or len(agencies) != len(set(agency_ids)):
        errors["agency_ids"] = ["Choose the agencies to invite from the directory"]
    if scheduled_for < case.allocated_at:
        errors["scheduled_for"] = ["The meeting cannot be before the case was allocated"]
    if errors:
        raise ValidationError(errors)
    meeting = TafMeeting.objects.create(
        case=case, scheduled_for=scheduled_for, venue=venue.strip(), scheduled_by=actor
    )
    meeting.agencies.set(agencies)
    when = timezone.localtime(scheduled_for)
    for agency in agencies:
        queue_message(
            kind=MessageKind.TAF_INVITATION,
            to=agency.email,
            subject=f"Team Around the Family meeting: {case.urn}",
            body=(
                f"You are invited to the Team Around the Family meeting for the family with "
                f"CAF {case.urn} on {when:%A %d %B %Y at %H:%M}, at {meeting.venue}. "
                f"The lead professional is {case.lead_professional_name}."
            ),
            case=case,
        )
    record_write(
        actor=actor,
        code="taf.scheduled",
        instance=meeting,
        details={"when": when.isoformat(), "agencies": [a.name for a in agencies]},
        source=source,
    )
    return meeting


def _plan_needs_approval() -> bool:
    return service_settings().plan_needs_approval


def _queue_caf_submission(case: Case) -> None:
    actions = "\n".join(
        f"- {a.what} (who: {a.who}; by {a.by_when:%d %B %Y}; success: {a.success_measure})"
        for a in case.actions.all()
    )
    queue_message(
        kind=MessageKind.CAF_SUBMISSION,
        to=service_settings().caf_mailbox,
        subject=f"CAF/TAF submission: {case.urn}",
        body=(
            f"CAF {case.urn}. Level 2, case type {case.case_type.code}. Lead professional: "
            f"{case.lead_professional_name} ({case.lead_professional_agency}). Plan started "
            f"{case.plan_started_on:%d %B %Y}; first review due {case.next_review_due_by:%d %B %Y}."
            f"\n\nAction plan:\n{actions}\n"
        ),
        case=case,
    )


@case_action()
def submit_caf(*, actor, case_id: int, source: str = "") -> Case:
    """Submit the CAF and TAF plan to the CAF mailbox (after the plan's approval, where
    the configuration asks for one)."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("plan", casework.CaseStatus(case.status))
    if not case.actions.exists():
        raise StepNotReady("Add the plan's actions before submitting the CAF.")
    if case.caf_submitted_at is not None:
        raise StepNotReady("The CAF has already been submitted.")
    if _plan_needs_approval():
        request_approval(
            kind=ApprovalKind.PLAN,
            case=case,
            requested_by=actor,
            approver=line_manager_for(case),
            note="Action plan for sign-off before submission",
        )
        record_write(actor=actor, code="plan.approval_requested", instance=case, source=source)
        return case
    _queue_caf_submission(case)
    case.caf_submitted_at = timezone.now()
    _save_case(case, "caf_submitted_at")
    record_write(actor=actor, code="caf.submitted", instance=case, source=source)
    return case


@case_action()
def record_review(
    *,
    actor,
    case_id: int,
    held_on: dt.date,
    progress: Mapping[int, Mapping[str, str]],
    summary: str,
    outcome: str,
    star_scores: Mapping[str, int] | None = None,
    source: str = "",
) -> Review:
    """Review the plan: progress on each action, the Star at the 12-week review, and
    whether to continue, extend, step up, step down or close. Submitted to the CAF mailbox."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("review", casework.CaseStatus(case.status))
    errors: dict[str, list[str]] = {}
    _not_future(held_on, "held_on", "The review must have already happened")
    if held_on < case.plan_started_on:
        errors["held_on"] = ["A review cannot be before the plan started"]
    if case.last_reviewed_on and held_on < case.last_reviewed_on:
        errors["held_on"] = ["A review cannot be before the last review"]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = ["Choose the outcome of the review"]
    if not summary.strip():
        errors["summary"] = ["Summarise the progress"]
    actions = {a.pk: a for a in case.actions.all()}
    progress = {int(k): v for k, v in progress.items()}
    for pk in actions:
        item = progress.get(pk)
        if item is None or item.get("status") not in ActionStatus.values:
            errors[f"progress.{pk}"] = ["Record progress on every action"]
    if set(progress) - set(actions):
        errors["progress"] = ["Progress names an action that is not in this plan"]
    timescales = service_timescales()
    star_due = (
        casework.is_twelve_week_review(case.plan_started_on, held_on, timescales)
        and not case.reviews.filter(star_reading__isnull=False).exists()
    )
    if star_due and not star_scores:
        errors["star_scores"] = ["Take the Outcomes Star at the 12-week review"]
    if errors:
        raise ValidationError(errors)
    reading = None
    if star_scores:
        reading = _add_star_reading(
            actor=actor,
            case=case,
            kind=StarReadingKind.REVIEW,
            taken_on=held_on,
            scores=star_scores,
        )
    for pk, action in actions.items():
        status = progress[pk]["status"]
        if action.status != status:
            action.status = status
            action.save(update_fields=["status"])
    review = Review(
        case=case,
        held_on=held_on,
        progress={str(k): dict(v) for k, v in progress.items()},
        summary=summary.strip(),
        outcome=outcome,
        star_reading=reading,
        recorded_by=actor,
        submitted_at=timezone.now(),
    )
    review.full_clean()
    review.save()
    case.last_reviewed_on = held_on
    case.next_review_due_by = casework.next_review_due_by(held_on, timescales)
    _save_case(case, "last_reviewed_on", "next_review_due_by")
    complete_tasks(actor=actor, kind=TaskKind.REVIEW, case=case)
    if outcome in (ReviewOutcome.CONTINUE, ReviewOutcome.EXTEND):
        create_task(
            kind=TaskKind.REVIEW,
            title=f"Review the {case.family.name} family's plan",
            assignee=case.key_worker,
            case=case,
            due_on=case.next_review_due_by,
        )
    progress_lines = "\n".join(
        f"- {actions[pk].what}: {ActionStatus(v['status']).label}. {v.get('note', '')}"
        for pk, v in progress.items()
    )
    queue_message(
        kind=MessageKind.REVIEW_SUBMISSION,
        to=service_settings().caf_mailbox,
        subject=f"CAF review: {case.urn}, {held_on:%d %B %Y}",
        body=(
            f"Review of CAF {case.urn} held on {held_on:%d %B %Y}. Outcome: "
            f"{ReviewOutcome(outcome).label}.\n\n{review.summary}\n\nProgress:\n{progress_lines}\n"
        ),
        case=case,
    )
    record_write(
        actor=actor,
        code="review.recorded",
        instance=review,
        details={
            "held_on": held_on.isoformat(),
            "outcome": outcome,
            "star": reading.scores if reading else None,
            "next_review_due_by": case.next_review_due_by.isoformat(),
        },
        source=source,
    )
    return review


# ---------------------------------------------------------------- closure


@case_action()
def request_closure(
    *,
    actor,
    case_id: int,
    reason: str,
    notes: str = "",
    star_scores: Mapping[str, int] | None = None,
    source: str = "",
) -> Case:
    """Ask the line manager to agree closure, with the reason and the closing Star."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    before, _ = _set_status(case, "request_closure")
    if reason not in ClosureReason.values or reason == ClosureReason.SIGNPOSTED:
        raise ValidationError({"reason": ["Choose the reason for closing the case"]})
    if reason == ClosureReason.OTHER and not notes.strip():
        raise ValidationError({"notes": ["Explain the reason for closing"]})
    has_closure_star = case.star_readings.filter(kind=StarReadingKind.CLOSURE).exists()
    if before == Status.PLANNING and not has_closure_star and not star_scores:
        raise ValidationError({"star_scores": ["Take the Outcomes Star at closure"]})
    if star_scores:
        _add_star_reading(
            actor=actor,
            case=case,
            kind=StarReadingKind.CLOSURE,
            taken_on=timezone.localdate(),
            scores=star_scores,
        )
    case.status_before_closure = before
    case.closure_reason = reason
    case.closure_notes = notes.strip()
    _save_case(case, "status", "status_before_closure", "closure_reason", "closure_notes")
    request_approval(
        kind=ApprovalKind.CASE_CLOSURE,
        case=case,
        requested_by=actor,
        approver=line_manager_for(case),
        note=f"{ClosureReason(reason).label}. {case.closure_notes}".strip(),
    )
    record_write(
        actor=actor,
        code="case.closure_requested",
        instance=case,
        changes={"status": [before, case.status]},
        details={"reason": reason},
        source=source,
    )
    return case


def _close(case: Case, *, actor, reason: str) -> None:
    case.closed_on = timezone.localdate()
    if reason:
        case.closure_reason = reason
    complete_tasks(actor=actor, kind=TaskKind.REVIEW, case=case)
    complete_tasks(actor=actor, kind=TaskKind.INITIAL_VISIT, case=case)
    queue_message(
        kind=MessageKind.CLOSURE_NOTICE,
        to=service_settings().caf_mailbox,
        subject=f"CAF closed: {case.urn}",
        body=(
            f"CAF {case.urn} ({case.family.name} family) was closed on "
            f"{case.closed_on:%d %B %Y}. Reason: {ClosureReason(case.closure_reason).label}."
        ),
        case=case,
    )
    request = case.request
    if request.referrer_email:
        queue_message(
            kind=MessageKind.REFERRER_FEEDBACK,
            to=request.referrer_email,
            subject=f"Your Request for Support for the {case.family.name} family",
            body=(
                f"Dear {request.referrer_name},\n\nThe early help work with the "
                f"{case.family.name} family that you referred has now finished "
                f"({ClosureReason(case.closure_reason).label.lower()}). Thank you for your "
                f"referral.\n"
            ),
            case=case,
        )


def on_level_1_closure_decided(approval, *, actor, approved: bool) -> None:
    case = _lock_case(approval.case_id)
    action = "approve_level_1_closure" if approved else "reject_level_1_closure"
    before, _ = _set_status(case, action)
    if approved:
        _close(case, actor=actor, reason=ClosureReason.SIGNPOSTED)
    _save_case(case, "status", "closed_on", "closure_reason")
    record_write(
        actor=actor,
        code="case.closed" if approved else "case.level_1_closure_rejected",
        instance=case,
        changes={"status": [before, case.status]},
        details={"comments": approval.comments},
    )


def on_case_closure_decided(approval, *, actor, approved: bool) -> None:
    case = _lock_case(approval.case_id)
    before = case.status
    if approved:
        _set_status(case, "approve_closure")
        _close(case, actor=actor, reason="")
    else:
        case.status = case.status_before_closure or Status.PLANNING
        case.closure_reason = ""
    _save_case(case, "status", "closed_on", "closure_reason")
    record_write(
        actor=actor,
        code="case.closed" if approved else "case.closure_rejected",
        instance=case,
        changes={"status": [before, case.status]},
        details={"comments": approval.comments},
    )


def on_plan_decided(approval, *, actor, approved: bool) -> None:
    case = _lock_case(approval.case_id)
    if approved and case.caf_submitted_at is None:
        _queue_caf_submission(case)
        case.caf_submitted_at = timezone.now()
        _save_case(case, "caf_submitted_at")
    record_write(
        actor=actor,
        code="caf.submitted" if approved else "plan.rejected",
        instance=case,
        details={"comments": approval.comments},
    )


register_handler(ApprovalKind.LEVEL_1_CLOSURE, on_level_1_closure_decided)
register_handler(ApprovalKind.CASE_CLOSURE, on_case_closure_decided)
register_handler(ApprovalKind.PLAN, on_plan_decided)


# ---------------------------------------------------------------- safeguarding


@case_action()
def raise_safeguarding_concern(
    *, actor, case_id: int, concern: str, source: str = ""
) -> SafeguardingConcern:
    """ "Child needs protection": flag the case and alert the DSOs and the line manager
    at once, in the interface and by email."""
    case = _case_for_action(actor=actor, case_id=case_id, source=source)
    casework.check_case_action("raise_safeguarding", casework.CaseStatus(case.status))
    if not concern.strip():
        raise ValidationError({"concern": ["Describe the concern"]})
    record = SafeguardingConcern.objects.create(
        case=case, raised_by=actor, raised_at=timezone.now(), concern=concern.strip()
    )
    case.safeguarding_flag = True
    _save_case(case, "safeguarding_flag")
    recipients = {u.pk: u for u in _dsos(case)}
    manager = line_manager_for(case)
    if manager is not None:
        recipients[manager.pk] = manager
    today = timezone.localdate()
    for user in recipients.values():
        create_task(
            kind=TaskKind.SAFEGUARDING,
            title=f"Safeguarding concern raised: case {case.urn}",
            assignee=user,
            case=case,
            due_on=today,
        )
        queue_message(
            kind=MessageKind.SAFEGUARDING_ALERT,
            to=user.email,
            subject=f"URGENT safeguarding concern: case {case.urn}",
            body=(
                f"{actor} raised a safeguarding concern (child needs protection) on case "
                f"{case.urn} at {timezone.localtime(record.raised_at):%H:%M on %d %B %Y}. "
                f"Open the case in Early Help to read it and record the outcome."
            ),
            case=case,
        )
    record_write(
        actor=actor,
        code="safeguarding.raised",
        instance=record,
        details={"alerted": sorted(u.email for u in recipients.values())},
        source=source,
    )
    return record


def record_safeguarding_outcome(
    *, actor, concern_id: int, outcome: str, source: str = ""
) -> SafeguardingConcern:
    """A DSO records the outcome; the flag lifts when no concern is left open."""
    # Checked before the transaction, so that a refusal stays on the audit log.
    concern = (
        SafeguardingConcern.objects.select_related("case__team__district")
        .filter(pk=concern_id)
        .first()
    )
    if not actor.has_perm("cases.record_safeguarding_outcome", concern):
        record_denied(
            actor=actor,
            object_type="cases.safeguardingconcern",
            object_id=concern_id,
            source=source,
        )
        raise PermissionDenied(
            "Only a designated safeguarding officer covering the family's district can record "
            "the outcome."
        )
    return _record_safeguarding_outcome(
        actor=actor, concern_id=concern_id, outcome=outcome, source=source
    )


@transaction.atomic
def _record_safeguarding_outcome(
    *, actor, concern_id: int, outcome: str, source: str
) -> SafeguardingConcern:
    record = (
        SafeguardingConcern.objects.select_for_update()
        .select_related("case__family")
        .filter(pk=concern_id)
        .first()
    )
    if record is None:
        raise Http404("No such safeguarding concern.")
    if not record.is_open:
        raise StepNotReady("The outcome of this concern is already recorded.")
    if not outcome.strip():
        raise ValidationError({"outcome": ["Record the outcome"]})
    record.outcome = outcome.strip()
    record.outcome_recorded_by = actor
    record.outcome_recorded_at = timezone.now()
    record.save(update_fields=["outcome", "outcome_recorded_by", "outcome_recorded_at"])
    case = _lock_case(record.case_id)
    if not case.safeguarding_concerns.filter(outcome_recorded_at__isnull=True).exists():
        case.safeguarding_flag = False
        _save_case(case, "safeguarding_flag")
        complete_tasks(actor=actor, kind=TaskKind.SAFEGUARDING, case=case)
    record_write(
        actor=actor,
        code="safeguarding.outcome_recorded",
        instance=record,
        # Never the outcome or the concern text: the audit log is read by more people
        # than may read them (cases/rules.py).
        details={"flag_lifted": not case.safeguarding_flag},
        source=source,
    )
    return record


MAX_SAFEGUARDING_NOTE_LENGTH = 20_000


@case_action("cases.add_safeguarding_note")
def record_safeguarding_note(
    *,
    actor,
    case_id: int,
    text: str,
    occurred_at: dt.datetime,
    category: str = "",
    corrects_id: int | None = None,
    source: str = "",
) -> SafeguardingNote:
    """Add a restricted safeguarding note (key worker, their line management, the DSOs
    covering the case). Notes are never changed: a correction is a new note naming the
    one it corrects. The audit event carries no text, since the chronology and audit
    log are read by more people than the notes."""
    case = _case_for_action(
        actor=actor, case_id=case_id, source=source, permission="cases.add_safeguarding_note"
    )
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = ["Enter the safeguarding note"]
    elif "\x00" in text:
        errors["text"] = ["The note contains a character that cannot be saved"]
    elif len(text) > MAX_SAFEGUARDING_NOTE_LENGTH:
        errors["text"] = [f"The note must be {MAX_SAFEGUARDING_NOTE_LENGTH:,} characters or fewer"]
    if category not in ("", *SafeguardingNoteCategory.values):
        errors["category"] = ["Choose a category from the list, or none"]
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now():
        errors["occurred_at"] = ["The date and time must be now or in the past"]
    elif occurred_at < case.allocated_at - dt.timedelta(days=1):
        errors["occurred_at"] = ["The date and time cannot be before the case was opened"]
    corrects = None
    if corrects_id is not None:
        corrects = SafeguardingNote.objects.filter(pk=corrects_id, case=case).first()
        if corrects is None:
            errors["corrects_id"] = ["Choose a safeguarding note of this case"]
    if errors:
        raise ValidationError(errors)
    note = SafeguardingNote(
        case=case,
        occurred_at=occurred_at,
        category=category,
        text=text,
        author=actor,
        recorded_at=timezone.now(),
        corrects=corrects,
    )
    note.full_clean()
    note.save()
    record_write(
        actor=actor,
        code="safeguarding_note.recorded",
        instance=note,
        details={"category": category, "corrects": corrects_id},
        source=source,
    )
    return note


# ---------------------------------------------------------------- key worker change


def reassign_key_worker(*, actor, case_id: int, new_worker, reason: str, source: str = "") -> Case:
    """Hand an open case to another key worker: the case's and the family's key worker
    (and the lead professional, when it was the old worker) become the new worker, the
    case's open tasks follow, and the new worker is told by message.

    Called by ``workforce.services.reassign_caseload`` inside its transaction, after it
    has authorised the actor on the old worker's caseload.
    """
    case = _lock_case(case_id)
    if not case.is_open:
        raise StepNotReady(f"Case {case.urn} is closed: it cannot be reassigned.")
    if new_worker.pk == case.key_worker_id:
        raise ValidationError({"new_worker": [f"Case {case.urn} is already held by them."]})
    new_team = new_worker.staff.team
    if new_team is None:
        raise ValidationError({"new_worker": ["The new key worker must belong to a team."]})
    old_worker = case.key_worker
    fields = ["key_worker", "team"]
    before = snapshot(case, ("key_worker_id", "team_id", "lead_professional_id"))
    case.key_worker = new_worker
    case.team = new_team
    if case.lead_professional_id == old_worker.pk:
        case.lead_professional = new_worker
        fields.append("lead_professional")
    _save_case(case, *fields)
    family = case.family
    family_before = snapshot(family, ("team_id", "key_worker_id"))
    family.key_worker = new_worker
    family.team = new_team
    family.save(update_fields=["team", "key_worker", "updated_at"])
    moved_tasks = case.tasks.filter(assignee=old_worker, completed_at__isnull=True).update(
        assignee=new_worker
    )
    queue_message(
        kind=MessageKind.LP_CONTACT,
        to=new_worker.email,
        subject=f"You are now the key worker for case {case.urn}",
        body=(
            f"{actor.get_full_name() or actor.email} has made you the key worker and lead "
            f"professional for the {family.name} family (case {case.urn}), which "
            f"{old_worker.get_full_name() or old_worker.email} held. Reason: {reason}"
        ),
        case=case,
    )
    changes = diff(before, snapshot(case, ("key_worker_id", "team_id", "lead_professional_id")))
    family_changes = diff(family_before, snapshot(family, ("team_id", "key_worker_id")))
    changes.update({f"family.{name}": value for name, value in family_changes.items()})
    record_write(
        actor=actor,
        code="case.key_worker_changed",
        instance=case,
        changes=changes,
        details={
            "from_name": old_worker.get_full_name() or old_worker.email,
            "to_name": new_worker.get_full_name() or new_worker.email,
            "reason": reason,
            "tasks_moved": moved_tasks,
        },
        source=source,
    )
    return case
