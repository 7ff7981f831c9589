"""Bugs in the shared GOV.UK form rendering (core/forms.py and
templates/django/forms/widgets/), pinned here by the Requests for Support developer.
Both are fixed in the shared code, which the referrals and cases forms now use as it is."""

from __future__ import annotations

from django import forms


class _Example(forms.Form):
    postcode = forms.CharField(widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}))
    route = forms.ChoiceField(choices=[("a", "Agency"), ("s", "Self")], widget=forms.RadioSelect)
    groups = forms.MultipleChoiceField(
        choices=[("n", "Neglect")], widget=forms.CheckboxSelectMultiple
    )


def test_a_widgets_own_class_survives_the_govuk_classes():
    html = str(_Example()["postcode"])

    assert "govuk-input--width-10" in html


def test_each_radio_has_one_label():
    html = str(_Example()["route"])

    assert html.count("<label") == 2


def test_each_checkbox_has_one_label():
    html = str(_Example()["groups"])

    assert html.count("<label") == 1
