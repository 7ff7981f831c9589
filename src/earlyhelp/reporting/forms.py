"""The dashboard's filters, one form for the web pages, the API and the report form (so
each refuses the same things with the same words)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from earlyhelp.configuration.models import District, Locality
from earlyhelp.domain import performance as rules
from earlyhelp.reporting.models import ReportFormat
from earlyhelp.reporting.selectors import EARLIEST_DATE, LATEST_DATE, DashboardFilters
from earlyhelp.workforce.models import Team

MAX_PERIOD_DAYS = 3660  # ten years


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"})


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The twelve months up to and including today."""
    today = today or timezone.localdate()
    return rules.add_months(today, -12) + dt.timedelta(days=1), today


class DashboardFilterForm(forms.Form):
    locality = forms.ModelChoiceField(
        queryset=Locality.objects.all(), required=False, empty_label="All localities"
    )
    district = forms.ModelChoiceField(
        queryset=District.objects.all(), required=False, empty_label="All districts"
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="All teams"
    )
    quarter = forms.CharField(
        label="Quarter",
        required=False,
        help_text="For example, 2026Q3 (July to September 2026). Leave empty to give dates.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    date_from = forms.DateField(label="Period from", required=False, widget=_date_widget())
    date_to = forms.DateField(label="Period to", required=False, widget=_date_widget())

    def clean_quarter(self) -> rules.Quarter | None:
        text = (self.cleaned_data.get("quarter") or "").strip()
        if not text:
            return None
        try:
            return rules.parse_quarter(text)
        except rules.BadQuarter as error:
            raise ValidationError(str(error)) from error

    def _clean_day(self, name: str) -> dt.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(f"Enter a date between {EARLIEST_DATE:%Y} and {LATEST_DATE:%Y}")
        return day

    def clean_date_from(self) -> dt.date | None:
        return self._clean_day("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._clean_day("date_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if data.get("quarter") and (start or end):
            self.add_error("quarter", "Choose a quarter or dates, not both")
        if start and end:
            if end < start:
                self.add_error("date_to", "The end of the period must be on or after its start")
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("date_to", "Choose a period of ten years or less")
        district, locality, team = data.get("district"), data.get("locality"), data.get("team")
        if district and locality and district.locality_id != locality.pk:
            self.add_error("district", "Choose a district in the locality chosen, or no locality")
        if team and district and team.district_id != district.pk:
            self.add_error("team", "Choose a team in the district chosen, or no district")
        elif team and locality and team.district.locality_id != locality.pk:
            self.add_error("team", "Choose a team in the locality chosen, or no locality")
        return data

    def filters(self, today: dt.date | None = None) -> DashboardFilters:
        """The valid filters as the selectors take them."""
        if not self.is_valid():
            raise ValidationError("The filters are not valid")
        data = self.cleaned_data
        quarter = data.get("quarter")
        if quarter is not None:
            start, end = quarter.start, quarter.end
        else:
            default_start, default_end = default_period(today)
            end = data.get("date_to") or default_end
            start = data.get("date_from") or min(default_start, end)
        return DashboardFilters(
            date_from=start,
            date_to=end,
            locality_id=data["locality"].pk if data.get("locality") else None,
            district_id=data["district"].pk if data.get("district") else None,
            team_id=data["team"].pk if data.get("team") else None,
        )


class ReportForm(forms.Form):
    """Generate a governance report for a locality or the county and a quarter."""

    locality = forms.ModelChoiceField(
        queryset=Locality.objects.all(),
        required=False,
        empty_label="The county (every locality)",
    )
    quarter = forms.CharField(
        label="Quarter",
        help_text="For example, 2026Q3 (July to September 2026)",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    format = forms.ChoiceField(choices=ReportFormat.choices, widget=forms.RadioSelect)

    def clean_quarter(self) -> rules.Quarter:
        try:
            return rules.parse_quarter(self.cleaned_data.get("quarter") or "")
        except rules.BadQuarter as error:
            raise ValidationError(str(error)) from error


EXTRACT_CHOICES = [
    ("cases", "Cases open in the period"),
    ("requests", "Requests for Support received in the period"),
    ("contacts", "Contacts with families in the period"),
]
