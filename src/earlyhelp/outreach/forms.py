"""Forms of the outreach and Talkzone pages. They parse what was typed; the services
decide. Laid out for a phone: one question after another, numbers as numeric inputs."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from earlyhelp.core.errors import DomainError
from earlyhelp.core.forms import GovukDateField
from earlyhelp.outreach.models import Channel, ContactOutcome, SessionKind, VenueType

NUMERIC = {"inputmode": "numeric", "spellcheck": "false"}
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]


def _time_field(label: str, noun: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text="Use the 24-hour clock, for example 19:30",
        input_formats=TIME_FORMATS,
        error_messages={
            "required": f"Enter the {noun}",
            "invalid": f"Enter the {noun} as hours and minutes, like 19:30",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", **NUMERIC}),
    )


def _count_field(label: str, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10_000,
        required=False,
        error_messages={
            "invalid": f"Enter {label.lower()} as a whole number, like 5",
            "min_value": f"{label} cannot be fewer than 0",
            "max_value": f"{label} must be 10,000 or fewer",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", **NUMERIC}),
        **kwargs,
    )


def local_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """A date and wall-clock time in the service's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, time))


class SessionForm(forms.Form):
    """An outreach or detached session, as recorded at the end of it."""

    kind = forms.ChoiceField(
        label="Type of session",
        choices=SessionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select outreach or detached"},
    )
    district = forms.TypedChoiceField(
        label="District",
        coerce=int,
        error_messages={"required": "Select the district"},
    )
    area = forms.CharField(
        label="Neighbourhood, village or estate",
        max_length=120,
        error_messages={"required": "Enter the neighbourhood, village or estate"},
    )
    priority_neighbourhood = forms.BooleanField(
        label="This is a priority neighbourhood", required=False
    )
    venue_type = forms.ChoiceField(
        label="Where was it?",
        choices=VenueType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of venue"},
    )
    venue_name = forms.CharField(
        label="Venue or location (optional)",
        help_text="For example, St Anne's Village Hall or the park on Mill Lane",
        max_length=200,
        required=False,
    )
    date = GovukDateField(label="Date of the session", noun="the date of the session")
    start_time = _time_field("Start time", "start time")
    end_time = _time_field("End time", "end time")
    workers = forms.TypedMultipleChoiceField(
        label="Workers on the session",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the workers on the session",
            "invalid_choice": "Select workers from the list",
        },
    )
    issues = forms.MultipleChoiceField(
        label="Issues raised (optional)",
        help_text="Select all that apply",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_ups = _count_field("Follow-ups agreed", help_text="With young people or families")
    people_met = forms.TypedMultipleChoiceField(
        label="Young people already known to the service (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select people from the list"},
    )
    requests = forms.TypedMultipleChoiceField(
        label="Requests for Support made from the session (optional)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select Requests for Support from the list"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, districts, workers, issues, age_bands, people, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "Select district")] + [
            (d.pk, d.name) for d in districts
        ]
        self.fields["workers"].choices = [
            (w.pk, w.user.get_full_name() or w.user.email) for w in workers
        ]
        self.fields["issues"].choices = [(i.code, i.name) for i in issues]
        self.fields["people_met"].choices = [
            (
                p.pk,
                f"{p.full_name}{f', born {p.date_of_birth:%d/%m/%Y}' if p.date_of_birth else ''}",
            )
            for p in people
        ]
        self.fields["requests"].choices = [
            (
                r.pk,
                f"RfS {r.pk}, {r.family.name} family, {timezone.localdate(r.received_at):%d/%m/%Y}",
            )
            for r in requests
        ]
        self.age_bands = list(age_bands)
        for band in self.age_bands:
            self.fields[self.count_name(band.code)] = _count_field(band.name)
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    @staticmethod
    def count_name(code: str) -> str:
        return f"count_{code.replace('-', '_')}"

    def count_fields(self):
        return [self[self.count_name(band.code)] for band in self.age_bands]

    def session_times(self) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        return local_datetime(d["date"], d["start_time"]), local_datetime(d["date"], d["end_time"])

    def contact_counts(self) -> dict[str, int]:
        return {
            band.code: self.cleaned_data.get(self.count_name(band.code)) or 0
            for band in self.age_bands
        }

    def field_map(self) -> dict[str, str]:
        return {
            "district_id": "district",
            "worker_ids": "workers",
            "issue_codes": "issues",
            "people_met_ids": "people_met",
            "request_ids": "requests",
            "starts_at": "date",
            "ends_at": "end_time",
            **{f"contact_counts.{b.code}": self.count_name(b.code) for b in self.age_bands},
        }


