"""A cohort reads only the Star readings that can be a case's baseline or latest reading
(``_readings_by_case(..., ends_only=True)``); the pair it finds must be the one found
from all of a case's readings, whatever their kinds, Stars, days and ties."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from earlyhelp.cases.models import Case, StarReading
from earlyhelp.configuration.models import OutcomesStar
from earlyhelp.domain import outcomes as rules
from earlyhelp.outcomes import selectors
from tests.casework import open_case

KINDS = ("baseline", "review", "closure")


def _pair(readings: list[rules.Reading]) -> tuple[int | None, int | None]:
    baseline, latest = rules.baseline_and_latest(readings)
    return (baseline.order if baseline else None, latest.order if latest else None)


def _add_readings(case: Case, stars: list[OutcomesStar], rng: random.Random) -> None:
    start = dt.date(2026, 1, 5)
    StarReading.objects.bulk_create(
        StarReading(
            case=case,
            star=rng.choice(stars),
            kind=rng.choice(KINDS),
            # Few distinct days, so that several readings share a day and the id decides.
            taken_on=start + dt.timedelta(days=7 * rng.randrange(5)),
            scores={"home": rng.randint(1, 10)},
            recorded_by=case.key_worker,
        )
        for _ in range(rng.randrange(12))
    )


@pytest.mark.parametrize("seed", range(3))
def test_the_ends_give_each_case_the_baseline_and_latest_of_all_its_readings(world, seed):
    rng = random.Random(seed)
    second = OutcomesStar.objects.create(code="second-star", name="Second Star")
    stars = [world.star, second]
    cases = [open_case(world) for _ in range(10)]
    for case in cases:
        _add_readings(case, stars, rng)
    ids = Case.objects.filter(pk__in=[c.pk for c in cases]).values("pk")

    every = selectors._readings_by_case(ids)
    ends = selectors._readings_by_case(ids, ends_only=True)

    assert sum(map(len, ends.values())) < sum(map(len, every.values()))
    for c in cases:
        assert _pair(ends.get(c.pk, [])) == _pair(every.get(c.pk, [])), c.pk
        for star in stars:
            own = [r for r in every.get(c.pk, []) if r.star_id == star.pk]
            by_star = selectors._readings_by_case(ids, star_id=star.pk, ends_only=True)
            assert _pair(by_star.get(c.pk, [])) == _pair(own)
    found = [_pair(every.get(c.pk, [])) for c in cases]
    assert any(latest is not None for _, latest in found)
    assert any(baseline is None for baseline, _ in found)
