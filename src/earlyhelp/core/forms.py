"""Django forms rendered as GOV.UK Frontend markup.

The renderer's bound field gives each widget its GOV.UK class, its error modifier and
``aria-describedby`` for the hint and error message; the templates in
templates/django/forms/ lay out the form group, label, hint and error. Here too are
GOV.UK's date input (``GovukDateField``) and the error summary's items
(``error_summary_items``, shown by templates/components/error_summary.html).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django import forms
from django.core.exceptions import ValidationError
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
        # Each class once, and no empty class attribute (on a hidden input, say).
        classes = list(dict.fromkeys(" ".join(classes).split()))
        if classes:
            attrs["class"] = " ".join(classes)
        else:
            attrs.pop("class", None)
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


# ---------------------------------------------------------------- GOV.UK date input

# Each part of a date: its name (suffix of the input's name and id), label and width.
DATE_PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class GovukDateInput(forms.Widget):
    """Day, month and year as three text inputs: GOV.UK's date input. Its value is the
    three parts as typed; ``GovukDateField`` makes a date of them."""

    template_name = "django/forms/widgets/date_input.html"
    use_fieldset = True

    def format_value(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, list | tuple):
            return [str(part or "") for part in [*value, "", "", ""][:3]]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        id_ = widget["attrs"].get("id", "")
        invalid = widget["attrs"].get("aria-invalid") == "true"
        widget["parts"] = []
        for (part, label, width), typed in zip(DATE_PARTS, widget["value"], strict=True):
            classes = ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{width}"]
            if invalid:
                # The whole date is in error: every part has the red border.
                classes.append("govuk-input--error")
            part_attrs = {"class": " ".join(classes)}
            if id_:
                part_attrs["id"] = f"{id_}_{part}"
            part_attrs.update(
                name=f"{name}_{part}",
                type="text",
                inputmode="numeric",
                spellcheck="false",
                autocomplete="off",
            )
            if typed:
                part_attrs["value"] = typed
            if invalid:
                part_attrs["aria-invalid"] = "true"
            widget["parts"].append({"label": label, "attrs": part_attrs})
        return context

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{part}", "") for part, _, _ in DATE_PARTS]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{part}" in data for part, _, _ in DATE_PARTS)

    def id_for_label(self, id_):
        return self.first_input_id(id_)

    def first_input_id(self, auto_id: str) -> str:
        """The id of the day input, where an error summary link goes."""
        return f"{auto_id}_day" if auto_id else ""


def parse_date_parts(parts: Sequence[str | None], *, noun: str) -> dt.date | None:
    """A date from its day, month and year, or None when all three are empty; the
    messages are GOV.UK's for the date input, ``noun`` naming the date in them."""
    day, month, year = (str(p or "").strip() for p in [*parts, "", "", ""][:3])
    if not (day or month or year):
        return None
    noun = noun[:1].upper() + noun[1:]
    missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        raise ValidationError(f"{noun} must include a {' and '.join(missing)}", code="incomplete")
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValidationError(f"{noun} must be a real date", code="invalid")
    if len(year) != 4:
        raise ValidationError("Year must include 4 numbers", code="invalid_year")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(f"{noun} must be a real date", code="invalid") from None


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's error messages.

    ``noun`` names the date in messages: "the date of the contact" gives "Enter the date
    of the contact", "The date of the contact must include a month", and so on.
    """

    widget = GovukDateInput

    def __init__(self, *, noun: str = "the date", **kwargs):
        self.noun = noun
        kwargs.setdefault("help_text", "For example, 27 3 2025")
        kwargs["error_messages"] = {"required": f"Enter {noun}", **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.date) or value in self.empty_values:
            return value or None
        return parse_date_parts(value, noun=self.noun)


# ---------------------------------------------------------------- GOV.UK error summary


def anchor_for(bound_field: BoundField) -> str:
    """The id an error summary link moves to: the field's input, the first input of a
    group (radios, checkboxes, a date's day), or "" for a hidden field."""
    widget = bound_field.field.widget
    auto_id = bound_field.auto_id
    if hasattr(widget, "first_input_id"):
        return widget.first_input_id(auto_id)
    if widget.is_hidden:
        return ""
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{auto_id}_0"
    return auto_id


def first_field_href(form: forms.BaseForm) -> str:
    """A link to the form's first visible field, or to the page's main content."""
    anchors = [anchor_for(field) for field in form.visible_fields()]
    return f"#{anchors[0]}" if anchors and anchors[0] else "#main-content"


def form_error_items(
    form: forms.BaseForm,
    names: Iterable[str] | None = None,
    *,
    non_field_href: str | None = None,
    non_field: bool = True,
) -> list[dict[str, str]]:
    """A form's errors as error summary items ({"text", "href"}): its non-field errors,
    then each field's in the order of ``names`` (the form's own if None), each linking
    to its field's first input. A non-field error links to ``non_field_href``: the
    form's first field if None, nowhere if "" (a refusal that is about no field)."""
    if not form.errors:
        return []
    items = []
    if non_field:
        href = first_field_href(form) if non_field_href is None else non_field_href
        items += [{"text": message, "href": href} for message in form.non_field_errors()]
    for name in form.fields if names is None else names:
        bound_field = form[name]
        anchor = anchor_for(bound_field)
        href = f"#{anchor}" if anchor else ""
        items += [{"text": message, "href": href} for message in bound_field.errors]
    return items


def error_summary_items(
    *forms_: forms.BaseForm | None, non_field_href: str | None = None
) -> list[dict[str, str]]:
    """The GOV.UK error summary's items for a page's forms, in page order."""
    items: list[dict[str, str]] = []
    for form in forms_:
        # A page without a form gives None, or "" from a template's missing variable.
        if isinstance(form, forms.BaseForm):
            items += form_error_items(form, non_field_href=non_field_href)
    return items
