"""Every change to programme attachments and claims: attach a family, record progress on
a need, record an adult's employment, make a claim. Each is authorised before its
transaction opens (a refusal stays on the audit log), applies the rules of
domain/claims.py and leaves one audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from earlyhelp.audit.services import record_write
from earlyhelp.cases.models import Case
from earlyhelp.claims import selectors
from earlyhelp.claims.errors import (
    AlreadyAttached,
    AlreadyClaimed,
    ClaimNotDue,
    NoActiveFramework,
    NoEmploymentRoute,
    NotEligible,
)
from earlyhelp.claims.models import (
    Attachment,
    Claim,
    EmploymentEpisode,
    IdentifiedNeed,
    NeedProgress,
)
from earlyhelp.core.actions import authorised_action
from earlyhelp.domain import claims as rules
from earlyhelp.people.models import FamilyMember, Relationship

ADULT_AGE = 18
CHILD_RELATIONSHIPS = {Relationship.CHILD, Relationship.SIBLING}


def _on_case(permission: str):
    return authorised_action(
        queryset=lambda: Case.objects.select_related(
            "family", "team", "key_worker__staff__line_manager"
        ),
        id_argument="case_id",
        permission=permission,
        not_found="No case with that reference.",
        refused="You may not record Troubled Families work on this case.",
    )


def _on_attachment(permission: str, refused: str):
    return authorised_action(
        queryset=lambda: Attachment.objects.select_related(
            "family__team", "framework", "case__team", "case__key_worker__staff__line_manager"
        ),
        id_argument="attachment_id",
        permission=permission,
        not_found="No programme attachment with that reference.",
        refused=refused,
    )


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _not_future(day: dt.date, field: str, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [message]})


def _locked_attachment(attachment_id: int) -> Attachment:
    return (
        Attachment.objects.select_for_update(of=("self",))
        .select_related("framework", "family", "case")
        .get(pk=attachment_id)
    )


# ---------------------------------------------------------------- attach


@_on_case("claims.record_progress")
def attach_family(
    *,
    actor,
    case_id: int,
    needs: Mapping[str, str],
    attached_on: dt.date,
    framework_code: str | None = None,
    notes: str = "",
    source: str = "",
) -> Attachment:
    """Attach the case's family to a programme (the active framework by default) with
    the needs identified, each with its evidence; a family the framework's eligibility
    rule does not admit is refused with the reason, and a family is attached once."""
    framework = selectors.framework_by_code(framework_code)
    if framework is None:
        if framework_code:
            raise ValidationError({"framework_code": ["Choose a framework that is loaded"]})
        raise NoActiveFramework("No Troubled Families framework is loaded yet.")
    case = Case.objects.select_related("family").get(pk=case_id)
    _not_future(attached_on, "attached_on", "The attachment date must be today or in the past")
    if framework.starts_on and attached_on < framework.starts_on:
        raise ValidationError(
            {
                "attached_on": [
                    f"The attachment date must be on or after {_long(framework.starts_on)}, "
                    f"when {framework.name} started"
                ]
            }
        )
    offered = {n.code: n for n in selectors.current_needs(framework)}
    chosen = list(dict.fromkeys(needs))
    if not chosen:
        raise ValidationError({"needs": ["Choose the needs identified for the family"]})
    if unknown := [code for code in chosen if code not in offered]:
        raise ValidationError({"needs": [f"Choose needs from the list (not {', '.join(unknown)})"]})
    missing = [code for code in chosen if not str(needs[code]).strip()]
    if missing:
        raise ValidationError(
            {
                f"evidence.{code}": [f"Enter the evidence for: {offered[code].title}"]
                for code in missing
            }
        )
    eligibility = rules.check_eligibility(selectors.domain_framework(framework), chosen)
    if not eligibility.eligible:
        raise NotEligible(eligibility.reason, field="needs")
    if Attachment.objects.filter(family_id=case.family_id, framework=framework).exists():
        raise AlreadyAttached(
            f"The {case.family.name} family is already attached to {framework.name}."
        )
    attachment = Attachment(
        family=case.family,
        framework=framework,
        case=case,
        attached_on=attached_on,
        notes=notes.strip(),
        recorded_by=actor,
    )
    attachment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError as error:
        raise AlreadyAttached(
            f"The {case.family.name} family is already attached to {framework.name}."
        ) from error
    IdentifiedNeed.objects.bulk_create(
        IdentifiedNeed(attachment=attachment, need=offered[code], evidence=needs[code].strip())
        for code in chosen
    )
    record_write(
        actor=actor,
        code="claims.family_attached",
        instance=attachment,
        details={
            "framework": framework.code,
            "attached_on": attached_on.isoformat(),
            "needs": chosen,
            "eligibility": eligibility.reason,
        },
        source=source,
    )
    return attachment


# ---------------------------------------------------------------- progress


@_on_attachment(
    "claims.record_progress", "Only the case's key worker and their managers record progress."
)
def record_progress(
    *,
    actor,
    attachment_id: int,
    need_code: str,
    recorded_on: dt.date,
    status: str,
    evidence: str,
    source: str = "",
) -> NeedProgress:
    """Progress on one identified need: made, sustained (evidence that it still holds)
    or regressed (which undoes the progress before it). Dated from the attachment to
    today; "sustained" needs progress recorded before it since any regression."""
    attachment = _locked_attachment(attachment_id)
    if hasattr(attachment, "claim"):
        raise AlreadyClaimed(
            f"A claim has been made for the {attachment.family.name} family: its progress "
            f"is settled."
        )
    identified = (
        IdentifiedNeed.objects.select_related("need")
        .filter(attachment=attachment, need__code=need_code)
        .first()
    )
    if identified is None:
        raise ValidationError({"need_code": ["Choose one of the family's identified needs"]})
    if status not in NeedProgress.Status.values:
        raise ValidationError({"status": ["Choose progress made, sustained or regressed"]})
    _not_future(recorded_on, "recorded_on", "The date must be today or in the past")
    if recorded_on < attachment.attached_on:
        raise ValidationError(
            {
                "recorded_on": [
                    f"The date must be on or after the attachment, {_long(attachment.attached_on)}"
                ]
            }
        )
    if not evidence.strip():
        raise ValidationError({"evidence": ["Enter the evidence"]})
    if status == NeedProgress.Status.SUSTAINED:
        earlier = [
            rules.ProgressEntry(need_code, p.recorded_on, rules.ProgressStatus(p.status))
            for p in identified.progress.filter(recorded_on__lte=recorded_on)
        ]
        framework = selectors.domain_framework(attachment.framework)
        standing = rules.need_outcome(
            framework, need_code, earlier, closed_on=None, as_of=recorded_on
        )
        if standing.progress_on is None:
            raise ValidationError(
                {"status": ["Record the progress first: nothing is sustained without it"]}
            )
    progress = NeedProgress(
        identified_need=identified,
        recorded_on=recorded_on,
        status=status,
        evidence=evidence.strip(),
        recorded_by=actor,
    )
    progress.full_clean()
    progress.save()
    record_write(
        actor=actor,
        code="claims.progress_recorded",
        instance=progress,
        details={
            "attachment": attachment.pk,
            "need": need_code,
            "status": status,
            "recorded_on": recorded_on.isoformat(),
        },
        source=source,
        subject_family_id=attachment.family_id,
        subject_case_id=attachment.case_id,
    )
    return progress


# ---------------------------------------------------------------- employment


def _age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@_on_attachment(
    "claims.record_progress",
    "Only the case's key worker and their managers record employment.",
)
def record_employment(
    *,
    actor,
    attachment_id: int,
    person_id: int,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    was_on_jsa: bool = False,
    evidence: str,
    source: str = "",
) -> EmploymentEpisode:
    """A spell of work of an adult of the family (18 or over when it started), for the
    continuous-employment route; refused where the framework has no such route."""
    attachment = _locked_attachment(attachment_id)
    if not attachment.framework.has_employment_route:
        raise NoEmploymentRoute(
            f"{attachment.framework.name} has no continuous-employment route: record the "
            f"progress on the family's needs instead."
        )
    if hasattr(attachment, "claim"):
        raise AlreadyClaimed(f"A claim has been made for the {attachment.family.name} family.")
    membership = (
        FamilyMember.objects.select_related("person")
        .filter(family_id=attachment.family_id, person_id=person_id)
        .first()
    )
    if membership is None:
        raise ValidationError({"person_id": ["Choose a member of the family"]})
    person = membership.person
    adult = (
        _age_on(person.date_of_birth, started_on) >= ADULT_AGE
        if person.date_of_birth
        else membership.relationship not in CHILD_RELATIONSHIPS
    )
    if not adult:
        raise ValidationError({"person_id": [f"{person} was not an adult when the work started"]})
    _not_future(started_on, "started_on", "The start date must be today or in the past")
    if ended_on is not None:
        _not_future(ended_on, "ended_on", "The end date must be today or in the past")
        if ended_on < started_on:
            raise ValidationError({"ended_on": ["The end date must be on or after the start"]})
    if not evidence.strip():
        raise ValidationError({"evidence": ["Enter the evidence of the work"]})
    episode = EmploymentEpisode(
        attachment=attachment,
        person=person,
        started_on=started_on,
        ended_on=ended_on,
        was_on_jsa=was_on_jsa,
        evidence=evidence.strip(),
        recorded_by=actor,
    )
    episode.full_clean()
    episode.save()
    record_write(
        actor=actor,
        code="claims.employment_recorded",
        instance=episode,
        details={
            "attachment": attachment.pk,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
            "was_on_jsa": was_on_jsa,
        },
        source=source,
        subject_family_id=attachment.family_id,
        subject_case_id=attachment.case_id,
    )
    return episode


@_on_attachment(
    "claims.record_progress",
    "Only the case's key worker and their managers record employment.",
)
def end_employment(
    *, actor, attachment_id: int, episode_id: int, ended_on: dt.date, source: str = ""
) -> EmploymentEpisode:
    """The day a recorded spell of work ended."""
    attachment = _locked_attachment(attachment_id)
    episode = EmploymentEpisode.objects.filter(pk=episode_id, attachment=attachment).first()
    if episode is None:
        raise ValidationError({"episode_id": ["Choose a spell of work of this family"]})
    if episode.ended_on is not None:
        raise ValidationError({"ended_on": ["This spell of work has already ended"]})
    _not_future(ended_on, "ended_on", "The end date must be today or in the past")
    if ended_on < episode.started_on:
        raise ValidationError({"ended_on": ["The end date must be on or after the start"]})
    episode.ended_on = ended_on
    episode.save(update_fields=["ended_on"])
    record_write(
        actor=actor,
        code="claims.employment_ended",
        instance=episode,
        changes={"ended_on": [None, ended_on.isoformat()]},
        source=source,
        subject_family_id=attachment.family_id,
        subject_case_id=attachment.case_id,
    )
    return episode


# ---------------------------------------------------------------- claims


def evidence_of(attachment: Attachment, assessment: rules.ClaimAssessment) -> dict:
    """What a claim rests on, kept with it: each need's progress, the day it was
    sustained and the evidence; or the adult's continuous employment."""
    needs = []
    for identified, outcome in zip(attachment.needs.all(), assessment.needs, strict=True):
        needs.append(
            {
                "code": identified.need.code,
                "title": identified.need.title,
                "headline": identified.need.headline_title,
                "identified_evidence": identified.evidence,
                "progress_on": outcome.progress_on.isoformat() if outcome.progress_on else None,
                "sustained_on": outcome.sustained_on.isoformat() if outcome.sustained_on else None,
                "evidence": list(outcome.evidence),
            }
        )
    evidence: dict = {"route": assessment.route, "needs": needs}
    if assessment.route == rules.ClaimRoute.EMPLOYMENT:
        spells = [
            e for e in attachment.employment.all() if e.person_id == assessment.employed_person_id
        ]
        person = spells[0].person if spells else None
        evidence["employment"] = {
            "person_id": assessment.employed_person_id,
            "person": str(person) if person else "",
            "due_on": assessment.employment_due_on.isoformat(),
            "episodes": [
                {
                    "started_on": e.started_on.isoformat(),
                    "ended_on": e.ended_on.isoformat() if e.ended_on else None,
                    "was_on_jsa": e.was_on_jsa,
                    "evidence": e.evidence,
                }
                for e in spells
            ],
        }
    return evidence


