"""Parsing and checking a configuration file: no database. Every problem is collected,
each named by its field path and line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from earlyhelp.configuration.loader import (
    ConfigurationError,
    ConfigurationProblem,
    parse_configuration,
    read_configuration,
)
from tests.configuration.helpers import LANCASHIRE, line_of


def _problems(text: str) -> list[ConfigurationProblem]:
    with pytest.raises(ConfigurationError) as caught:
        parse_configuration(text)
    return list(caught.value.problems)


def _fields(text: str) -> dict[str, ConfigurationProblem]:
    return {problem.field: problem for problem in _problems(text)}


# ---------------------------------------------------------------- the shipped file


def test_the_lancashire_file_parses_into_every_section():
    config = read_configuration(LANCASHIRE)

    assert config.schema_version == 1
    assert config.settings.council_name == "Lancashire County Council"
    assert config.settings.configuration_version == "2026.1"
    assert config.settings.caf_mailbox == "caf@lancashire.gov.uk"
    assert config.settings.allocation_working_days == 5
    assert config.settings.initial_visit_working_days == 7
    assert config.settings.working_weeks_per_year * config.settings.slots_per_week == 506
    assert len(config.localities) == 5
    assert len(config.districts) == 12
    assert [level.level for level in config.need_levels] == [1, 2, 3, 4]
    assert len(config.target_groups) == 17
    assert [o.number for o in config.outcomes] == [1, 2, 3, 4, 5]
    assert len(config.closure_days) == 6
    [star] = config.outcomes_stars
    assert star.is_default
    assert len(star.areas) == 10


def test_the_lancashire_case_types_carry_the_appendix_c_figures_exactly():
    config = read_configuration(LANCASHIRE)

    figures = {
        c.code: (c.visit_every_weeks, c.weeks_of_support, c.slots_per_cycle, c.cycles_per_year)
        for c in config.case_types
    }
    assert figures == {
        "L3": (1, 15, 15, Decimal("3")),
        "L2A": (1, 12, 12, Decimal("3.8")),
        "L2B": (2, 12, 6, Decimal("3.8")),
        "L2-L1": (2, 12, 6, Decimal("3.8")),
    }
    shares = [c.demand_share for c in config.case_types]
    assert shares == [Decimal("0.05"), Decimal("0.40"), Decimal("0.50"), Decimal("0.05")]
    assert sum(shares) == 1


def test_a_target_group_name_with_commas_is_read_whole():
    config = read_configuration(LANCASHIRE)

    names = {group.code: group.name for group in config.target_groups}
    assert names["transient"] == (
        "Who are transient including asylum seekers, economic migrants and traveller communities"
    )


def test_each_entry_remembers_its_path_and_line(lancashire_text):
    config = parse_configuration(lancashire_text)

    pendle = config.districts[11]
    assert pendle.code == "pendle"
    assert pendle.path == "districts[11]"
    assert pendle.line == line_of(lancashire_text, "code: pendle")


# ---------------------------------------------------------------- broken YAML


def test_a_yaml_syntax_error_is_reported_at_its_line():
    text = "schema_version: 1\ncouncil:\n  name: Lancashire\n  bad: value: here\n"

    [problem] = _problems(text)

    assert problem.line == 4
    assert problem.field == "yaml"
    assert "not valid YAML" in problem.message


def test_an_unclosed_list_says_where_it_began():
    text = "schema_version: 1\nlocalities: [a, b\n\n\n"

    [problem] = _problems(text)

    assert "started on line 2" in problem.message


def test_an_empty_file_is_a_problem_not_a_crash():
    [problem] = _problems("# nothing but a comment\n")

    assert (problem.field, problem.line) == ("file", 1)


def test_a_file_that_is_not_a_mapping_of_sections_is_rejected():
    [problem] = _problems("- just\n- a list\n")

    assert (problem.field, problem.line) == ("file", 1)
    assert "mapping" in problem.message


def test_a_repeated_key_is_reported_where_it_repeats(lancashire_text):
    text = lancashire_text.replace(
        "    name: Preston\n    locality: preston\n",
        "    name: Preston\n    name: Preston again\n    locality: preston\n",
    )

    problem = _fields(text)["districts[3].name"]

    assert problem.message == "appears more than once"
    assert problem.line == line_of(text, "name: Preston again")


# ---------------------------------------------------------------- references


def test_a_district_naming_a_missing_locality_gives_the_field_path_and_line(lancashire_text):
    text = lancashire_text.replace("    locality: preston\n", "    locality: preston-north\n")

    [problem] = _problems(text)

    assert problem.field == "districts[3].locality"
    assert problem.line == line_of(text, "locality: preston-north")
    assert "preston-north" in problem.message
    assert "not in localities" in problem.message


def test_an_outcome_naming_an_unknown_marmot_letter_or_tfu_criterion_is_rejected(
    lancashire_text,
):
    text = lancashire_text.replace("marmot_objectives: [D, F]", "marmot_objectives: [D, G]")
    text = text.replace("tfu_criteria: [4, 5, 6]", "tfu_criteria: [4, 5, 7]")

    problems = _fields(text)

    assert set(problems) == {"outcomes[3].marmot_objectives[1]", "outcomes[4].tfu_criteria[2]"}
    assert problems["outcomes[3].marmot_objectives[1]"].line == line_of(text, "[D, G]")
    assert problems["outcomes[4].tfu_criteria[2]"].line == line_of(text, "[4, 5, 7]")


def test_a_reference_listed_twice_is_rejected(lancashire_text):
    text = lancashire_text.replace("marmot_objectives: [D, F]", "marmot_objectives: [D, D]")

    assert "outcomes[3].marmot_objectives[1]" in _fields(text)


# ---------------------------------------------------------------- values


def test_demand_shares_that_do_not_add_up_to_one_are_rejected(lancashire_text):
    text = lancashire_text.replace("demand_share: 0.50", "demand_share: 0.45")

    [problem] = _problems(text)

    assert problem.field == "case_types[*].demand_share"
    assert problem.line == line_of(text, "case_types:")
    assert "add up to 0.95" in problem.message


def test_demand_shares_within_a_thousandth_of_one_are_accepted(lancashire_text):
    text = lancashire_text.replace("demand_share: 0.50", "demand_share: 0.5009")

    config = parse_configuration(text)

    assert config.case_types[2].demand_share == Decimal("0.5009")


def test_a_demand_share_outside_nought_to_one_is_rejected(lancashire_text):
    text = lancashire_text.replace("demand_share: 0.40", "demand_share: 1.40")

    problems = _fields(text)

    assert "must be from 0 to 1" in problems["case_types[1].demand_share"].message


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("slots_per_week: 11", "slots_per_week: 0", "capacity.slots_per_week", "positive"),
        ("caseload_per_fte: 18", "caseload_per_fte: 18.5", "capacity.caseload_per_fte", "whole"),
        (
            "allocation_working_days: 5",
            "allocation_working_days: five",
            "timescales.allocation_working_days",
            "whole",
        ),
        (
            "working_weeks_per_year: 46",
            "working_weeks_per_year: 53",
            "capacity.working_weeks_per_year",
            "1 to 52",
        ),
        (
            "review_overdue_weeks: 8",
            "review_overdue_weeks: 4",
            "timescales.review_overdue_weeks",
            "at least",
        ),
        (
            "caf_mailbox: caf@lancashire.gov.uk",
            "caf_mailbox: not-an-address",
            "service.caf_mailbox",
            "email",
        ),
        (
            'urn_format: "{prefix}-{year}-{number:06d}"',
            'urn_format: "{prefix}-{serial}"',
            "service.urn_format",
            "{prefix}",
        ),
        (
            "  - code: preston\n",
            "  - code: Preston Town\n",
            "localities[1].code",
            "letters, digits",
        ),
        (
            "slots_per_cycle: 15",
            "slots_per_cycle: -15",
            "case_types[0].slots_per_cycle",
            "positive",
        ),
        (
            "cycles_per_year: 3\n",
            "cycles_per_year: 0\n",
            "case_types[0].cycles_per_year",
            "more than 0",
        ),
        (
            "cycles_per_year: 3\n",
            "cycles_per_year: 3.125\n",
            "case_types[0].cycles_per_year",
            "2 decimal places",
        ),
        ("{letter: A,", "{letter: a,", "marmot_objectives[0].letter", "capital letter"),
        (
            "postcode_districts: [BB5]",
            "postcode_districts: [BB5, 12X]",
            "districts[7].postcode_districts[1]",
            "outward postcode",
        ),
        (
            'configuration_version: "2026.1"',
            "configuration_version: 2026.1",
            "council.configuration_version",
            "quotes",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_or_out_of_range_is_named_by_field_and_line(
    lancashire_text, old, new, field, message
):
    text = lancashire_text.replace(old, new, 1)

    problems = _fields(text)

    assert field in problems, problems
    assert message in problems[field].message
    assert problems[field].line == line_of(text, new.strip().splitlines()[0])


def test_a_closure_day_that_is_not_a_real_date_is_rejected(lancashire_text):
    text = lancashire_text.replace("{date: 2027-12-30,", "{date: 2027-02-30,")

    [problem] = _problems(text)

    assert problem.field == "closure_days[4].date"
    assert problem.line == line_of(text, "2027-02-30")
    assert "not a real date" in problem.message


def test_a_closure_day_written_as_quoted_text_is_read_as_a_date(lancashire_text):
    text = lancashire_text.replace("{date: 2027-12-30,", '{date: "2027-12-30",')

    config = parse_configuration(text)

    assert config.closure_days[4].date == dt.date(2027, 12, 30)


@pytest.mark.parametrize(
    ("old", "new", "field", "what"),
    [
        (
            "  - code: preston\n",
            "  - code: lancaster-fylde-wyre\n",
            "localities[1].code",
            "locality code",
        ),
        ("    name: Wyre\n", "    name: Fylde\n", "districts[2].name", "district name"),
        ("  - level: 3\n", "  - level: 2\n", "need_levels[2].level", "level"),
        ("  - code: L2B\n", "  - code: L2A\n", "case_types[2].code", "case type code"),
        ("{code: homeless,", "{code: neglect,", "target_groups[9].code", "target group code"),
        ("{letter: B,", "{letter: A,", "marmot_objectives[1].letter", "letter"),
        (
            "{number: 2, title: Children who",
            "{number: 1, title: Children who",
            "tfu_criteria[1].number",
            "criterion number",
        ),
        ("  - number: 5\n", "  - number: 4\n", "outcomes[4].number", "outcome number"),
        ("{date: 2027-12-29,", "{date: 2026-12-29,", "closure_days[3].date", "closure date"),
    ],
)
def test_a_repeated_code_is_reported_at_the_repeat(lancashire_text, old, new, field, what):
    text = lancashire_text.replace(old, new, 1)

    problems = _fields(text)

    assert field in problems, problems
    assert problems[field].message.startswith(f"{what} ")
    assert "already used on line" in problems[field].message


# ---------------------------------------------------------------- shape


def test_a_missing_required_field_is_reported_at_its_entry(lancashire_text):
    text = lancashire_text.replace("    weeks_of_support: 15\n", "")

    [problem] = _problems(text)

    assert problem.field == "case_types[0].weeks_of_support"
    assert problem.message == "is missing"
    assert problem.line == line_of(text, "  - code: L3")


def test_a_misspelt_field_is_reported_as_unknown(lancashire_text):
    text = lancashire_text.replace("caseload_per_fte: 18", "caseload_per_ftee: 18")

    problems = _fields(text)

    assert "unknown field" in problems["capacity.caseload_per_ftee"].message
    assert problems["capacity.caseload_per_fte"].message == "is missing"


def test_a_missing_section_is_reported(lancashire_text):
    start = lancashire_text.index("need_levels:")
    end = lancashire_text.index("# Appendix C")
    text = lancashire_text[:start] + lancashire_text[end:]

    assert _fields(text)["need_levels"].message == "is missing"


def test_an_empty_list_section_is_rejected():
    text = "localities: []\n"

    assert _fields(text)["localities"].message == "must list at least one entry"


def test_another_schema_version_is_refused(lancashire_text):
    text = lancashire_text.replace("schema_version: 1", "schema_version: 2")

    [problem] = _problems(text)

    assert problem.field == "schema_version"
    assert problem.line == line_of(text, "schema_version: 2")


def test_every_problem_in_the_file_is_reported_at_once_in_line_order(lancashire_text):
    text = (
        lancashire_text.replace("slots_per_week: 11", "slots_per_week: 0")
        .replace("    locality: burnley-pendle\n", "    locality: pendle-burnley\n")
        .replace("demand_share: 0.50", "demand_share: 0.55")
        .replace("{date: 2026-12-31,", "{date: 2026-12-32,")
    )

    problems = _problems(text)

    assert [p.field for p in problems] == [
        "capacity.slots_per_week",
        "districts[10].locality",
        "districts[11].locality",
        "case_types[*].demand_share",
        "closure_days[2].date",
    ]
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_the_error_message_lists_each_problem_as_line_field_message(lancashire_text):
    text = lancashire_text.replace("slots_per_week: 11", "slots_per_week: 0")
    line = line_of(text, "slots_per_week: 0")

    with pytest.raises(ConfigurationError) as caught:
        parse_configuration(text)

    assert str(caught.value) == (
        f"{line}: capacity.slots_per_week: must be a positive whole number (not 0)"
    )


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("schema_version: 1\ncouncil:\n  name: Caf\xe9\n".encode("latin-1"))

    with pytest.raises(ConfigurationError) as caught:
        read_configuration(path)

    [problem] = caught.value.problems
    assert (problem.field, problem.line) == ("file", 3)


# ---------------------------------------------------------------- Outcomes Stars (optional)

STARS = """
outcomes_stars:
  - code: family-star
    name: Family Star
    is_default: true
    scale_min: 1
    scale_max: 10
    stages:
      - {from: 1, to: 5, name: Getting started}
      - {from: 6, to: 10, name: Getting there}
    areas:
      - {code: health, name: Physical health, outcome: 3}
      - {code: safety, name: Keeping safe, outcome: 1}
"""


def test_outcomes_stars_are_optional_and_read_when_present(lancashire_text):
    config = parse_configuration(lancashire_text + STARS)

    [star] = config.outcomes_stars
    assert star.code == "family-star"
    assert star.is_default is True
    assert [(s.low, s.high) for s in star.stages] == [(1, 5), (6, 10)]
    assert [(a.code, a.outcome, a.sort_order) for a in star.areas] == [
        ("health", 3, 0),
        ("safety", 1, 1),
    ]


def test_a_star_area_naming_a_missing_outcome_or_overlapping_stages_are_rejected(
    lancashire_text,
):
    text = lancashire_text + STARS.replace("outcome: 3", "outcome: 9").replace(
        "{from: 6, to: 10", "{from: 5, to: 10"
    )

    problems = _fields(text)

    assert set(problems) == {"outcomes_stars[0].areas[0].outcome", "outcomes_stars[0].stages[1]"}
