"""Each outcomes figure against the hand-built data set in tests/outcomes/data.py, whose
answers are worked out in its docstring."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.configuration.models import TargetGroup
from earlyhelp.outcomes import selectors
from earlyhelp.outcomes.selectors import CohortFilters, PeriodBasis
from tests.outcomes.data import build_outcomes_data


@pytest.fixture
def data(world):
    return build_outcomes_data(world)


def _row(cohort, number):
    return next(r for r in cohort.rows if r.number == number)


def _area(cohort, code):
    return next(r for r in cohort.rows if r.code == code)


def test_case_targets_every_outcome_below_threshold_and_achieves_by_action_or_improvement(data):
    result = selectors.case_outcomes(case=data.a)
    rows = {r.number: r for r in result.rows}
    assert result.threshold == 7
    assert all(r.targeted for r in rows.values())
    assert {n for n, r in rows.items() if r.achieved} == {2, 3}
    assert rows[2].achieved_actions == ["Action for outcome 2 (achieved)"]
    assert rows[2].improved_areas == ["Routines", "Progress"]
    assert rows[3].targeting_actions == ["Action for outcome 3 (in_progress)"]
    assert rows[3].achieved_actions == []
    assert rows[3].improved_areas == ["Physical-Health"]
    assert rows[1].targeted_areas == ["Boundaries"]
    assert rows[1].improved_areas == []


def test_case_with_high_baseline_targets_only_through_its_action(data):
    rows = {r.number: r for r in selectors.case_outcomes(case=data.b).rows}
    assert [n for n, r in rows.items() if r.targeted] == [1]
    assert not rows[1].achieved


def test_case_star_distance_is_latest_minus_baseline(data):
    [entry] = selectors.case_star(case=data.a)
    assert [r.kind for r in entry.readings] == ["baseline", "review"]
    areas = {a.code: a for a in entry.areas}
    assert areas["routines"].scores == [3, 8]
    assert areas["routines"].distance == 5
    assert areas["routines"].direction == "improving"
    assert areas["boundaries"].distance == -1
    assert areas["boundaries"].direction == "declining"
    assert areas["wellbeing"].distance == 0
    assert areas["wellbeing"].direction == "unchanged"


def test_case_star_without_baseline_has_no_distance(data):
    [entry] = selectors.case_star(case=data.d)
    assert not entry.has_baseline
    assert all(a.distance is None for a in entry.areas)


def test_cohort_outcomes_service_wide_for_the_head_of_service(world, data):
    cohort = selectors.cohort_outcomes(user=world.head, filters=CohortFilters())
    assert cohort.service_wide
    assert cohort.cases == 5
    assert [(r.targeted, r.achieved) for r in cohort.rows] == [
        (4, 1),
        (3, 2),
        (3, 2),
        (3, 1),
        (3, 1),
    ]
    assert _row(cohort, 1).targeted_share == pytest.approx(4 / 5)
    assert _row(cohort, 2).achieved_share == pytest.approx(2 / 3)
    assert sorted(cohort.case_ids["targeted-1"]) == sorted(
        [data.a.pk, data.a0.pk, data.b.pk, data.c.pk]
    )


def test_cohort_outcomes_for_a_key_worker_cover_only_cases_they_may_open(world, data):
    cohort = selectors.cohort_outcomes(user=world.other_worker, filters=CohortFilters())
    assert not cohort.service_wide
    assert cohort.cases == 1
    assert _row(cohort, 1).targeted == 1
    assert _row(cohort, 1).achieved == 0


def test_cohort_star_counts_each_family_once_through_its_latest_case(world, data):
    cohort = selectors.cohort_star(user=world.head, filters=CohortFilters())
    assert (cohort.families, cohort.with_baseline, cohort.measured) == (4, 3, 2)
    assert data.a0.pk not in cohort.case_ids["families"]
    expected = {
        "physical-health": (2, 2, 0, 1.0, 1.5),
        "wellbeing": (2, 1, 0, 0.5, 0.5),
        "boundaries": (2, 1, 1, 0.5, 0.0),
        "routines": (2, 2, 0, 1.0, 3.0),
        "home": (2, 1, 0, 0.5, 0.5),
        "progress": (2, 2, 0, 1.0, 1.0),
    }
    for code, (measured, improving, declining, share, mean) in expected.items():
        row = _area(cohort, code)
        assert (row.measured, row.improving, row.declining) == (measured, improving, declining)
        assert row.improving_share == pytest.approx(share)
        assert row.mean_distance == pytest.approx(mean)
    assert _area(cohort, "boundaries").declining_share == pytest.approx(0.5)
    assert cohort.case_ids["declining-boundaries"] == [data.a.pk]


def test_cohort_star_in_an_earlier_period_counts_the_family_through_that_case(world, data):
    filters = CohortFilters(
        period=PeriodBasis.ACTIVITY, date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31)
    )
    cohort = selectors.cohort_star(user=world.head, filters=filters)
    assert cohort.case_ids["families"] == [data.a0.pk]
    assert _area(cohort, "home").mean_distance == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("make_filters", "expected"),
    [
        (lambda w: CohortFilters(district_id=w.other_district.pk), {"c"}),
        (lambda w: CohortFilters(locality_id=w.district.locality_id), {"a", "a0", "b", "d"}),
        (lambda w: CohortFilters(team_id=w.team.pk), {"a", "a0", "b", "d"}),
        (
            lambda w: CohortFilters(target_group_id=TargetGroup.objects.get(code="workless").pk),
            {"b"},
        ),
        (
            lambda w: CohortFilters(
                period=PeriodBasis.CLOSURE,
                date_from=dt.date(2026, 6, 1),
                date_to=dt.date(2026, 6, 30),
            ),
            {"b"},
        ),
        (
            lambda w: CohortFilters(
                period=PeriodBasis.ACTIVITY,
                date_from=dt.date(2026, 7, 1),
                date_to=dt.date(2026, 12, 31),
            ),
            {"a", "c", "d"},
        ),
    ],
)
def test_cohort_filters_select_the_cases(world, data, make_filters, expected):
    names = {getattr(data, n).pk: n for n in ("a", "a0", "b", "c", "d")}
    cases = selectors.cohort_cases(user=world.head, filters=make_filters(world))
    assert {names[pk] for pk in cases.values_list("pk", flat=True)} == expected


def test_case_type_filter(world, data):
    from earlyhelp.cases.models import Case
    from earlyhelp.configuration.models import CaseType

    l2a = CaseType.objects.get(code="L2A")
    Case.objects.filter(pk=data.b.pk).update(case_type=l2a)
    cases = selectors.cohort_cases(user=world.head, filters=CohortFilters(case_type_id=l2a.pk))
    assert list(cases.values_list("pk", flat=True)) == [data.b.pk]


def test_following_a_service_wide_figure_lists_only_cases_the_manager_may_open(world, data):
    filters = CohortFilters()
    counted = selectors.case_ids_behind(
        user=world.locality_manager, filters=filters, figure="targeted-1"
    )
    listed = selectors.cases_behind(
        user=world.locality_manager, filters=filters, figure="targeted-1"
    )
    assert len(counted) == 4
    assert listed.counted == 4
    assert set(listed.visible_ids) == {data.a.pk, data.a0.pk, data.b.pk}


def test_a_key_worker_following_a_figure_sees_only_their_own_cases(world, data):
    listed = selectors.cases_behind(
        user=world.other_worker, filters=CohortFilters(), figure="targeted-1"
    )
    assert listed.visible_ids == [data.c.pk]
    cases = selectors.cases_for_list(listed.visible_ids)
    assert {c.key_worker_id for c in cases} == {world.other_worker.pk}


def test_an_unknown_figure_is_refused(world, data):
    with pytest.raises(selectors.UnknownFigure):
        selectors.case_ids_behind(user=world.head, filters=CohortFilters(), figure="nonsense")


def test_framework_maps_outcomes_to_marmot_tfu_star_areas_and_programmes(world, data):
    from earlyhelp.configuration.models import MarmotObjective, ServiceOutcome, TfuCriterion

    first = ServiceOutcome.objects.get(number=1)
    first.marmot_objectives.set(MarmotObjective.objects.filter(letter__in="AB"))
    first.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[1, 3, 5]))
    from earlyhelp.centres.models import GroupProgramme

    programme = GroupProgramme.objects.create(
        code="triple-p",
        name="Positive parenting",
        kind="targeted",
        theme="Parenting",
        number_of_sessions=8,
        completion_sessions=6,
    )
    programme.outcomes.set(ServiceOutcome.objects.filter(number__in=[1, 3]))
    framework = {o.number: o for o in selectors.outcomes_framework()}
    assert framework[1].group_programmes == ["Positive parenting"]
    assert framework[3].group_programmes == ["Positive parenting"]
    assert framework[2].group_programmes == []
    assert framework[1].marmot_letters == "A, B"
    assert framework[1].tfu_numbers == "1, 3, 5"
    assert framework[1].star_areas == ["Boundaries (Family Star)"]
    assert framework[2].star_areas == ["Routines (Family Star)", "Progress (Family Star)"]


def test_star_breakdown_by_district_counts_families_once_in_each(world, data):
    breakdown = selectors.cohort_star_breakdown(
        user=world.head, filters=CohortFilters(), by=selectors.BreakdownBy.DISTRICT
    )
    codes = [code for code, _, _ in breakdown.star.areas]
    lancaster, preston = breakdown.rows
    assert (lancaster.label, lancaster.families, lancaster.measured) == ("Lancaster", 1, 0)
    assert set(lancaster.improving_shares) == {None}
    assert (preston.label, preston.families, preston.measured) == ("Preston", 3, 2)
    assert preston.improving[codes.index("routines")] == 2
    assert preston.improving_shares[codes.index("boundaries")] == pytest.approx(0.5)
    assert preston.mean_distances[codes.index("routines")] == pytest.approx(3.0)
    assert preston.filters.district_id == world.district.pk


def test_star_breakdown_by_target_group(world, data):
    breakdown = selectors.cohort_star_breakdown(
        user=world.head, filters=CohortFilters(), by=selectors.BreakdownBy.TARGET_GROUP
    )
    codes = [code for code, _, _ in breakdown.star.areas]
    neglect, workless = breakdown.rows
    assert (neglect.label, neglect.families, neglect.measured) == ("Experiencing neglect", 3, 1)
    assert neglect.improving_shares[codes.index("boundaries")] == pytest.approx(0.0)
    assert (workless.label, workless.families, workless.measured) == ("Workless", 1, 1)
    assert workless.improving[codes.index("boundaries")] == 1
