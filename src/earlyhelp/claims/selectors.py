"""Reads of programme attachments and claims, scoped by the family access rule, each
in a fixed number of queries; and ``programme_progress``, the figures the dashboard and
governance reports show for Troubled Families / Supporting Families."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases.models import Case, Status
from earlyhelp.claims.loader import to_domain
from earlyhelp.claims.models import (
    Attachment,
    Claim,
    ClaimFramework,
    EmploymentEpisode,
    FrameworkNeed,
    IdentifiedNeed,
    NeedProgress,
)
from earlyhelp.domain import claims as rules
from earlyhelp.people.models import Family
from earlyhelp.people.rules import families_visible_to
from earlyhelp.people.selectors import FamilyAccessDenied

GROUPINGS = ("locality", "district", "team")
NOT_RECORDED = "Not recorded"


# ---------------------------------------------------------------- frameworks


def active_framework() -> ClaimFramework | None:
    """The framework new attachments and the claims pages use."""
    return ClaimFramework.objects.filter(is_active=True).first()


def framework_by_code(code: str | None) -> ClaimFramework | None:
    """A framework by its code; the active one when no code is given."""
    if not code:
        return active_framework()
    return ClaimFramework.objects.filter(code=code).first()


def frameworks() -> list[ClaimFramework]:
    """Every loaded framework with its needs, the active one first."""
    return list(
        ClaimFramework.objects.prefetch_related(
            Prefetch("needs", queryset=FrameworkNeed.objects.order_by("sort_order", "pk"))
        )
    )


def domain_framework(row: ClaimFramework) -> rules.Framework:
    """The framework's rules as the domain takes them."""
    return to_domain(row, list(row.needs.order_by("sort_order", "pk")))


def current_needs(row: ClaimFramework) -> list[FrameworkNeed]:
    """The needs offered when attaching a family, in the framework's order."""
    return list(row.needs.filter(is_current=True).order_by("sort_order", "pk"))


# ---------------------------------------------------------------- attachments


def _attachments() -> QuerySet[Attachment]:
    """Attachments with everything an assessment and a list row read, in 5 queries."""
    return Attachment.objects.select_related(
        "family__district__locality",
        "case__team",
        "case__key_worker",
        "framework",
        "recorded_by",
        "claim__claimed_by",
    ).prefetch_related(
        Prefetch(
            "needs",
            queryset=IdentifiedNeed.objects.select_related("need").prefetch_related(
                Prefetch(
                    "progress",
                    queryset=NeedProgress.objects.select_related("recorded_by").order_by(
                        "recorded_on", "pk"
                    ),
                )
            ),
        ),
        Prefetch("employment", queryset=_employment_queryset()),
    )


def _employment_queryset():
    return EmploymentEpisode.objects.select_related("person", "recorded_by").order_by(
        "started_on", "pk"
    )


def _visible(*, user, framework: ClaimFramework) -> QuerySet[Attachment]:
    visible = Family.objects.filter(families_visible_to(user)).values("pk")
    return Attachment.objects.filter(framework=framework, family__in=visible)


def assess(
    attachment: Attachment, *, as_of: dt.date, framework: rules.Framework | None = None
) -> rules.ClaimAssessment:
    """Whether a claim is due for the attached family as of a date (domain/claims.py),
    from its prefetched needs, progress and employment."""
    framework = framework or to_domain(attachment.framework)
    needs = [identified.need.code for identified in attachment.needs.all()]
    progress = [
        rules.ProgressEntry(
            need=identified.need.code,
            on=entry.recorded_on,
            status=rules.ProgressStatus(entry.status),
            evidence=entry.evidence,
        )
        for identified in attachment.needs.all()
        for entry in identified.progress.all()
    ]
    episodes = [
        rules.EmploymentEpisode(
            person_id=episode.person_id,
            started_on=episode.started_on,
            ended_on=episode.ended_on,
            was_on_jsa=episode.was_on_jsa,
        )
        for episode in attachment.employment.all()
    ]
    return rules.assess_claim(
        framework,
        attached_on=attachment.attached_on,
        needs=needs,
        progress=progress,
        episodes=episodes,
        closed_on=attachment.case.closed_on,
        as_of=as_of,
    )


