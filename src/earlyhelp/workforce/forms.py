"""Forms of the workforce pages: an absence, a worker's capacity details, and the
reassignment of a worker's open cases."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from earlyhelp.configuration.models import Specialism
from earlyhelp.core.forms import GovukDateField
from earlyhelp.workforce.models import AbsenceKind

NUMERIC = {"inputmode": "decimal", "spellcheck": "false"}


class AbsenceForm(forms.Form):
    """Leave, sickness or other absence, first and last day included."""

    kind = forms.ChoiceField(
        label="Type of absence",
        choices=AbsenceKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select annual leave, sickness or other absence"},
    )
    start_date = GovukDateField(label="First day away", noun="the first day away")
    end_date = GovukDateField(label="Last day away", noun="the last day away")
    note = forms.CharField(
        label="Note (optional)",
        help_text="Do not give medical details",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The last day must be the same as or after the first day")
        return data


class ConfirmForm(forms.Form):
    """No fields: the button confirms the action."""


class CapacityForm(forms.Form):
    """What a worker can carry: FTE, protected hours, specialisms and languages."""

    fte = forms.DecimalField(
        label="FTE",
        help_text="Full time is 1.0; for example, 0.6 for three days a week",
        max_digits=3,
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", **NUMERIC}),
        error_messages={
            "required": "Enter the FTE",
            "invalid": "Enter the FTE as a number, like 0.6",
            "max_digits": "FTE must be more than 0 and at most 1.0",
            "max_decimal_places": "Enter the FTE with at most 2 decimal places",
        },
    )
    protected_hours = forms.DecimalField(
        label="Protected hours a week",
        help_text="Hours kept free of visits, for example supervision or duty. 2.5 hours "
        "is one visit slot",
        max_digits=4,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", **NUMERIC}),
        error_messages={
            "required": "Enter the protected hours a week, or 0",
            "invalid": "Enter the protected hours as a number, like 2.5",
            "min_value": "Protected hours cannot be negative",
        },
    )
    specialisms = forms.MultipleChoiceField(
        label="Specialisms",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose from the configured specialisms"},
    )
    languages = forms.CharField(
        label="Languages other than English (optional)",
        help_text="Separate them with commas, for example Urdu, Polish",
        max_length=300,
        required=False,
    )
    # The version the form was opened at: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialisms"].choices = list(
            Specialism.objects.order_by("sort_order", "code").values_list("code", "name")
        )

    def clean_languages(self) -> list[str]:
        return [x.strip() for x in self.cleaned_data["languages"].split(",") if x.strip()]


class ReassignForm(forms.Form):
    """A new key worker for each of a worker's open cases, and why."""

    reason = forms.CharField(
        label="Why are the cases being reassigned?",
        help_text="For example, leaving the service or long-term sickness",
        max_length=500,
        error_messages={
            "required": "Say why the cases are being reassigned",
            "max_length": "The reason must be 500 characters or fewer",
        },
    )

    def __init__(self, *args, cases, choices, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases
        for case in cases:
            self.fields[f"worker-{case.case_id}"] = forms.TypedChoiceField(
                label=f"New key worker for the {case.family_name} family ({case.urn})",
                choices=[("", "Keep with the current worker"), *choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=suggestions.get(case.case_id),
                error_messages={"invalid_choice": "Choose a worker from the list"},
            )
            self.fields[f"reason-{case.case_id}"] = forms.CharField(
                label=f"Reason if they have no headroom ({case.urn}, optional)",
                max_length=500,
                required=False,
                error_messages={"max_length": "The reason must be 500 characters or fewer"},
            )

    def rows(self):
        """Each case with its two fields, for the table."""
        return [
            {
                "case": case,
                "worker": self[f"worker-{case.case_id}"],
                "reason": self[f"reason-{case.case_id}"],
            }
            for case in self.cases
        ]

    def chosen(self) -> list[tuple[int, int, str]]:
        """(case id, new worker's user id, reason) for each case given a new worker."""
        return [
            (
                case.case_id,
                self.cleaned_data[f"worker-{case.case_id}"],
                self.cleaned_data[f"reason-{case.case_id}"],
            )
            for case in self.cases
            if self.cleaned_data.get(f"worker-{case.case_id}")
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not self.chosen():
            raise forms.ValidationError("Choose a new key worker for at least one case")
        return data
