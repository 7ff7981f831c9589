"""The shared helpers of the case pages (cases/web.py): a service's refusal lands on
the form by the field it names, or in the error summary; permission refusals pass
through to the 403 page. And GOV.UK's three-field date input."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from earlyhelp.cases import web
from earlyhelp.cases.errors import StaleRecord, StepNotReady
from earlyhelp.core.forms import GovukDateField
from earlyhelp.domain.casework import TransitionNotAllowed


class ExampleForm(forms.Form):
    occurred_on = GovukDateField(label="Date", noun="the date of the contact")
    notes = forms.CharField(required=False)
    discussion = forms.CharField(required=False)
    scores_home = forms.IntegerField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def bound(**data) -> ExampleForm:
    data = {"occurred_on_day": "3", "occurred_on_month": "4", "occurred_on_year": "2025", **data}
    form = ExampleForm(data)
    assert form.is_valid(), form.errors
    return form


def test_service_errors_go_to_the_fields_they_name_and_the_rest_to_the_summary():
    form = bound()

    web.apply_error(
        form,
        ValidationError(
            {
                "occurred_at": ["Not in the future"],
                "notes": ["Enter notes"],
                "escalation.discussion": ["Record the discussion"],
                "scores.home": ["Score between 1 and 10"],
                "approver": ["No line manager"],
            }
        ),
        field_map={"occurred_at": "occurred_on"},
    )

    assert form.errors["occurred_on"] == ["Not in the future"]
    assert form.errors["notes"] == ["Enter notes"]
    assert form.errors["discussion"] == ["Record the discussion"]
    assert form.errors["scores_home"] == ["Score between 1 and 10"]
    assert form.non_field_errors() == ["No line manager"]
    assert web.error_summary(form) == [
        {"text": "No line manager", "href": ""},
        {"text": "Not in the future", "href": "#id_occurred_on_day"},
        {"text": "Enter notes", "href": "#id_notes"},
        {"text": "Record the discussion", "href": "#id_discussion"},
        {"text": "Score between 1 and 10", "href": "#id_scores_home"},
    ]


def test_domain_errors_show_in_the_summary_and_a_hidden_field_is_not_a_target():
    form = bound()

    web.apply_error(form, StaleRecord("Someone else saved it", field="expected_version"))

    assert form.non_field_errors() == ["Someone else saved it"]


def test_a_refused_transition_is_put_in_plain_words():
    form = bound()

    web.apply_error(
        form, TransitionNotAllowed("decide_level_2", "planning", rule="case_decide_level_2")
    )

    assert form.non_field_errors() == [
        "Level 2 can only be decided while the case is in assessment. This case is: Level 2: plan."
    ]


def test_errors_onto_catches_refusals_and_lets_permission_refusals_through():
    form = bound()
    with web.errors_onto(form) as outcome:
        raise StepNotReady("Not yet")
    assert not outcome.ok
    assert form.non_field_errors() == ["Not yet"]

    with pytest.raises(PermissionDenied), web.errors_onto(bound()):
        raise PermissionDenied("No")

    with web.errors_onto(bound()) as fine:
        pass
    assert fine.ok


def test_an_unbound_form_can_take_a_refusal():
    form = ExampleForm()

    web.apply_error(form, StepNotReady("Not yet"))

    assert form.non_field_errors() == ["Not yet"]


def test_radios_link_the_summary_to_their_first_option():
    form = ExampleForm({"kind": "zz"})
    form.is_valid()

    assert {"text": form.errors["kind"][0], "href": "#id_kind_0"} in web.error_summary(form)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("3", "4", "2025", dt.date(2025, 4, 3)),
        (" 03 ", "04", "2025", dt.date(2025, 4, 3)),
    ],
)
def test_the_date_input_reads_day_month_and_year(day, month, year, expected):
    form = ExampleForm(
        {"occurred_on_day": day, "occurred_on_month": month, "occurred_on_year": year}
    )

    assert form.is_valid()
    assert form.cleaned_data["occurred_on"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date of the contact"),
        ("3", "", "", "The date of the contact must include a month and year"),
        ("", "4", "2025", "The date of the contact must include a day"),
        ("30", "2", "2025", "The date of the contact must be a real date"),
        ("x", "2", "2025", "The date of the contact must be a real date"),
        ("3", "4", "25", "Year must include 4 numbers"),
    ],
)
def test_the_date_input_gives_govuk_messages(day, month, year, message):
    form = ExampleForm(
        {"occurred_on_day": day, "occurred_on_month": month, "occurred_on_year": year}
    )

    assert not form.is_valid()
    assert form.errors["occurred_on"] == [message]


def test_the_date_input_renders_three_labelled_inputs_red_on_error():
    form = ExampleForm({"occurred_on_day": "3", "occurred_on_month": "", "occurred_on_year": ""})
    form.is_valid()

    html = form["occurred_on"].as_field_group()

    for part in ("day", "month", "year"):
        assert f'id="id_occurred_on_{part}"' in html
        assert f'name="occurred_on_{part}"' in html
    assert html.count("govuk-input--error") == 3
    assert "govuk-date-input__input" in html
    assert "data-govuk-error" not in html