def attachment_with_records(*, attachment_id: int) -> Attachment | None:
    """One attachment with its needs, progress, employment and claim. Not
    access-checked: callers check."""
    return _attachments().filter(pk=attachment_id).first()


def access_attachment(*, user, attachment_id: int, source: str) -> Attachment:
    """One attachment with its needs, progress, employment and claim; the look is
    audited, and so is a refusal."""
    attachment = attachment_with_records(attachment_id=attachment_id)
    if attachment is None:
        raise Http404("No programme attachment with that reference.")
    if not user.has_perm("claims.view_attachment", attachment):
        record_denied(
            actor=user, object_type="claims.attachment", object_id=attachment_id, source=source
        )
        raise FamilyAccessDenied("You do not have access to this family.")
    record_view(actor=user, instance=attachment, source=source, code="attachment.viewed")
    return attachment


def attachment_for_case(*, case: Case, framework: ClaimFramework) -> Attachment | None:
    """The family's attachment to the framework, if there is one."""
    return (
        Attachment.objects.filter(family_id=case.family_id, framework=framework)
        .select_related("case")
        .first()
    )


# States of an attached family, for lists and filters.
STATE_LABELS = {
    "identified": "Needs identified",
    "progress": "Progress made",
    "claimable": "Claim due",
    "claimed": "Claimed",
}


@dataclass(frozen=True)
class AttachmentRow:
    attachment: Attachment
    assessment: rules.ClaimAssessment
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def state_of(attachment: Attachment, assessment: rules.ClaimAssessment, as_of: dt.date) -> str:
    """identified, progress, claimable or claimed (``STATE_LABELS``), as of a date."""
    claim = getattr(attachment, "claim", None)
    if claim is not None and claim.claimed_at.date() <= as_of:
        return "claimed"
    if assessment.due:
        return "claimable"
    if any(o.progress_on is not None for o in assessment.needs):
        return "progress"
    return "identified"


@dataclass(frozen=True)
class Standing:
    """Where an attachment stands, worked out from plain rows (no model instances), so
    that figures over thousands of families stay quick; with where the family is."""

    attachment_id: int
    family_id: int
    attached_on: dt.date
    claimed_on: dt.date | None
    district_id: int | None
    district: tuple[str, str] | None
    locality_id: int | None
    locality: tuple[str, str] | None
    team: tuple[int, str]
    assessment: rules.ClaimAssessment
    state: str


def _state(claimed_on: dt.date | None, assessment: rules.ClaimAssessment, as_of: dt.date) -> str:
    if claimed_on is not None and claimed_on <= as_of:
        return "claimed"
    if assessment.due:
        return "claimable"
    if any(o.progress_on is not None for o in assessment.needs):
        return "progress"
    return "identified"