@_on_attachment("claims.make_claim", "Only managers and the head of service make claims.")
def make_claim(
    *,
    actor,
    attachment_id: int,
    window_start: dt.date,
    window_end: dt.date,
    source: str = "",
) -> Claim:
    """Claim for an attached family in a claim window: the claim must be due by the
    window's last day (assessed then), and a family is never claimed twice under one
    framework."""
    if window_end < window_start:
        raise ValidationError({"window_end": ["The window must end on or after its start"]})
    _not_future(window_end, "window_end", "The window cannot end in the future")
    locked = _locked_attachment(attachment_id)
    if Claim.objects.filter(family_id=locked.family_id, framework_id=locked.framework_id).exists():
        raise AlreadyClaimed(
            f"The {locked.family.name} family has already been claimed for under "
            f"{locked.framework.name}."
        )
    attachment = selectors.attachment_with_records(attachment_id=attachment_id)
    assessment = selectors.assess(attachment, as_of=window_end)
    if not assessment.due:
        raise ClaimNotDue(
            f"No claim is due for the {attachment.family.name} family by "
            f"{_long(window_end)}. " + " ".join(assessment.reasons)
        )
    claim = Claim(
        attachment=attachment,
        family=attachment.family,
        framework=attachment.framework,
        route=assessment.route,
        due_on=assessment.due_on,
        window_start=window_start,
        window_end=window_end,
        evidence=evidence_of(attachment, assessment),
        claimed_by=actor,
        claimed_at=timezone.now(),
    )
    claim.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:
        raise AlreadyClaimed(
            f"The {attachment.family.name} family has already been claimed for."
        ) from error
    record_write(
        actor=actor,
        code="claims.claim_made",
        instance=claim,
        details={
            "framework": attachment.framework.code,
            "route": assessment.route,
            "due_on": assessment.due_on.isoformat(),
            "window": [window_start.isoformat(), window_end.isoformat()],
        },
        source=source,
        subject_case_id=attachment.case_id,
    )
    return claim
