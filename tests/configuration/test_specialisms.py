"""Worker specialisms, district centres and what a case in assessment counts as: read
from the file with line-numbered problems, and loaded into the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from earlyhelp.configuration.loader import (
    ConfigurationError,
    parse_configuration,
    read_configuration,
)
from earlyhelp.configuration.models import District, ServiceSettings, Specialism, StarArea
from earlyhelp.configuration.services import load_configuration
from tests.configuration.helpers import LANCASHIRE, line_of


def _problems(text: str):
    with pytest.raises(ConfigurationError) as caught:
        parse_configuration(text)
    return {problem.field: problem for problem in caught.value.problems}


def test_the_lancashire_file_lists_the_specialisms_with_what_they_match():
    config = read_configuration(LANCASHIRE)
    specialisms = {s.code: s for s in config.specialisms}

    assert {"age-0-5", "age-5-11", "age-12-19", "send", "young-carers", "domestic-abuse"} <= set(
        specialisms
    )
    assert (specialisms["age-0-5"].min_age, specialisms["age-0-5"].max_age) == (0, 5)
    assert specialisms["send"].matches_send
    assert specialisms["send"].target_groups == ("send-or-behaviour",)
    assert not specialisms["young-carers"].matches_send
    assert config.settings.assessment_counts_as == "L2A"


def test_every_lancashire_district_has_a_centre_in_lancashire():
    config = read_configuration(LANCASHIRE)

    for district in config.districts:
        assert Decimal("53.4") < district.latitude < Decimal("54.3"), district.code
        assert Decimal("-3.2") < district.longitude < Decimal("-2.0"), district.code


def test_a_specialism_naming_an_unknown_target_group_is_rejected_at_its_line(lancashire_text):
    text = lancashire_text.replace("target_groups: [young-carers]", "target_groups: [carers]")

    problems = _problems(text)

    problem = problems["specialisms[4].target_groups[0]"]
    assert problem.line == line_of(text, "target_groups: [carers]")
    assert "'carers'" in problem.message
    assert "not in target_groups" in problem.message


def test_a_specialism_age_range_upside_down_is_rejected(lancashire_text):
    text = lancashire_text.replace("min_age: 5, max_age: 11", "min_age: 11, max_age: 5")

    problem = _problems(text)["specialisms[1].max_age"]

    assert problem.line == line_of(text, "min_age: 11, max_age: 5")
    assert "below min_age" in problem.message


def test_a_repeated_specialism_code_or_an_unknown_field_is_rejected(lancashire_text):
    text = lancashire_text.replace("{code: neglect, name: Neglect,", "{code: send, name: Neglect,")
    text = text.replace("{code: cse, name:", "{code: cse, colour: red, name:")

    problems = _problems(text)

    assert "already used on line" in problems["specialisms[8].code"].message
    assert "unknown field" in problems["specialisms[11].colour"].message


def test_a_district_centre_needs_both_coordinates_in_range(lancashire_text):
    text = lancashire_text.replace("    latitude: 53.75880\n", "", 1)
    text = text.replace("longitude: -2.80070", "longitude: -200.5")

    problems = _problems(text)

    assert "both latitude and longitude" in problems["districts[3]"].message
    assert problems["districts[3]"].line == line_of(text, "- code: preston", occurrence=2)
    assert problems["districts[0].longitude"].line == line_of(text, "longitude: -200.5")
    assert "-180" in problems["districts[0].longitude"].message


def test_a_case_in_assessment_must_count_as_a_configured_case_type(lancashire_text):
    text = lancashire_text.replace("assessment_counts_as: L2A", "assessment_counts_as: L2C")

    problem = _problems(text)["capacity.assessment_counts_as"]

    assert problem.line == line_of(text, "assessment_counts_as: L2C")
    assert "'L2C'" in problem.message


def test_a_file_without_the_new_fields_still_loads_with_the_defaults(lancashire_text):
    start = lancashire_text.index("# Key workers' specialisms")
    end = lancashire_text.index("# Appendix A: the outcomes framework.")
    text = lancashire_text[:start] + lancashire_text[end:]
    text = text.replace("  assessment_counts_as: L2A         # a case still", "  # a case still")

    config = parse_configuration(text)

    assert config.specialisms is None
    assert config.settings.assessment_counts_as == "L2A"


@pytest.mark.django_db
def test_loading_creates_the_specialisms_centres_and_setting_and_reloading_updates_them(
    lancashire_text,
):
    load_configuration(actor=None, data=parse_configuration(lancashire_text), source="test")

    send = Specialism.objects.get(code="send")
    assert [g.code for g in send.target_groups.all()] == ["send-or-behaviour"]
    assert send.matches_send
    preston = District.objects.get(code="preston")
    assert preston.latitude == Decimal("53.75880")
    assert ServiceSettings.objects.get().assessment_counts_as == "L2A"

    changed = lancashire_text.replace(
        "target_groups: [send-or-behaviour]", "target_groups: [send-or-behaviour, neglect]"
    ).replace(
        "  - {code: employment, name: Worklessness and financial inclusion, target_groups: "
        "[workless]}\n",
        "",
    )
    summary = load_configuration(actor=None, data=parse_configuration(changed), source="test")

    assert sorted(g.code for g in send.target_groups.all()) == ["neglect", "send-or-behaviour"]
    assert not Specialism.objects.filter(code="employment").exists()
    assert summary.counts("specialisms").removed == 1
    assert StarArea.objects.count() == 0  # the fixture file has no Star section


@pytest.mark.django_db
def test_a_specialism_held_by_a_worker_cannot_be_dropped_from_the_file(lancashire_text):
    from tests.factories import StaffMemberFactory, TeamFactory

    load_configuration(actor=None, data=parse_configuration(lancashire_text), source="test")
    worker = StaffMemberFactory(team=TeamFactory(district=District.objects.first()))
    worker.specialisms.set([Specialism.objects.get(code="employment")])
    dropped = lancashire_text.replace(
        "  - {code: employment, name: Worklessness and financial inclusion, target_groups: "
        "[workless]}\n",
        "",
    )

    with pytest.raises(ConfigurationError) as caught:
        load_configuration(actor=None, data=parse_configuration(dropped), source="test")

    [problem] = caught.value.problems
    assert problem.field == "specialisms"
    assert "'employment'" in problem.message
    assert "staff member" in problem.message
