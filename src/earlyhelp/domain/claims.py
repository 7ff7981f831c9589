"""Payment-by-results claims (Troubled Families phase 2, Supporting Families 2022-25) as
plain rules. No Django here.

A *framework* is configuration: the needs a family can be identified with, each under a
headline (a TFU criterion, or a Supporting Families headline outcome); how many needs
across how many headlines make a family eligible; and when a claim is due:

- *significant and sustained progress*: every identified need has progress recorded and
  then evidence (a "sustained" record) dated at least ``sustain_months`` after the
  progress, or after the case closed when ``sustain_from`` is ``closure``; a regression
  on a need wipes out the progress recorded before it;
- *continuous employment* (only where the framework has the route): an adult of the
  family worked ``weeks_required`` weeks within any ``within_weeks`` weeks since the
  attachment (26 in 30 by default; 13 in 26 for someone who was on Jobseeker's
  Allowance).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FrameworkError(ValueError):
    """A framework definition that cannot be used, with every problem found."""

    def __init__(self, problems: Sequence[str]):
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


class SustainFrom(StrEnum):
    PROGRESS = "progress"  # the sustain period runs from the progress
    CLOSURE = "closure"  # ... from the later of the progress and the case's closure


class ProgressStatus(StrEnum):
    PROGRESS = "progress"
    SUSTAINED = "sustained"
    REGRESSED = "regressed"


class ClaimRoute(StrEnum):
    PROGRESS = "progress"
    EMPLOYMENT = "employment"


ROUTE_LABELS = {
    ClaimRoute.PROGRESS: "Significant and sustained progress",
    ClaimRoute.EMPLOYMENT: "Continuous employment",
}


@dataclass(frozen=True)
class Need:
    """A need a family can be identified with, under its headline."""

    code: str
    title: str
    headline: str
    headline_title: str
    evidence_hint: str = ""
    tfu_criterion: int | None = None


@dataclass(frozen=True)
class EmploymentRule:
    """Continuous employment: ``weeks_required`` weeks worked within ``within_weeks``."""

    weeks_required: int = 26
    within_weeks: int = 30
    jsa_weeks_required: int = 13
    jsa_within_weeks: int = 26

    def weeks_for(self, *, was_on_jsa: bool) -> tuple[int, int]:
        if was_on_jsa:
            return self.jsa_weeks_required, self.jsa_within_weeks
        return self.weeks_required, self.within_weeks


@dataclass(frozen=True)
class Framework:
    code: str
    name: str
    min_needs: int
    min_headlines: int
    sustain_months: int
    sustain_from: SustainFrom
    needs: tuple[Need, ...]
    employment: EmploymentRule | None = None
    starts_on: dt.date | None = None

    def need(self, code: str) -> Need:
        for need in self.needs:
            if need.code == code:
                return need
        raise KeyError(code)

    @property
    def headlines(self) -> dict[str, str]:
        """Headline code: title, in the framework's order."""
        return {need.headline: need.headline_title for need in self.needs}


# ---------------------------------------------------------------- definitions


def _int(data: Mapping[str, Any], key: str, problems: list[str], *, low: int = 0) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        problems.append(f"{key} must be a whole number of at least {low}")
        return low
    return value


