"""Django forms rendered as GOV.UK Frontend markup.

The renderer's bound field gives each widget its GOV.UK class, its error modifier and
``aria-describedby`` for the hint and error message; the templates in
templates/django/forms/ lay out the form group, label, hint and error.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting

WIDGET_CLASSES: dict[str, tuple[str, str]] = {
    "text": ("govuk-input", "govuk-input--error"),
    "email": ("govuk-input", "govuk-input--error"),
    "number": ("govuk-input", "govuk-input--error"),
    "password": ("govuk-input", "govuk-input--error"),
    "date": ("govuk-input", "govuk-input--error"),
    "datetime": ("govuk-input", "govuk-input--error"),
    "time": ("govuk-input", "govuk-input--error"),
    "url": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "radioselect": ("govuk-radios__input", ""),
    "checkboxselectmultiple": ("govuk-checkboxes__input", ""),
    "checkbox": ("govuk-checkboxes__input", ""),
    "nullbooleanselect": ("govuk-select", "govuk-select--error"),
}


class GovukBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        base, error = WIDGET_CLASSES.get(self.widget_type, ("", ""))
        classes = [base, widget.attrs.get("class", ""), attrs.get("class", "")]
        if self.errors and error:
            classes.append(error)
        attrs["class"] = " ".join(c for c in classes if c).strip()
        if not widget.use_fieldset:
            described = []
            if self.help_text:
                described.append(f"{self.auto_id}-hint")
            if self.errors:
                described.append(f"{self.auto_id}-error")
            if described:
                attrs["aria-describedby"] = " ".join(described)
            else:
                attrs.pop("aria-describedby", None)
        return attrs


class GovukFormRenderer(TemplatesSetting):
    bound_field_class = GovukBoundField
    form_template_name = "django/forms/govuk.html"
    field_template_name = "django/forms/field.html"


class DateInput(forms.DateInput):
    """A date typed as day/month/year text, as GOV.UK's date pattern asks of free dates."""

    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"class": "govuk-input--width-10", **(attrs or {})}, format="%d/%m/%Y"
        )
