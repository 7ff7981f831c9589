"""Forms for the centre pages, rendered as GOV.UK markup by core's form renderer. They
parse input; the rules (opening, clashes, capacity, registers) are the services'."""

from __future__ import annotations

from django import forms

from earlyhelp.centres.models import (
    POST_FIELDS,
    WEEKDAYS,
    AgeBand,
    Centre,
    GroupSession,
    OccurrenceStatus,
    Post,
    ProgrammeSession,
)
from earlyhelp.core.forms import GovukDateField
from earlyhelp.workforce.models import StaffMember

TIME_HELP = "Use the 24-hour clock, for example 09:30 or 18:00"


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        help_text=TIME_HELP,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as hours and minutes, like 09:30",
        },
    )


def _count(label: str, *, required: bool = False, initial: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=500,
        required=required,
        initial=initial,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be 0 or more",
            "max_value": f"{label} must be 500 or fewer",
        },
    )


class ProgrammeSessionForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=160,
        required=False,
        help_text="What the session is, unless it is a session of a group run",
    )
    weekday = forms.TypedChoiceField(
        label="Day of the week",
        choices=[("", "Choose a day"), *WEEKDAYS],
        coerce=int,
        error_messages={"required": "Choose the day of the week"},
    )
    starts_at = _time("Start time")
    ends_at = _time("End time")
    room = forms.ModelChoiceField(
        label="Room", queryset=None, required=False, empty_label="No room (outreach)"
    )
    expected_attendance = _count("Expected attendance")
    group_run = forms.ModelChoiceField(
        label="Group run", queryset=None, required=False, empty_label="Not a group run"
    )
    grade_6 = _count("Grade 6 staff")
    outreach_a = _count("Outreach workers (Type A)")
    outreach_b = _count("Outreach workers (Type B)")
    delivery_support = _count("Delivery support workers")

    def __init__(self, *args, centre: Centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = centre.rooms.all()
        self.fields["room"].label_from_instance = lambda r: f"{r.name} (holds {r.capacity})"
        self.fields["group_run"].queryset = centre.group_runs.select_related("programme")

    def staff(self) -> dict[str, int]:
        return {name: self.cleaned_data.get(name) or 0 for name in POST_FIELDS.values()}


class RotaForm(forms.Form):
    staff = forms.ModelChoiceField(
        label="Member of staff",
        queryset=None,
        empty_label="Choose a member of staff",
        error_messages={"required": "Choose a member of staff"},
    )
    post = forms.ChoiceField(
        label="Post",
        choices=[("", "Choose a post"), *Post.choices],
        error_messages={"required": "Choose the post they work in"},
    )

    def __init__(self, *args, session: ProgrammeSession, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff of the centre's district's teams: a bounded list.
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(
                team__district_id=session.centre.district_id, user__is_active=True
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["staff"].label_from_instance = lambda s: f"{s.user}, {s.job_title}"


class OccurrenceForm(forms.Form):
    date = GovukDateField(noun="the date of the session")
    status = forms.ChoiceField(
        label="Was the session delivered?",
        choices=OccurrenceStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose delivered or cancelled"},
    )
    cancellation_reason = forms.CharField(
        label="Reason for cancelling", max_length=300, required=False
    )
    staff_present = _count("Staff present")
    attendance = _count("Attendance")


class GroupRunForm(forms.Form):
    centre = forms.ModelChoiceField(
        label="Centre",
        queryset=Centre.objects.filter(is_active=True).order_by("name"),
        empty_label="Choose a centre",
        error_messages={"required": "Choose the centre"},
    )
    partner_venue = forms.CharField(
        label="Partner venue (optional)",
        max_length=200,
        required=False,
        help_text="If the sessions are at another venue, such as a village hall",
    )
    starts_on = GovukDateField(noun="the date of the first session")
    starts_at = _time("Start time")
    ends_at = _time("End time")
    weeks_between = forms.IntegerField(
        label="Weeks between sessions",
        min_value=1,
        max_value=4,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={"required": "Enter the weeks between sessions"},
    )


class EnrolForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter their last name"}
    )
    date_of_birth = GovukDateField(noun="their date of birth")
    consent = forms.BooleanField(
        label="They (or their parent or carer) consent to their attendance being recorded by name",
        required=False,
    )


class RegisterForm(forms.Form):
    """Named participants present (checkboxes) and everyone counted by age band."""

    present = forms.MultipleChoiceField(
        label="Who came",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Participants who consented to their attendance being recorded",
    )
    # The version the register was opened at: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, session: GroupSession, bands: list[AgeBand], **kwargs):
        super().__init__(*args, **kwargs)
        self.bands = bands
        self.fields["version"].initial = session.version
        self.fields["present"].choices = [
            (str(p.person_id), str(p.person)) for p in session.run.participants.all()
        ]
        counts = {c.age_band_id: c.count for c in session.head_counts.all()}
        for band in bands:
            self.fields[f"band_{band.code}"] = _count(
                band.name, required=False, initial=counts.get(band.pk, 0)
            )
        if not self.is_bound:
            self.initial["present"] = [str(a.person_id) for a in session.attendances.all()]

    def band_fields(self):
        return [self[f"band_{band.code}"] for band in self.bands]

    def head_counts(self) -> dict[str, int]:
        return {band.code: self.cleaned_data.get(f"band_{band.code}") or 0 for band in self.bands}
