"""programme_progress (the dashboard's Troubled Families figures) against a small
hand-built set with known answers: grouping, filters, the period, the as-of date and
who sees which families."""

from __future__ import annotations

import datetime as dt

import pytest

from earlyhelp.claims import selectors, services
from earlyhelp.configuration.models import TfuCriterion
from earlyhelp.referrals import services as rfs
from tests.casework import open_case, submit
from tests.claims.conftest import attach, sustain, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world, frameworks):
    """Preston (Central): A claimable, B progress, C identified (attached 20 days ago),
    D claimed today, E looks eligible, G does not; Lancaster (North): F identified.
    All but C were attached 300 days ago."""
    long_ago = today() - dt.timedelta(days=300)
    a = attach(world, attached_on=long_ago)
    sustain(a)
    b = attach(world, attached_on=long_ago)
    sustain(b, needs=["crime-asb"], months=0)
    services.record_progress(
        actor=world.key_worker,
        attachment_id=b.pk,
        need_code="school-attendance",
        recorded_on=today(),
        status="progress",
        evidence="Better attendance",
    )
    c = attach(world, attached_on=today() - dt.timedelta(days=20))
    d = attach(world, attached_on=long_ago)
    sustain(d)
    services.make_claim(
        actor=world.head,
        attachment_id=d.pk,
        window_start=today() - dt.timedelta(days=90),
        window_end=today(),
    )
    e = open_case(world)
    e.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[1, 2]))
    g = open_case(world)
    g.assessment.tfu_criteria.set(TfuCriterion.objects.filter(number__in=[3]))
    request = submit(world, postcode="LA1 1AA")
    f_case = rfs.allocate_request(
        actor=world.other_manager,
        request_id=request.pk,
        key_worker_id=world.other_worker.pk,
        reason="Has capacity",
    )
    f = attach(world, case=f_case)
    return {"a": a, "b": b, "c": c, "d": d, "f": f}


def _figures(row) -> tuple:
    return (
        row.label,
        row.possibly_eligible,
        row.attached,
        row.attached_in_period,
        row.with_progress,
        row.claimable,
        row.claimed,
        row.claimed_in_period,
    )


def test_programme_progress_by_locality_for_the_head_of_service(world, county):
    result = selectors.programme_progress(user=world.head, start=today() - dt.timedelta(days=30))
    assert result.framework.code == "troubled-families-phase-2"
    assert [_figures(row) for row in result.rows] == [
        ("Central", 1, 4, 1, 3, 1, 1, 1),
        ("North", 0, 1, 0, 0, 0, 0, 0),
    ]
    assert _figures(result.total) == ("Total", 1, 5, 1, 3, 1, 1, 1)


def test_without_a_start_the_period_is_everything(world, county):
    total = selectors.programme_progress(user=world.head).total
    assert (total.attached_in_period, total.claimed_in_period) == (5, 1)


def test_as_of_an_earlier_day_the_claim_was_not_yet_made(world, county):
    yesterday = today() - dt.timedelta(days=1)
    total = selectors.programme_progress(user=world.head, end=yesterday).total
    assert (total.claimable, total.claimed) == (2, 0)
    # B's second need had no progress yet, and A's was sustained long before.
    assert total.with_progress == 3


def test_grouped_by_district_and_by_team(world, county):
    by_district = selectors.programme_progress(user=world.head, group_by="district")
    assert [(r.label, r.attached) for r in by_district.rows] == [("Lancaster", 1), ("Preston", 4)]
    by_team = selectors.programme_progress(user=world.head, group_by="team")
    assert [(r.label, r.attached) for r in by_team.rows] == [
        ("Lancaster Family Support", 1),
        ("Preston Family Support", 4),
    ]


def test_filters_narrow_to_a_locality_district_or_team(world, county):
    north = world.other_district.locality_id
    assert [
        r.label for r in selectors.programme_progress(user=world.head, locality_id=north).rows
    ] == ["North"]
    preston = selectors.programme_progress(user=world.head, district_id=world.district.pk)
    assert preston.total.attached == 4
    team = selectors.programme_progress(user=world.head, team_id=world.other_team.pk)
    assert team.total.attached == 1
    assert team.total.possibly_eligible == 0


def test_each_manager_sees_only_the_families_they_may_see(world, county):
    assert selectors.programme_progress(user=world.manager).total.attached == 4
    assert selectors.programme_progress(user=world.other_manager).total.attached == 1
    assert selectors.programme_progress(user=world.other_worker).total.attached == 1


def test_states_of_the_attached_families(world, county):
    rows = {
        r.attachment_id: r.state
        for r in selectors.attachment_rows(user=world.head, framework=county["a"].framework)
    }
    assert rows == {
        county["a"].pk: "claimable",
        county["b"].pk: "progress",
        county["c"].pk: "identified",
        county["d"].pk: "claimed",
        county["f"].pk: "identified",
    }


def test_an_unknown_grouping_is_refused(world, frameworks):
    with pytest.raises(ValueError, match="group_by"):
        selectors.programme_progress(user=world.head, group_by="ward")


def test_with_no_framework_loaded_there_are_no_rows(world):
    result = selectors.programme_progress(user=world.head)
    assert result.framework is None
    assert result.rows == []


def test_the_families_behind_a_figure_are_listed_by_place(client, world, county):
    client.force_login(world.head)
    index = client.get("/claims/").content.decode()
    north = world.other_district.locality
    link = f"/claims/families/?framework=troubled-families-phase-2&amp;locality={north.code}"
    assert f'href="{link}"' in index
    html = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Attached families in North" in html
    assert f'href="/claims/families/{county["f"].pk}/"' in html
    assert f'href="/claims/families/{county["a"].pk}/"' not in html
    claimable = client.get(
        f"/claims/families/?team={world.team.pk}&state=claimable"
    ).content.decode()
    assert f'href="/claims/families/{county["a"].pk}/"' in claimable
    assert f'href="/claims/families/{county["b"].pk}/"' not in claimable
    assert client.get("/claims/families/?district=nowhere").status_code == 404
    found = selectors.attachment_rows(
        user=world.head, framework=county["a"].framework, district_id=world.other_district.pk
    )
    assert [s.attachment_id for s in found] == [county["f"].pk]
