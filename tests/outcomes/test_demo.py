"""The demo's outcomes: cases on a plan have actions mapped to outcomes and a review
Star, so the outcomes pages show figures after `make run`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from earlyhelp.accounts.models import User
from earlyhelp.accounts.roles import Role
from earlyhelp.cases.demo import seed_casework
from earlyhelp.cases.models import PlanAction, StarReading
from earlyhelp.outcomes.demo import seed_outcomes
from earlyhelp.outcomes.selectors import CohortFilters, cohort_outcomes, cohort_star
from earlyhelp.people.models import Family
from earlyhelp.workforce.demo import seed_demo


@pytest.fixture
def demo(db):
    call_command("load_configuration", "configuration/lancashire.yaml", stdout=StringIO())
    seed_demo(families=40, staff=60, seed=2026, as_of=dt.date(2026, 3, 2))
    families = list(
        Family.objects.filter(is_synthetic=True)
        .select_related("team__manager", "key_worker")
        .order_by("pk")
    )
    seed_casework(families=families, seed=2026)
    return seed_outcomes(seed=2026)


def test_demo_cases_on_a_plan_get_outcome_actions_and_a_review_star(demo):
    assert demo.actions > 0
    assert demo.reviews > 0
    assert StarReading.objects.filter(kind="review").count() == demo.reviews
    assert PlanAction.objects.filter(outcome__number__in=[1, 3, 4, 5]).count() == demo.actions


def test_demo_gives_the_head_of_service_figures(demo):
    head = User.objects.filter(groups__name=Role.HEAD_OF_SERVICE.value).first()
    star = cohort_star(user=head, filters=CohortFilters())
    assert star.measured == demo.reviews
    outcomes = cohort_outcomes(user=head, filters=CohortFilters())
    assert any(row.achieved for row in outcomes.rows)