def standings(
    attachments: QuerySet[Attachment], *, framework: rules.Framework, as_of: dt.date
) -> list[Standing]:
    """Each attachment of the queryset assessed as of a date, in five queries whatever
    their number: the attachments, their needs, progress and employment as rows."""
    ids = attachments.values("pk")
    rows = attachments.order_by("-attached_on", "-pk").values_list(
        "pk",
        "family_id",
        "attached_on",
        "case__closed_on",
        "claim__claimed_at",
        "family__district_id",
        "family__district__code",
        "family__district__name",
        "family__district__locality_id",
        "family__district__locality__code",
        "family__district__locality__name",
        "case__team_id",
        "case__team__name",
    )
    needs: dict[int, list[str]] = defaultdict(list)
    for attachment_id, code in (
        IdentifiedNeed.objects.filter(attachment__in=ids)
        .order_by("need__sort_order", "pk")
        .values_list("attachment_id", "need__code")
    ):
        needs[attachment_id].append(code)
    progress: dict[int, list[rules.ProgressEntry]] = defaultdict(list)
    for attachment_id, code, on, status, evidence in (
        NeedProgress.objects.filter(identified_need__attachment__in=ids)
        .order_by("recorded_on", "pk")
        .values_list(
            "identified_need__attachment_id",
            "identified_need__need__code",
            "recorded_on",
            "status",
            "evidence",
        )
    ):
        progress[attachment_id].append(
            rules.ProgressEntry(code, on, rules.ProgressStatus(status), evidence)
        )
    episodes: dict[int, list[rules.EmploymentEpisode]] = defaultdict(list)
    for attachment_id, person_id, started_on, ended_on, was_on_jsa in (
        EmploymentEpisode.objects.filter(attachment__in=ids)
        .order_by("started_on", "pk")
        .values_list("attachment_id", "person_id", "started_on", "ended_on", "was_on_jsa")
    ):
        episodes[attachment_id].append(
            rules.EmploymentEpisode(person_id, started_on, ended_on, was_on_jsa)
        )
    result = []
    for (
        pk,
        family_id,
        attached_on,
        closed_on,
        claimed_at,
        district_id,
        district_code,
        district_name,
        locality_id,
        locality_code,
        locality_name,
        team_id,
        team_name,
    ) in rows:
        assessment = rules.assess_claim(
            framework,
            attached_on=attached_on,
            needs=needs[pk],
            progress=progress[pk],
            episodes=episodes[pk],
            closed_on=closed_on,
            as_of=as_of,
        )
        claimed_on = timezone.localdate(claimed_at) if claimed_at else None
        result.append(
            Standing(
                attachment_id=pk,
                family_id=family_id,
                attached_on=attached_on,
                claimed_on=claimed_on,
                district_id=district_id,
                district=(district_code, district_name) if district_id else None,
                locality_id=locality_id,
                locality=(locality_code, locality_name) if locality_id else None,
                team=(team_id, team_name),
                assessment=assessment,
                state=_state(claimed_on, assessment, as_of),
            )
        )
    return result


def _in_place(
    attachments: QuerySet[Attachment],
    *,
    locality_id: int | None = None,
    district_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Attachment]:
    """Attachments of families in a locality or district, or of cases of a team."""
    if district_id is not None:
        attachments = attachments.filter(family__district_id=district_id)
    if locality_id is not None:
        attachments = attachments.filter(family__district__locality_id=locality_id)
    if team_id is not None:
        attachments = attachments.filter(case__team_id=team_id)
    return attachments


def attachment_rows(
    *,
    user,
    framework: ClaimFramework,
    as_of: dt.date | None = None,
    state: str | None = None,
    locality_id: int | None = None,
    district_id: int | None = None,
    team_id: int | None = None,
) -> list[Standing]:
    """Every attached family the user may see, assessed as of a date (today by
    default), newest attachment first, optionally only those in one state
    (``STATE_LABELS``) and in one locality, district (the family's) or team (the
    case's): the families behind a ``programme_progress`` figure. ``rows_for`` loads the
    records of the ones a page shows."""
    as_of = as_of or timezone.localdate()
    found = standings(
        _in_place(
            _visible(user=user, framework=framework),
            locality_id=locality_id,
            district_id=district_id,
            team_id=team_id,
        ),
        framework=domain_framework(framework),
        as_of=as_of,
    )
    return [row for row in found if state is None or row.state == state]


def rows_for(found: list[Standing]) -> list[AttachmentRow]:
    """The attachments behind some standings, in their order, with what a list row or
    a report line shows (the family, its place, the case and the needs identified; the
    progress and its evidence are in the standing's assessment)."""
    attachments = (
        Attachment.objects.filter(pk__in=[s.attachment_id for s in found])
        .select_related("family__district__locality", "case__team", "framework")
        .prefetch_related(Prefetch("needs", queryset=IdentifiedNeed.objects.select_related("need")))
    )
    by_id = {a.pk: a for a in attachments}
    return [AttachmentRow(by_id[s.attachment_id], s.assessment, s.state) for s in found]


# ---------------------------------------------------------------- possibly eligible


@dataclass(frozen=True)
class Candidate:
    """An open case whose CAF recorded TFU criteria that would make the family eligible."""

    case: Case
    needs: tuple[rules.Need, ...]
    eligibility: rules.Eligibility


def suggested_needs(framework: rules.Framework, criteria: list[int]) -> tuple[rules.Need, ...]:
    """The framework's first need under each headline that a recorded TFU criterion
    maps to: what the attach form starts with."""
    chosen: dict[str, rules.Need] = {}
    for need in framework.needs:
        if need.tfu_criterion in criteria and need.headline not in chosen:
            chosen[need.headline] = need
    return tuple(chosen.values())


