"""The shared GOV.UK form pieces (core/forms.py): the error summary's links, its
template tag, and the date input that every page asking for a date uses."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.template import Context, Template

from earlyhelp.core.forms import GovukDateField, anchor_for, error_summary_items


class _Example(forms.Form):
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    held_on = GovukDateField(label="Date held", noun="the date it was held")
    groups = forms.MultipleChoiceField(
        choices=[("n", "Neglect")], widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Someone else saved it")


def _bound() -> _Example:
    form = _Example({"held_on_day": "3", "held_on_month": "", "held_on_year": ""})
    form.is_valid()
    return form


def test_summary_links_go_to_the_first_input_of_each_group_and_not_to_hidden_fields():
    form = _bound()

    assert [anchor_for(form[name]) for name in form.fields] == [
        "id_kind_0",
        "id_held_on_day",
        "id_groups_0",
        "id_notes",
        "",
    ]


def test_summary_lists_non_field_errors_first_then_fields_in_form_order():
    items = error_summary_items(_bound(), non_field_href="")

    assert items == [
        {"text": "Someone else saved it", "href": ""},
        {"text": "This field is required.", "href": "#id_kind_0"},
        {"text": "The date it was held must include a month and year", "href": "#id_held_on_day"},
        {"text": "This field is required.", "href": "#id_groups_0"},
        {"text": "This field is required.", "href": "#id_notes"},
        {"text": "This field is required.", "href": ""},
    ]


def test_the_tag_links_a_non_field_error_to_the_forms_first_input():
    html = Template("{% load govuk %}{% error_summary form %}").render(Context({"form": _bound()}))

    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<li><a href="#id_kind_0">Someone else saved it</a></li>' in html
    assert '<a href="#id_held_on_day">The date it was held must include' in html
    # A hidden field's error is text: there is nothing on the page to move to.
    assert "<li>This field is required.</li>" in html


def test_the_tag_shows_nothing_for_a_form_without_errors_or_no_form():
    template = Template("{% load govuk %}{% error_summary form %}")

    assert template.render(Context({"form": _Example()})).strip() == ""
    assert template.render(Context({})).strip() == ""


def test_the_date_input_is_three_labelled_inputs_keeping_what_was_typed():
    html = str(_Example(initial={"held_on": dt.date(2025, 4, 3)})["held_on"])

    assert html.count("<label") == 3
    assert html.count("<input") == 3
    assert 'id="id_held_on_month" name="held_on_month"' in html
    assert "govuk-input--width-4" in html
    assert 'value="2025"' in html
    assert "govuk-input--error" not in html

    typed = str(_bound()["held_on"])
    assert 'name="held_on_day" type="text" inputmode="numeric"' in typed
    assert 'value="3"' in typed
    assert typed.count("govuk-input--error") == 3


def test_an_empty_date_is_none_unless_required():
    optional = GovukDateField(required=False)

    assert optional.clean(["", "", ""]) is None
    assert GovukDateField().clean([" 03", "4 ", "2025"]) == dt.date(2025, 4, 3)


def test_a_hidden_input_gets_no_empty_class_attribute():
    html = str(_Example()["version"])

    assert "class=" not in html