def _text(data: Mapping[str, Any], key: str, problems: list[str], where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: {key} is missing")
        return ""
    return value.strip()


def framework_from_mapping(data: Mapping[str, Any]) -> Framework:
    """A framework from its definition (a parsed YAML file); every problem is reported
    together in a FrameworkError."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise FrameworkError(["The definition must be a mapping"])
    code = _text(data, "code", problems, "framework")
    name = _text(data, "name", problems, "framework")
    eligibility = data.get("eligibility") or {}
    claims = data.get("claims") or {}
    min_needs = _int(eligibility, "min_needs", problems, low=1)
    min_headlines = _int(eligibility, "min_headlines", problems, low=1)
    sustain_months = _int(claims, "sustain_months", problems, low=0)
    try:
        sustain_from = SustainFrom(claims.get("sustain_from", "progress"))
    except ValueError:
        problems.append("sustain_from must be progress or closure")
        sustain_from = SustainFrom.PROGRESS
    employment = None
    if (route := claims.get("continuous_employment")) is not None:
        employment = EmploymentRule(
            weeks_required=_int(route, "weeks_required", problems, low=1),
            within_weeks=_int(route, "within_weeks", problems, low=1),
            jsa_weeks_required=_int(route, "jsa_weeks_required", problems, low=1),
            jsa_within_weeks=_int(route, "jsa_within_weeks", problems, low=1),
        )
        if employment.weeks_required > employment.within_weeks:
            problems.append("weeks_required cannot be more than within_weeks")
        if employment.jsa_weeks_required > employment.jsa_within_weeks:
            problems.append("jsa_weeks_required cannot be more than jsa_within_weeks")
    starts_on = data.get("starts_on")
    if starts_on is not None and not isinstance(starts_on, dt.date):
        problems.append("starts_on must be a date like 2015-04-01")
        starts_on = None
    needs: list[Need] = []
    for index, headline in enumerate(data.get("headlines") or [], start=1):
        where = f"headline {index}"
        h_code = _text(headline, "code", problems, where)
        h_title = _text(headline, "title", problems, where)
        criterion = headline.get("tfu_criterion")
        for n_index, need in enumerate(headline.get("needs") or [], start=1):
            needs.append(
                Need(
                    code=_text(need, "code", problems, f"{where}, need {n_index}"),
                    title=_text(need, "title", problems, f"{where}, need {n_index}"),
                    headline=h_code,
                    headline_title=h_title,
                    evidence_hint=str(need.get("evidence_hint") or "").strip(),
                    tfu_criterion=criterion if isinstance(criterion, int) else None,
                )
            )
        if not headline.get("needs"):
            problems.append(f"{where}: it has no needs")
    if not needs:
        problems.append("The framework has no headlines with needs")
    codes = [n.code for n in needs]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problems.append(f"Need codes used more than once: {', '.join(duplicates)}")
    headlines = {n.headline for n in needs}
    if needs and min_headlines > len(headlines):
        problems.append("min_headlines is more than the framework's headlines")
    if min_headlines > min_needs:
        problems.append("min_headlines cannot be more than min_needs")
    if problems:
        raise FrameworkError(problems)
    return Framework(
        code=code,
        name=name,
        min_needs=min_needs,
        min_headlines=min_headlines,
        sustain_months=sustain_months,
        sustain_from=sustain_from,
        needs=tuple(needs),
        employment=employment,
        starts_on=starts_on,
    )


# ---------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str
    needs: int
    headlines: int


def check_eligibility(framework: Framework, need_codes: Iterable[str]) -> Eligibility:
    """Eligible with at least ``min_needs`` needs across at least ``min_headlines``
    headlines; the reason says which threshold a family falls short of."""
    codes = list(dict.fromkeys(need_codes))
    unknown = [c for c in codes if c not in {n.code for n in framework.needs}]
    if unknown:
        raise KeyError(", ".join(unknown))
    headlines = {framework.need(c).headline for c in codes}
    problems = []
    if len(codes) < framework.min_needs:
        problems.append(
            f"at least {framework.min_needs} needs must be identified ({len(codes)} identified)"
        )
    if len(headlines) < framework.min_headlines:
        problems.append(
            f"the needs must fall under at least {framework.min_headlines} different "
            f"headlines ({len(headlines)} covered)"
        )
    if problems:
        reason = f"Not eligible for {framework.name}: " + " and ".join(problems) + "."
        return Eligibility(False, reason, len(codes), len(headlines))
    return Eligibility(
        True,
        f"Eligible: {len(codes)} needs across {len(headlines)} headlines.",
        len(codes),
        len(headlines),
    )


# ---------------------------------------------------------------- progress


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ProgressEntry:
    need: str
    on: dt.date
    status: ProgressStatus
    evidence: str = ""


@dataclass(frozen=True)
class NeedOutcome:
    """Where a need stands: the progress that counts (since the last regression), the
    date it must be sustained to, and the evidence that it was."""

    need: str
    progress_on: dt.date | None = None
    sustain_until: dt.date | None = None
    sustained_on: dt.date | None = None
    regressed_on: dt.date | None = None
    evidence: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        if self.sustained_on is not None:
            return "sustained"
        if self.progress_on is not None:
            return "progress"
        if self.regressed_on is not None:
            return "regressed"
        return "none"


def need_outcome(
    framework: Framework,
    need: str,
    entries: Iterable[ProgressEntry],
    *,
    closed_on: dt.date | None,
    as_of: dt.date,
) -> NeedOutcome:
    """The need's standing as of a date. Progress counts from the first progress after
    the last regression; it is sustained by a "sustained" record dated on or after the
    end of the sustain period (which, for ``sustain_from: closure``, starts no earlier
    than the case's closure and needs the case closed)."""
    ordered = sorted(
        (e for e in entries if e.need == need and e.on <= as_of),
        key=lambda e: (e.on, e.status != ProgressStatus.REGRESSED),
    )
    regressed_on = None
    current = ordered
    for index, entry in enumerate(ordered):
        if entry.status == ProgressStatus.REGRESSED:
            regressed_on = entry.on
            current = ordered[index + 1 :]
    progress = next((e for e in current if e.status == ProgressStatus.PROGRESS), None)
    if progress is None:
        return NeedOutcome(need=need, regressed_on=regressed_on)
    start = progress.on
    if framework.sustain_from == SustainFrom.CLOSURE:
        if closed_on is None or closed_on > as_of:
            return NeedOutcome(
                need=need,
                progress_on=progress.on,
                regressed_on=regressed_on,
                evidence=(progress.evidence,),
            )
        start = max(start, closed_on)
    until = add_months(start, framework.sustain_months)
    sustained = next(
        (e for e in current if e.status == ProgressStatus.SUSTAINED and e.on >= until), None
    )
    evidence = tuple(
        e.evidence for e in (progress, sustained) if e is not None and e.evidence.strip()
    )
    return NeedOutcome(
        need=need,
        progress_on=progress.on,
        sustain_until=until,
        sustained_on=sustained.on if sustained else None,
        regressed_on=regressed_on,
        evidence=evidence,
    )


# ---------------------------------------------------------------- employment


@dataclass(frozen=True)
class EmploymentEpisode:
    person_id: int
    started_on: dt.date
    ended_on: dt.date | None = None  # None: still in work
    was_on_jsa: bool = False


def _merged(spans: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _days_in(spans: Sequence[tuple[dt.date, dt.date]], low: dt.date, high: dt.date) -> int:
    return sum(max(0, (min(end, high) - max(start, low)).days + 1) for start, end in spans)


def _first_day_reaching(
    spans: Sequence[tuple[dt.date, dt.date]], *, required_days: int, window_days: int
) -> dt.date | None:
    """The first day on which the days worked in the window ending that day reach the
    threshold. Within a span of work that count never falls from one day to the next
    (a day worked is gained for at most one lost), so each span is bisected."""

    def worked(day: dt.date) -> int:
        return _days_in(spans, day - dt.timedelta(days=window_days - 1), day)

    for start, end in spans:
        if worked(end) < required_days:
            continue
        low, high = start, end
        while low < high:
            middle = low + (high - low) // 2
            if worked(middle) >= required_days:
                high = middle
            else:
                low = middle + dt.timedelta(days=1)
        return low
    return None


def continuous_employment_on(
    episodes: Iterable[EmploymentEpisode],
    rule: EmploymentRule,
    *,
    attached_on: dt.date,
    as_of: dt.date,
) -> tuple[dt.date, int] | None:
    """The first day on which an adult had worked ``weeks_required`` weeks within the
    ``within_weeks`` weeks ending that day (work before the attachment does not count),
    and who; None if nobody has yet."""
    by_person: dict[int, list[EmploymentEpisode]] = {}
    for episode in episodes:
        by_person.setdefault(episode.person_id, []).append(episode)
    best: tuple[dt.date, int] | None = None
    for person_id, own in sorted(by_person.items()):
        required_weeks, within_weeks = rule.weeks_for(was_on_jsa=any(e.was_on_jsa for e in own))
        required, window = required_weeks * 7, within_weeks * 7
        spans = _merged(
            (max(e.started_on, attached_on), min(e.ended_on or as_of, as_of))
            for e in own
            if max(e.started_on, attached_on) <= min(e.ended_on or as_of, as_of)
        )
        first = _first_day_reaching(spans, required_days=required, window_days=window)
        if first is not None and (best is None or first < best[0]):
            best = (first, person_id)
    return best


# ---------------------------------------------------------------- claims


@dataclass(frozen=True)
class ClaimAssessment:
    """Whether, by which route and since when a claim is due for an attached family."""

    route: ClaimRoute | None
    due_on: dt.date | None
    needs: tuple[NeedOutcome, ...] = ()
    progress_due_on: dt.date | None = None
    employment_due_on: dt.date | None = None
    employed_person_id: int | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def due(self) -> bool:
        return self.due_on is not None


def assess_claim(
    framework: Framework,
    *,
    attached_on: dt.date,
    needs: Sequence[str],
    progress: Iterable[ProgressEntry],
    episodes: Iterable[EmploymentEpisode] = (),
    closed_on: dt.date | None = None,
    as_of: dt.date,
) -> ClaimAssessment:
    """The claim as of a date: due by progress once every identified need is sustained
    (on the day the last one was), or by continuous employment where the framework has
    that route; the earlier route wins, progress on a tie."""
    entries = list(progress)
    outcomes = tuple(
        need_outcome(framework, code, entries, closed_on=closed_on, as_of=as_of) for code in needs
    )
    reasons = []
    progress_due = None
    if needs and all(o.sustained_on is not None for o in outcomes):
        progress_due = max(o.sustained_on for o in outcomes if o.sustained_on is not None)
    else:
        waiting = [o.need for o in outcomes if o.sustained_on is None]
        if waiting:
            reasons.append(f"Not yet sustained: {', '.join(waiting)}")
    employment = None
    if framework.employment is not None:
        employment = continuous_employment_on(
            episodes, framework.employment, attached_on=attached_on, as_of=as_of
        )
    employment_due = employment[0] if employment else None
    candidates = [
        (day, order, route)
        for day, order, route in (
            (progress_due, 0, ClaimRoute.PROGRESS),
            (employment_due, 1, ClaimRoute.EMPLOYMENT),
        )
        if day is not None
    ]
    due_on, _, route = min(candidates) if candidates else (None, 0, None)
    return ClaimAssessment(
        route=route,
        due_on=due_on,
        needs=outcomes,
        progress_due_on=progress_due,
        employment_due_on=employment_due,
        employed_person_id=employment[1] if employment else None,
        reasons=tuple(reasons),
    )


def due_in_window(assessment: ClaimAssessment, start: dt.date, end: dt.date) -> bool:
    """A claim belongs to the window in which it became due."""
    return assessment.due_on is not None and start <= assessment.due_on <= end
