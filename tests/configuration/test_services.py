"""Loading a checked configuration into the database: upserts by natural key in one
transaction, idempotent, removals only when nothing refers to the row, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from earlyhelp.audit.models import AuditEvent
from earlyhelp.configuration.loader import (
    ConfigurationError,
    parse_configuration,
    read_configuration,
)
from earlyhelp.configuration.models import (
    CaseType,
    ClosureDay,
    District,
    Locality,
    MarmotObjective,
    NeedLevel,
    OutcomesStar,
    ServiceOutcome,
    ServiceSettings,
    StarArea,
    TargetGroup,
    TfuCriterion,
)
from earlyhelp.configuration.services import LOADED, load_configuration
from earlyhelp.referrals.models import RequestForSupport, Route, Status
from tests.configuration.helpers import LANCASHIRE, line_of
from tests.factories import FamilyFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

DISTRICTS_BY_LOCALITY = {
    "lancaster-fylde-wyre": {"lancaster", "fylde", "wyre"},
    "preston": {"preston"},
    "chorley-south-ribble-west-lancashire": {"chorley", "south-ribble", "west-lancashire"},
    "hyndburn-ribble-valley-rossendale": {"hyndburn", "ribble-valley", "rossendale"},
    "burnley-pendle": {"burnley", "pendle"},
}


def _load(text: str | None = None, **kwargs):
    data = parse_configuration(text) if text is not None else read_configuration(LANCASHIRE)
    return load_configuration(actor=kwargs.get("actor"), data=data, source="test.yaml")


# ---------------------------------------------------------------- the Lancashire load


def test_the_lancashire_file_loads_its_geography():
    _load()

    assert Locality.objects.count() == 5
    assert District.objects.count() == 12
    loaded = {
        locality.code: {d.code for d in locality.districts.all()}
        for locality in Locality.objects.prefetch_related("districts")
    }
    assert loaded == DISTRICTS_BY_LOCALITY
    assert District.objects.get(code="south-ribble").postcode_districts == ["PR5", "PR25", "PR26"]


def test_the_lancashire_file_loads_levels_case_types_and_target_groups():
    _load()

    assert list(NeedLevel.objects.values_list("level", "name")) == [
        (1, "Universal"),
        (2, "Early help"),
        (3, "Children in need"),
        (4, "Child protection"),
    ]
    assert list(
        CaseType.objects.values_list(
            "code",
            "visit_every_weeks",
            "weeks_of_support",
            "slots_per_cycle",
            "cycles_per_year",
            "demand_share",
        )
    ) == [
        ("L3", 1, 15, 15, Decimal("3.00"), Decimal("0.0500")),
        ("L2A", 1, 12, 12, Decimal("3.80"), Decimal("0.4000")),
        ("L2B", 2, 12, 6, Decimal("3.80"), Decimal("0.5000")),
        ("L2-L1", 2, 12, 6, Decimal("3.80"), Decimal("0.0500")),
    ]
    assert TargetGroup.objects.count() == 17
    assert TargetGroup.objects.first().code == "send-or-behaviour"


def test_the_lancashire_file_loads_the_outcomes_with_their_marmot_letters_and_tfu_numbers():
    _load()

    outcomes = {
        o.number: (
            "".join(m.letter for m in o.marmot_objectives.order_by("letter")),
            [c.number for c in o.tfu_criteria.order_by("number")],
        )
        for o in ServiceOutcome.objects.all()
    }
    assert outcomes == {
        1: ("ABCDEF", [1, 3, 5]),
        2: ("BCD", [1, 2, 3, 4, 5, 6]),
        3: ("ABC", [1, 2, 4, 5, 6]),
        4: ("DF", [1, 3, 5, 6]),
        5: ("ACDE", [4, 5, 6]),
    }
    assert MarmotObjective.objects.count() == 6
    assert TfuCriterion.objects.count() == 6


def test_the_lancashire_file_loads_settings_and_closure_days():
    _load()

    settings = ServiceSettings.objects.get()
    assert settings.council_name == "Lancashire County Council"
    assert settings.configuration_version == "2026.1"
    assert settings.caf_mailbox == "caf@lancashire.gov.uk"
    assert settings.urn_prefix == "LAN"
    assert (settings.allocation_working_days, settings.initial_visit_working_days) == (5, 7)
    assert (settings.review_interval_weeks, settings.review_overdue_weeks) == (6, 8)
    assert settings.slots_per_fte_year == 506
    assert settings.caseload_per_fte == 18
    assert list(ClosureDay.objects.values_list("date", flat=True)) == [
        dt.date(2026, 12, 29),
        dt.date(2026, 12, 30),
        dt.date(2026, 12, 31),
        dt.date(2027, 12, 29),
        dt.date(2027, 12, 30),
        dt.date(2027, 12, 31),
    ]


def test_a_load_leaves_one_audit_event_with_the_counts():
    summary = _load()

    event = AuditEvent.objects.get(code=LOADED)
    assert event.details["file"] == "test.yaml"
    assert event.details["configuration_version"] == "2026.1"
    # Settings, localities, districts, levels, case types, target groups, Marmot
    # objectives, TFU criteria, outcomes, closure days, the Star and its areas, and the
    # specialisms.
    expected = 1 + 5 + 12 + 4 + 4 + 17 + 6 + 6 + 5 + 6 + 1 + 10 + 13
    assert event.details["created"] == summary.created == expected
    assert event.details["sections"]["districts"] == {
        "created": 12,
        "updated": 0,
        "removed": 0,
        "unchanged": 0,
    }
    assert event.object_type == "configuration.servicesettings"


# ---------------------------------------------------------------- re-loading


def test_loading_the_same_file_twice_changes_nothing():
    _load()
    before = {
        model: list(model.objects.values())
        for model in (Locality, District, CaseType, TargetGroup, ServiceOutcome, ClosureDay)
    }
    ids = set(ServiceSettings.objects.values_list("pk", flat=True))

    summary = _load()

    assert (summary.created, summary.updated, summary.removed) == (0, 0, 0)
    assert not summary.changed
    assert {model: list(model.objects.values()) for model in before} == before
    assert set(ServiceSettings.objects.values_list("pk", flat=True)) == ids
    assert not AuditEvent.objects.filter(code__endswith="_by_configuration").exists()
    assert AuditEvent.objects.filter(code=LOADED).count() == 2


def test_a_changed_value_updates_the_row_in_place_and_is_audited_field_by_field(
    lancashire_text,
):
    _load()
    preston = District.objects.get(code="preston")
    text = lancashire_text.replace("postcode_districts: [PR1, PR2]", "postcode_districts: [PR1]")
    text = text.replace("caseload_per_fte: 18", "caseload_per_fte: 17")

    summary = _load(text)

    assert District.objects.get(code="preston").pk == preston.pk
    assert District.objects.get(code="preston").postcode_districts == ["PR1"]
    assert ServiceSettings.objects.get().caseload_per_fte == 17
    assert summary.sections["districts"].updated == 1
    assert summary.sections["settings"].updated == 1
    event = AuditEvent.objects.get(code="district.changed_by_configuration")
    assert event.changes == {"postcode_districts": [["PR1", "PR2"], ["PR1"]]}
    event = AuditEvent.objects.get(code="servicesettings.changed_by_configuration")
    assert event.changes == {"caseload_per_fte": [18, 17]}


def test_moving_a_district_to_another_locality_in_the_file_moves_it(lancashire_text):
    _load()
    text = lancashire_text.replace(
        "    name: Preston\n    locality: preston\n",
        "    name: Preston\n    locality: lancaster-fylde-wyre\n",
    )

    _load(text)

    assert District.objects.get(code="preston").locality.code == "lancaster-fylde-wyre"


def test_a_changed_outcome_link_is_updated_and_audited(lancashire_text):
    _load()
    text = lancashire_text.replace("marmot_objectives: [D, F]", "marmot_objectives: [D, E, F]")

    summary = _load(text)

    outcome = ServiceOutcome.objects.get(number=4)
    assert sorted(outcome.marmot_objectives.values_list("letter", flat=True)) == ["D", "E", "F"]
    assert summary.sections["outcomes"].updated == 1
    assert summary.sections["outcomes"].unchanged == 4
    event = AuditEvent.objects.get(code="serviceoutcome.relations_changed_by_configuration")
    assert event.changes == {"marmot_objectives": [["D", "F"], ["D", "E", "F"]]}


def test_rows_no_longer_in_the_file_are_removed_when_nothing_refers_to_them(lancashire_text):
    _load()
    text = lancashire_text.replace(
        "  - {date: 2027-12-31, reason: County council closure between Christmas and New Year}\n",
        "",
    ).replace("  - {code: homeless, name: Homeless}\n", "")

    summary = _load(text)

    assert not ClosureDay.objects.filter(date=dt.date(2027, 12, 31)).exists()
    assert not TargetGroup.objects.filter(code="homeless").exists()
    assert summary.sections["closure_days"].removed == 1
    assert summary.sections["target_groups"].removed == 1
    event = AuditEvent.objects.get(code="closureday.removed_by_configuration")
    assert event.object_id.isdigit()
    assert event.changes["date"] == ["2027-12-31", None]


def test_a_district_that_teams_belong_to_is_not_removed_and_nothing_is_loaded(
    lancashire_text, table_counts
):
    _load()
    TeamFactory(district=District.objects.get(code="pendle"), name="Pendle team")
    start = lancashire_text.index("  - code: pendle\n")
    end = lancashire_text.index("# Lancashire Continuum of Need")
    text = (lancashire_text[:start] + lancashire_text[end:]).replace(
        "caseload_per_fte: 18", "caseload_per_fte: 17"
    )
    before = table_counts()

    with pytest.raises(ConfigurationError) as caught:
        _load(text)

    [problem] = caught.value.problems
    assert problem.field == "districts"
    assert problem.line == line_of(text, "districts:")
    assert "'pendle'" in problem.message
    assert "1 team refers to it" in problem.message
    assert table_counts() == before
    # The change earlier in the same file was rolled back with it.
    assert ServiceSettings.objects.get().caseload_per_fte == 18


def test_a_target_group_a_request_for_support_names_is_not_removed(lancashire_text):
    _load()
    request = RequestForSupport.objects.create(
        family=FamilyFactory(district=District.objects.get(code="preston")),
        team=TeamFactory(district=District.objects.get(code="preston")),
        status=Status.AWAITING_ALLOCATION,
        route=Route.AGENCY,
        received_at=timezone.now(),
        first_received_at=timezone.now(),
        referrer_name="A health visitor",
        presenting_needs="Housing",
        created_by=UserFactory(),
    )
    request.target_groups.add(TargetGroup.objects.get(code="homeless"))

    with pytest.raises(ConfigurationError) as caught:
        _load(lancashire_text.replace("  - {code: homeless, name: Homeless}\n", ""))

    [problem] = caught.value.problems
    assert problem.field == "target_groups"
    assert "target group 'homeless' (Homeless)" in problem.message
    assert "1 request for support refers to it" in problem.message
    assert request.target_groups.filter(code="homeless").exists()


def test_an_outcome_a_star_area_points_at_is_not_removed(lancashire_text):
    _load(lancashire_text + STARS)
    start = lancashire_text.index("  - number: 5\n")
    end = lancashire_text.index("# Days the service is closed")

    with pytest.raises(ConfigurationError) as caught:
        # No outcomes_stars section, so the Stars stay; outcome 5 (unused) is dropped and
        # outcome 3, which the health area points at, is renumbered away.
        _load(
            (lancashire_text[:start] + lancashire_text[end:]).replace(
                "  - number: 3\n", "  - number: 6\n"
            )
        )

    [problem] = caught.value.problems
    assert problem.field == "outcomes"
    assert "service outcome 3" in problem.message
    assert "1 star area refers to it" in problem.message
    assert ServiceOutcome.objects.count() == 5


def test_a_locality_left_without_districts_by_the_file_is_removed(lancashire_text):
    _load()
    text = lancashire_text.replace("locality: burnley-pendle", "locality: preston").replace(
        "  - code: burnley-pendle\n    name: Burnley and Pendle\n", ""
    )

    summary = _load(text)

    assert not Locality.objects.filter(code="burnley-pendle").exists()
    assert District.objects.get(code="burnley").locality.code == "preston"
    assert summary.sections["localities"].removed == 1


def test_only_a_system_administrator_may_load_the_configuration():
    with pytest.raises(PermissionDenied):
        _load(actor=UserFactory())

    assert not ServiceSettings.objects.exists()


def test_a_superuser_may_load_and_is_recorded_as_the_actor():
    admin = UserFactory(is_superuser=True)

    _load(actor=admin)

    assert AuditEvent.objects.get(code=LOADED).actor == admin


# ---------------------------------------------------------------- Outcomes Stars

STARS = """
outcomes_stars:
  - code: family-star
    name: Family Star
    is_default: true
    stages:
      - {from: 1, to: 5, name: Getting started}
      - {from: 6, to: 10, name: Getting there}
    areas:
      - {code: health, name: Physical health, outcome: 3}
      - {code: safety, name: Keeping safe, outcome: 1}
"""


def test_outcomes_stars_in_the_file_are_loaded_with_their_areas(lancashire_text):
    _load(lancashire_text + STARS)

    star = OutcomesStar.objects.get()
    assert (star.code, star.is_default, star.scale_min, star.scale_max) == (
        "family-star",
        True,
        1,
        10,
    )
    assert star.stage_for(7) == "Getting there"
    assert [(a.code, a.outcome.number) for a in star.areas.all()] == [
        ("health", 3),
        ("safety", 1),
    ]


def test_a_file_without_outcomes_stars_leaves_the_stars_alone(lancashire_text):
    _load(lancashire_text + STARS)

    _load(lancashire_text)

    assert StarArea.objects.count() == 2


def test_a_star_area_dropped_from_the_file_is_removed(lancashire_text):
    _load(lancashire_text + STARS)

    _load(
        lancashire_text
        + STARS.replace("      - {code: safety, name: Keeping safe, outcome: 1}\n", "")
    )

    assert list(StarArea.objects.values_list("code", flat=True)) == ["health"]
