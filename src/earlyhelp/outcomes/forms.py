"""The cohort filters, one form for the web pages and the API (so both refuse the same
things with the same words)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from earlyhelp.configuration.models import CaseType, District, Locality, OutcomesStar, TargetGroup
from earlyhelp.outcomes.selectors import BreakdownBy, CohortFilters, PeriodBasis
from earlyhelp.workforce.models import Team

PERIOD_CHOICES = [
    (PeriodBasis.ACTIVITY.value, "Open at any time in the period"),
    (PeriodBasis.CLOSURE.value, "Closed in the period"),
]


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"})


class CohortFilterForm(forms.Form):
    locality = forms.ModelChoiceField(
        queryset=Locality.objects.all(), required=False, empty_label="All localities"
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.all(), required=False, empty_label="All districts"
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="All teams"
    )
    target_group = forms.ModelChoiceField(
        queryset=TargetGroup.objects.all(), required=False, empty_label="All target groups"
    )
    case_type = forms.ModelChoiceField(
        queryset=CaseType.objects.all(), required=False, empty_label="All case types"
    )
    period = forms.ChoiceField(
        label="Which cases the period selects",
        choices=PERIOD_CHOICES,
        required=False,
        initial=PeriodBasis.ACTIVITY.value,
        widget=forms.RadioSelect,
    )
    date_from = forms.DateField(label="Period from", required=False, widget=_date_widget())
    date_to = forms.DateField(label="Period to", required=False, widget=_date_widget())
    star = forms.ModelChoiceField(
        label="Outcomes Star",
        queryset=OutcomesStar.objects.all(),
        required=False,
        empty_label="The default Star",
    )

    breakdown = forms.ChoiceField(
        label="Compare side by side by",
        choices=[("", "No comparison")] + [(b.value, b.label) for b in BreakdownBy],
        required=False,
    )

    def __init__(self, *args, with_star: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_star:
            del self.fields["star"]
            del self.fields["breakdown"]

    def breakdown_by(self) -> BreakdownBy | None:
        """The comparison asked for, if any (after validation)."""
        value = self.cleaned_data.get("breakdown") if self.is_valid() else None
        return BreakdownBy(value) if value else None

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the period must be on or after its start")
        district, locality = data.get("district"), data.get("locality")
        if district and locality and district.locality_id != locality.pk:
            self.add_error("district", "Choose a district in the locality chosen, or no locality")
        return data

    def filters(self) -> CohortFilters:
        """The valid filters as the selectors take them."""
        if not self.is_valid():
            raise ValidationError("The filters are not valid")
        data = self.cleaned_data

        def pk(name: str) -> int | None:
            value = data.get(name)
            return value.pk if value is not None else None

        return CohortFilters(
            locality_id=pk("locality"),
            district_id=pk("district"),
            team_id=pk("team"),
            target_group_id=pk("target_group"),
            case_type_id=pk("case_type"),
            period=PeriodBasis(data.get("period") or PeriodBasis.ACTIVITY),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            star_id=pk("star"),
        )
