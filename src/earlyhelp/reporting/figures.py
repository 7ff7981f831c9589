"""The dashboard's figures laid out as sections of labelled rows: the one layout the
web page, the PDF, the spreadsheet and the API share, so every output shows the same
figures with the same words."""

from __future__ import annotations

from dataclasses import dataclass, field

from earlyhelp.reporting.selectors import Dashboard, Measure


@dataclass(frozen=True)
class Row:
    label: str
    value: float | int | None
    text: str
    figure: str | None = None  # the key of the records behind it, when it has a list


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


def percent(value: float | None) -> str:
    return "None counted" if value is None else f"{value * 100:.0f}%"


def days(value: float | None) -> str:
    return "None counted" if value is None else f"{value:g} working days"


def _count(label: str, value: int, figure: str | None = None) -> Row:
    return Row(label, value, f"{value:,}", figure)


def _measure(
    prefix: str, title: str, measure: Measure, limit_text: str, with_median: bool
) -> list[Row]:
    rows = [
        _count(f"{title}: counted", measure.counted, prefix),
        _count(f"{title}: {limit_text}", measure.on_time, f"{prefix}-on-time"),
        _count(f"{title}: later", measure.late, f"{prefix}-late"),
        Row(f"{title}: share {limit_text}", measure.share, percent(measure.share)),
    ]
    if with_median:
        rows.append(Row(f"{title}: median", measure.median_days, days(measure.median_days)))
    return rows


def sections(board: Dashboard) -> list[Section]:
    """Every figure of the dashboard, in the order the pages and reports show them."""
    requests = Section("requests", "Requests for Support")
    requests.rows += [
        _count("Received", board.received, "received"),
        _count("Returned for consent", board.returned_for_consent, "returned-for-consent"),
        _count("Acknowledged", board.acknowledged, "acknowledged"),
        _count("Re-referrals within 12 months", board.re_referrals, "re-referrals"),
    ]
    timescales = Section("timescales", "Timescales")
    timescales.rows += _measure(
        "allocated",
        "Allocation",
        board.allocation,
        f"within {board.allocation_working_days} working days",
        True,
    )
    timescales.rows += _measure(
        "initial-visits",
        "Initial visit",
        board.initial_visit,
        f"within {board.initial_visit_working_days} working days",
        True,
    )
    timescales.rows += _measure(
        "reviews",
        "Reviews",
        board.reviews,
        f"on time (every {board.review_interval_weeks} weeks)",
        False,
    )
    caseload = Section("open", "Open cases at the end of the period")
    caseload.rows.append(_count("Open cases", board.open_cases, "open"))
    for row in board.open_by_level:
        caseload.rows.append(
            Row(
                f"Level: {row.label}",
                row.count,
                f"{row.count:,} ({percent(row.share)})",
                f"open-level-{row.key}",
            )
        )
    for row in board.open_by_type:
        caseload.rows.append(
            Row(
                f"Case type {row.key}",
                row.count,
                f"{row.count:,} ({percent(row.share)}; profile {percent(row.profile_share)})",
                f"open-type-{row.key}",
            )
        )
    closures = Section("closures", "Closures and movement between levels")
    closures.rows.append(_count("Closed", board.closed, "closed"))
    for row in board.closures_by_reason:
        closures.rows.append(
            Row(
                f"Closed: {row.label}",
                row.count,
                f"{row.count:,} ({percent(row.share)})",
                f"closed-{row.key}",
            )
        )
    closures.rows += [
        _count("Step-ups to Children's Social Care", board.step_ups, "step-ups"),
        _count("Step-downs from Children's Social Care", board.step_downs, "step-downs"),
    ]
    community = Section("community", "Groups and Talkzone")
    community.rows += [
        _count("Group programme sessions planned", board.group_sessions_planned),
        _count("Group programme sessions delivered", board.group_sessions_delivered),
        Row(
            "Group programme sessions: share delivered",
            board.group_sessions_share,
            percent(board.group_sessions_share),
        ),
        _count("Weekly centre sessions delivered", board.weekly_sessions_delivered),
        _count("Weekly centre sessions cancelled", board.weekly_sessions_cancelled),
        _count("Talkzone contacts in opening hours", board.talkzone_in_hours),
        _count("Talkzone contacts out of hours", board.talkzone_out_of_hours),
    ]
    result = [requests, timescales, caseload, closures, community]
    if board.outcomes is not None:
        outcomes = Section("outcomes", "Outcomes")
        outcomes.rows.append(_count("Cases in the cohort", board.outcomes.cases))
        for row in board.outcomes.rows:
            outcomes.rows.append(
                Row(
                    f"Outcome {row.number}: {row.title}",
                    row.achieved,
                    f"{row.targeted:,} targeting, {row.achieved:,} achieved "
                    f"({percent(row.achieved_share)})",
                )
            )
        result.append(outcomes)
    if board.troubled_families is not None:
        tf = board.troubled_families
        progress = Section("troubled-families", "Troubled Families progress")
        progress.rows += [
            _count("Families attached", tf.attached),
            _count("Attached in the period", tf.attached_in_period),
            _count("Possibly eligible, not attached", tf.possibly_eligible),
            _count("With progress", tf.with_progress),
            _count("Claim due", tf.claimable),
            _count("Claimed", tf.claimed),
            _count("Claimed in the period", tf.claimed_in_period),
        ]
        result.append(progress)
    return result