def possibly_eligible(*, user, framework: ClaimFramework) -> list[Candidate]:
    """Open cases of families the user may see, not yet attached to the framework, whose
    assessment's TFU criteria alone would make them eligible."""
    rule = domain_framework(framework)
    current = {n.code for n in current_needs(framework)}
    visible = Family.objects.filter(families_visible_to(user)).values("pk")
    attached = Attachment.objects.filter(framework=framework).values("family_id")
    cases = (
        Case.objects.filter(family__in=visible)
        .exclude(status=Status.CLOSED)
        .exclude(family__in=attached)
        .filter(assessment__tfu_criteria__isnull=False)
        .distinct()
        .select_related("family__district__locality", "key_worker", "team")
        .prefetch_related("assessment__tfu_criteria")
        .order_by("family__name", "pk")
    )
    candidates = []
    for case in cases:
        criteria = [c.number for c in case.assessment.tfu_criteria.all()]
        needs = tuple(n for n in suggested_needs(rule, criteria) if n.code in current)
        eligibility = rules.check_eligibility(rule, [n.code for n in needs])
        if eligibility.eligible:
            candidates.append(Candidate(case, needs, eligibility))
    return candidates


# ---------------------------------------------------------------- claims report


@dataclass(frozen=True)
class ClaimWindowReport:
    """A claim window: the families whose claim became due in it, by route; those due
    earlier and not yet claimed; and the claims made in it."""

    framework: ClaimFramework
    start: dt.date
    end: dt.date
    due_by_progress: list[AttachmentRow]
    due_by_employment: list[AttachmentRow]
    due_earlier: list[AttachmentRow]
    claimed: list[Claim]

    @property
    def due(self) -> list[AttachmentRow]:
        return [*self.due_by_progress, *self.due_by_employment]


def claim_window_report(
    *, user, framework: ClaimFramework, start: dt.date, end: dt.date
) -> ClaimWindowReport:
    """The claims report for a window, assessed as of its last day, for the families
    the user may see."""
    unclaimed = _visible(user=user, framework=framework).filter(claim__isnull=True)
    due = [
        s
        for s in standings(unclaimed, framework=domain_framework(framework), as_of=end)
        if s.assessment.due
    ]
    by_progress, by_employment, earlier = [], [], []
    for row in rows_for(due):
        if row.assessment.due_on < start:
            earlier.append(row)
        elif row.assessment.route == rules.ClaimRoute.PROGRESS:
            by_progress.append(row)
        else:
            by_employment.append(row)

    def by_due(row: AttachmentRow):
        return (row.assessment.due_on, row.attachment.family.name, row.attachment.pk)

    return ClaimWindowReport(
        framework=framework,
        start=start,
        end=end,
        due_by_progress=sorted(by_progress, key=by_due),
        due_by_employment=sorted(by_employment, key=by_due),
        due_earlier=sorted(earlier, key=by_due),
        claimed=claims_made(user=user, framework=framework, start=start, end=end),
    )


