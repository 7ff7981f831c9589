"""Demo outcomes: for the demo's cases on a Level 2 plan, more plan actions mapped to the
service's outcomes and a review with the Outcomes Star, through the same service
functions as real work, so the outcomes pages and the Star charts have something to show."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from earlyhelp.cases import services as case_services
from earlyhelp.cases.models import ActionStatus, Case, ReviewOutcome, StarReading, Status

# (what, outcome number): SMART actions a plan might hold, each serving one outcome.
DEMO_ACTIONS = (
    ("Register the baby with a GP and book the health visitor check.", 4),
    ("Attend a parenting group at the local centre for eight weeks.", 3),
    ("Meet the school with the family to agree an attendance plan.", 1),
    ("Referral to the Employment Advisor for help back into work.", 5),
)
PROGRESS = (
    ActionStatus.ACHIEVED,
    ActionStatus.ACHIEVED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.NOT_ACHIEVED,
)


@dataclass(frozen=True)
class OutcomesDemoSummary:
    actions: int
    reviews: int


def _review_scores(baseline: dict[str, int], rng: random.Random) -> dict[str, int]:
    """A review a few points on for most areas, unchanged or a point back for some."""
    return {
        area: max(1, min(10, score + rng.choice([-1, 0, 1, 1, 2, 2, 3])))
        for area, score in baseline.items()
    }


def seed_outcomes(*, seed: int) -> OutcomesDemoSummary:
    """For each demo case on a plan: one or two more actions mapped to outcomes, and for
    most of them a review with progress on each action and the Outcomes Star."""
    rng = random.Random(seed + 7)  # noqa: S311 - reproducible demo data, not secrets
    actions = reviews = 0
    cases = (
        Case.objects.filter(status=Status.PLANNING, family__is_synthetic=True)
        .select_related("key_worker")
        .order_by("pk")
    )
    today = timezone.localdate()
    for case in cases:
        worker = case.key_worker
        for what, number in rng.sample(DEMO_ACTIONS, rng.choice([1, 2])):
            case_services.add_plan_action(
                actor=worker,
                case_id=case.pk,
                what=what,
                who="Parent, with the key worker",
                by_when=today + dt.timedelta(weeks=rng.randint(4, 10)),
                success_measure="Agreed at the TAF and seen to be done.",
                outcome_number=number,
                source="seed_demo",
            )
            actions += 1
        if rng.random() < 0.2:
            continue
        baseline = (
            StarReading.objects.filter(case=case, kind="baseline").order_by("taken_on").first()
        )
        if baseline is None:
            continue
        progress = {
            action.pk: {"status": rng.choice(PROGRESS), "note": "Discussed at the review."}
            for action in case.actions.all()
        }
        case_services.record_review(
            actor=worker,
            case_id=case.pk,
            held_on=today,
            progress=progress,
            summary="Good engagement; routines are settling and school attendance is up.",
            outcome=ReviewOutcome.CONTINUE,
            star_scores=_review_scores(dict(baseline.scores), rng),
            source="seed_demo",
        )
        reviews += 1
    return OutcomesDemoSummary(actions=actions, reviews=reviews)