class ContactForm(forms.Form):
    """A Talkzone contact."""

    channel = forms.ChoiceField(
        label="How did they get in touch?",
        choices=Channel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the person got in touch"},
    )
    date = GovukDateField(label="Date of the contact", noun="the date of the contact")
    time = _time_field("Time of the contact", "time of the contact")
    topic = forms.ChoiceField(label="Topic", error_messages={"required": "Select the topic"})
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in ContactOutcome.choices if c[0] != ContactOutcome.RFS_CREATED],
        widget=forms.RadioSelect,
        help_text="To make a Request for Support, record the contact, then choose "
        "Make a Request for Support on its page",
        error_messages={"required": "Select the outcome"},
    )
    person = forms.TypedChoiceField(
        label="Person (optional)",
        help_text="Leave as anonymous unless the person is known to the service and agrees "
        "to be named",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Select a person from the list, or anonymous"},
    )
    age_band = forms.ChoiceField(label="Age (optional)", required=False)
    district = forms.TypedChoiceField(
        label="Where they live (optional)", coerce=int, empty_value=None, required=False
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Summarise the contact"},
    )

    def __init__(self, *args, topics, age_bands, districts, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "Select topic")] + [(t.code, t.name) for t in topics]
        self.fields["age_band"].choices = [("", "Not known")] + [
            (b.code, b.name) for b in age_bands
        ]
        self.fields["district"].choices = [("", "Not known")] + [(d.pk, d.name) for d in districts]
        self.fields["person"].choices = [("", "Anonymous")] + [
            (
                p.pk,
                f"{p.full_name}{f', born {p.date_of_birth:%d/%m/%Y}' if p.date_of_birth else ''}",
            )
            for p in people
        ]
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("date", now.date())
            self.initial.setdefault("time", f"{now:%H:%M}")

    def occurred_at(self) -> dt.datetime:
        return local_datetime(self.cleaned_data["date"], self.cleaned_data["time"])

    FIELD_MAP = {
        "occurred_at": "time",
        "topic_code": "topic",
        "person_id": "person",
        "age_band_code": "age_band",
        "district_id": "district",
    }


class ShiftForm(forms.Form):
    """A Talkzone worker on the rota."""

    worker = forms.TypedChoiceField(
        label="Talkzone worker", coerce=int, error_messages={"required": "Select the worker"}
    )
    date = GovukDateField(label="Date", noun="the date of the shift")
    start_time = _time_field("Start time", "start time")
    end_time = _time_field("End time", "end time")

    FIELD_MAP = {"worker_id": "worker", "starts_at": "start_time", "ends_at": "end_time"}

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Select worker")] + [
            (w.pk, w.user.get_full_name() or w.user.email) for w in workers
        ]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        d = self.cleaned_data
        return local_datetime(d["date"], d["start_time"]), local_datetime(d["date"], d["end_time"])


class PeriodForm(forms.Form):
    """The period and district a report or list covers."""

    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    district = forms.TypedChoiceField(
        label="District", coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args, districts, default_days: int = 90, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "All districts")] + [
            (d.pk, d.name) for d in districts
        ]
        self.default_days = default_days

    def clean(self):
        from earlyhelp.outreach.selectors import EARLIEST_DATE, LATEST_DATE, date_in_range

        cleaned = super().clean()
        for name in ("since", "until"):
            value = cleaned.get(name)
            if value is not None and not date_in_range(value):
                self.add_error(
                    name, f"Enter a date from {EARLIEST_DATE.year} to {LATEST_DATE.year}"
                )
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the period must be on or after its start")
        return cleaned

    def period(self) -> tuple[dt.date, dt.date, int | None]:
        """The period asked for, or the last ``default_days`` days to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or until - dt.timedelta(days=self.default_days - 1)
        return since, until, data.get("district")


def apply_service_error(
    form: forms.BaseForm, error: Exception, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form, by the field it names where the form has it."""
    form.errors  # noqa: B018 - runs full_clean once, so add_error has cleaned_data
    field_map = field_map or {}

    def target(key: str | None) -> str | None:
        if key is None:
            return None
        name = field_map.get(key, key)
        return name if name in form.fields else None

    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            form.add_error(target(key) if key != NON_FIELD_ERRORS else None, messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    elif isinstance(error, DomainError):
        form.add_error(target(error.field), error.message)
    else:
        form.add_error(None, str(error))