def claims_made(
    *, user, framework: ClaimFramework, start: dt.date | None = None, end: dt.date | None = None
) -> list[Claim]:
    """Claims made (by the day they were made) for families the user may see."""
    visible = Family.objects.filter(families_visible_to(user)).values("pk")
    claims = Claim.objects.filter(framework=framework, family__in=visible).select_related(
        "family",
        "claimed_by",
        "framework",
        "attachment__case__team",
        "attachment__family__district__locality",
    )
    if start is not None:
        claims = claims.filter(claimed_at__date__gte=start)
    if end is not None:
        claims = claims.filter(claimed_at__date__lte=end)
    return list(claims.order_by("claimed_at", "pk"))


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The financial quarter so far (April-June, July-September, ...): its first day to
    today."""
    today = today or timezone.localdate()
    first_month = (today.month - 1) // 3 * 3 + 1
    return dt.date(today.year, first_month, 1), today


# ---------------------------------------------------------------- programme progress


@dataclass
class ProgressFigures:
    """One row of programme progress: a locality, district or team, or the total."""

    key: str
    label: str
    attached: int = 0
    attached_in_period: int = 0
    possibly_eligible: int = 0
    with_progress: int = 0
    claimable: int = 0
    claimed: int = 0
    claimed_in_period: int = 0


@dataclass
class ProgrammeProgress:
    framework: ClaimFramework | None
    start: dt.date | None
    end: dt.date
    group_by: str
    rows: list[ProgressFigures] = field(default_factory=list)
    total: ProgressFigures = field(default_factory=lambda: ProgressFigures("total", "Total"))


def _group(family: Family, team, group_by: str) -> tuple[str, str]:
    if group_by == "team":
        return (str(team.pk), team.name) if team is not None else ("", NOT_RECORDED)
    district = family.district
    if district is None:
        return "", NOT_RECORDED
    if group_by == "district":
        return district.code, district.name
    return district.locality.code, district.locality.name


def programme_progress(
    *,
    user,
    framework: ClaimFramework | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    locality_id: int | None = None,
    district_id: int | None = None,
    team_id: int | None = None,
    group_by: str = "locality",
) -> ProgrammeProgress:
    """Troubled Families / Supporting Families progress for the families the user may
    see, grouped by ``locality``, ``district`` (the family's) or ``team`` (the case's).

    Figures, each as of ``end`` (today by default):

    - ``attached``: families attached on or before ``end``; ``attached_in_period``: of
      them, attached on or after ``start`` (all of them when there is no start);
    - ``possibly_eligible``: open cases not attached whose CAF's TFU criteria would
      make the family eligible (as of now: the CAF has no history);
    - ``with_progress``: attached families with progress (or sustained progress) on at
      least one need, claim due or claimed included;
    - ``claimable``: a claim due (domain/claims.py) and not claimed by ``end``;
    - ``claimed``: claims made on or before ``end``; ``claimed_in_period``: of them,
      made on or after ``start``.

    ``framework`` is the active one by default; with none loaded the rows are empty.
    Filters narrow to one locality, district (the family's) or team (the case's).
    Queries: a fixed number, whatever the number of families."""
    end = end or timezone.localdate()
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}")
    framework = framework or active_framework()
    result = ProgrammeProgress(framework=framework, start=start, end=end, group_by=group_by)
    if framework is None:
        return result
    rule = domain_framework(framework)
    groups: dict[str, ProgressFigures] = {}

    def figures(key: str, label: str) -> ProgressFigures:
        return groups.setdefault(key, ProgressFigures(key, label))

    attachments = _in_place(
        _visible(user=user, framework=framework).filter(attached_on__lte=end),
        locality_id=locality_id,
        district_id=district_id,
        team_id=team_id,
    )
    for standing in standings(attachments, framework=rule, as_of=end):
        if group_by == "team":
            key, label = str(standing.team[0]), standing.team[1]
        else:
            place = standing.district if group_by == "district" else standing.locality
            key, label = place if place is not None else ("", NOT_RECORDED)
        row = figures(key, label)
        row.attached += 1
        if start is None or standing.attached_on >= start:
            row.attached_in_period += 1
        if standing.state != "identified":
            row.with_progress += 1
        if standing.state == "claimable":
            row.claimable += 1
        if standing.state == "claimed":
            row.claimed += 1
            if start is None or standing.claimed_on >= start:
                row.claimed_in_period += 1

    def wanted(family: Family, team) -> bool:
        if district_id is not None and family.district_id != district_id:
            return False
        if locality_id is not None and (
            family.district is None or family.district.locality_id != locality_id
        ):
            return False
        return team_id is None or (team is not None and team.pk == team_id)

    for candidate in possibly_eligible(user=user, framework=framework):
        if wanted(candidate.case.family, candidate.case.team):
            key = _group(candidate.case.family, candidate.case.team, group_by)
            figures(*key).possibly_eligible += 1
    result.rows = sorted(groups.values(), key=lambda r: (r.label == NOT_RECORDED, r.label))
    total = result.total
    for row in result.rows:
        for name in (
            "attached",
            "attached_in_period",
            "possibly_eligible",
            "with_progress",
            "claimable",
            "claimed",
            "claimed_in_period",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return result
