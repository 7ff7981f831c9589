"""The specification check with the default (Lancashire) configuration: when every
centre runs its offer, 452 sessions a week county-wide, 12 at each enhanced offer and 7
at each core one, and each district's and locality's figure the sum of its centres'."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from earlyhelp.centres import selectors
from earlyhelp.centres.demo import seed_centres_demo
from earlyhelp.centres.loader import load_centres
from earlyhelp.centres.models import Centre, GroupProgramme, Offer, ProgrammeSession

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 3, 2)


def test_the_shipped_file_has_56_offers_12_enhanced_and_44_core(lancashire):
    holders = Centre.objects.filter(offer__isnull=False)

    assert holders.count() == 56
    assert holders.filter(offer__code="enhanced").count() == 12
    assert holders.filter(offer__code="core").count() == 44
    # One enhanced offer in each district.
    assert set(holders.filter(offer__code="enhanced").values_list("district__code", flat=True)) == {
        "lancaster", "fylde", "wyre", "preston", "chorley", "south-ribble", "west-lancashire",
        "hyndburn", "ribble-valley", "rossendale", "burnley", "pendle",
    }  # fmt: skip
    # Two offers are split across a second building.
    assert Centre.objects.filter(shares_offer_of__isnull=False).count() == 2


def test_loading_twice_adds_nothing(lancashire):
    counts = (Centre.objects.count(), Offer.objects.count(), GroupProgramme.objects.count())

    summary = load_centres()

    assert (Centre.objects.count(), Offer.objects.count(), GroupProgramme.objects.count()) == counts
    assert summary.sessions_per_week == 452


def test_every_centre_running_its_offer_plans_452_sessions_a_week(lancashire):
    seed_centres_demo(seed=1, as_of=MONDAY)

    check = selectors.specification_check(week_starting=MONDAY)

    assert check.county.tally.sessions_required == 452
    assert check.county.tally.sessions_planned == 452
    assert check.county.tally.offers == 56
    assert check.county.tally.sessions_met
    # Staff present against the model: 26 individual worker sessions a core week, 54 an
    # enhanced one, every session staffed as its type asks.
    assert check.county.tally.staff_sessions_required == 44 * 26 + 12 * 54
    assert check.county.tally.staff_sessions_planned == check.county.tally.staff_sessions_required
    assert check.county.tally.sessions_short_staffed == 0
    assert check.county.tally.by_kind_planned == {
        "weekday_daytime": 12 * 6 + 44 * 5,
        "twilight": 12 * 2 + 44,
        "evening_weekend": 12 * 4 + 44,
    }
    by_offer = {row.label: row.tally.sessions_planned for row in check.centres}
    enhanced = set(Centre.objects.filter(offer__code="enhanced").values_list("name", flat=True))
    assert {by_offer[name] for name in enhanced} == {12}
    assert {v for k, v in by_offer.items() if k not in enhanced} == {7}
    assert check.weeks_required == 46


def test_district_and_locality_rows_are_the_sums_of_their_centres(lancashire):
    seed_centres_demo(seed=1, as_of=MONDAY)

    check = selectors.specification_check(week_starting=MONDAY)

    preston = next(row for row in check.districts if row.label == "Preston")
    # Preston: one enhanced and five core offers.
    assert preston.tally.sessions_planned == 12 + 5 * 7 == preston.tally.sessions_required
    assert sum(r.tally.sessions_planned for r in check.districts) == 452
    assert sum(r.tally.sessions_planned for r in check.localities) == 452
    for district in check.districts:
        assert district.tally.sessions_planned == sum(
            c.tally.sessions_planned for c in district.children
        )


def test_a_partner_buildings_sessions_count_toward_the_offer_it_shares(lancashire):
    seed_centres_demo(seed=1, as_of=MONDAY)
    youth = Centre.objects.get(code="burnley-youth")

    check = selectors.specification_check(week_starting=MONDAY)

    # The enhanced offer's four evening and weekend sessions run in its partner building.
    assert ProgrammeSession.objects.filter(centre=youth).count() == 4
    burnley = next(row for row in check.centres if row.label == youth.shares_offer_of.name)
    assert burnley.tally.sessions_planned == 12


def test_a_centre_short_of_its_offer_is_shown_short(lancashire):
    seed_centres_demo(seed=1, as_of=MONDAY)
    centre = Centre.objects.get(code="fishwick")
    ProgrammeSession.objects.filter(centre=centre, weekday=4).update(is_active=False)
    ProgrammeSession.objects.filter(centre=centre, weekday=0).update(outreach_a=1)

    check = selectors.specification_check(week_starting=MONDAY)

    row = next(r for r in check.centres if r.label == centre.name)
    assert row.tally.sessions_planned == 6
    assert not row.tally.sessions_met
    assert row.tally.sessions_short_staffed == 1
    assert not row.tally.staffing_met
    assert check.county.tally.sessions_planned == 451


def test_load_centres_command_reports_the_weekly_sessions(db):
    from tests.centres.conftest import LANCASHIRE

    call_command("load_configuration", str(LANCASHIRE), stdout=StringIO())
    out = StringIO()

    call_command("load_centres", "--demo", stdout=out)
    call_command("load_centres", "--demo", stdout=out)

    assert "58 centre buildings holding 56 offers (452 sessions a week)" in out.getvalue()
    assert "Demo programme already loaded." in out.getvalue()
    assert ProgrammeSession.objects.count() == 452
