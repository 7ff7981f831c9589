"""Forms for the Level 2 plan to closure, reviews and safeguarding (Appendix L boxes 6-7).

They parse what a person typed (dates, times, scores) and ask for what is missing; the
rules stay in cases/services.py, whose refusals come back onto these forms through
cases/web.py. Field names follow the services' error keys where they can
(``progress.<action>`` lands on ``progress_<action>``, ``scores.<area>`` on
``scores_<area>``); ``field_map`` names the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from django import forms
from django.utils import timezone

from earlyhelp.cases.forms import NUMERIC
from earlyhelp.cases.models import (
    ActionStatus,
    Agency,
    ClosureReason,
    PlanAction,
    ReviewOutcome,
    SafeguardingNote,
    SafeguardingNoteCategory,
)
from earlyhelp.configuration.models import OutcomesStar, ServiceOutcome
from earlyhelp.core.forms import GovukDateField


def time_field(*, label: str, required_message: str) -> forms.TimeField:
    """A time of day typed on the 24-hour clock."""
    return forms.TimeField(
        label=label,
        help_text="Use the 24-hour clock, for example 09:30 or 14:00",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={
            "required": required_message,
            "invalid": "Enter the time as hours and minutes on the 24-hour clock, like 14:00",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", **NUMERIC}),
    )


def _short(text: str, length: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else f"{text[: length - 1].rstrip()}…"


class StarScoresMixin:
    """The Outcomes Star as part of a larger form: a score field per area, all optional
    here, sent to the service only when any area is scored (the service says when the
    Star is required, and that every area must then be scored)."""

    fields: dict
    cleaned_data: dict
    field_map: dict[str, str]
    star_names: list[str]

    def add_star(self, star: OutcomesStar | None) -> None:
        self.star = star
        self.star_names = []
        if star is None:
            return
        low, high = star.scale_min, star.scale_max
        for area in star.areas.all():
            name = f"scores_{area.code}"
            self.fields[name] = forms.IntegerField(
                label=area.name,
                required=False,
                min_value=low,
                max_value=high,
                error_messages={
                    "invalid": f"The score for {area.name} must be a whole number",
                    "min_value": f"The score for {area.name} must be {low} or more",
                    "max_value": f"The score for {area.name} must be {high} or less",
                },
                widget=forms.TextInput(attrs={"class": "govuk-input--width-2", **NUMERIC}),
            )
            self.star_names.append(name)
        if self.star_names:
            # "Take the Outcomes Star" is said by the first area's score.
            self.field_map = {**self.field_map, "star_scores": self.star_names[0]}

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.star_names]  # type: ignore[index]

    def star_has_errors(self) -> bool:
        return any(self[name].errors for name in self.star_names)  # type: ignore[index]

    def star_entered(self) -> bool:
        return any(self[name].value() for name in self.star_names)  # type: ignore[index]

    def star_scores(self) -> dict[str, int] | None:
        scores = {
            name.removeprefix("scores_"): self.cleaned_data[name]
            for name in self.star_names
            if self.cleaned_data.get(name) is not None
        }
        return scores or None


# ---------------------------------------------------------------- the plan


class ActionForm(forms.Form):
    """A SMART action of the plan (CAF part 3)."""

    field_map: Mapping[str, str] = {"outcome_number": "outcome"}

    what = forms.CharField(
        label="What will be done?",
        help_text="One specific action that the family or a professional will take",
        error_messages={"required": "Say what will be done"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    who = forms.CharField(
        label="Who will do it?",
        max_length=200,
        error_messages={"required": "Say who will do it"},
    )
    by_when = GovukDateField(label="By when?", noun="the date the action is due by")
    success_measure = forms.CharField(
        label="How will success be measured?",
        help_text="For example, Alex is asleep by 8pm on 5 nights a week",
        error_messages={"required": "Say how success will be measured"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.TypedChoiceField(
        label="Which of the service's outcomes does it serve? (optional)",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the service's outcomes"},
    )

    def __init__(self, *args, outcomes: Iterable[ServiceOutcome] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (o.number, f"Outcome {o.number}: {o.title}") for o in outcomes
        ]


class TafForm(forms.Form):
    """A Team Around the Family meeting: when, where and which agencies are invited."""

    field_map: Mapping[str, str] = {"scheduled_for": "meeting_date", "agency_ids": "agencies"}

    meeting_date = GovukDateField(label="Date of the meeting", noun="the date of the meeting")
    meeting_time = time_field(
        label="Start time", required_message="Enter the time the meeting starts"
    )
    venue = forms.CharField(
        label="Where is the meeting?",
        max_length=200,
        error_messages={"required": "Enter where the meeting is"},
    )
    agencies = forms.TypedMultipleChoiceField(
        label="Agencies to invite",
        help_text="Each agency you select is sent an invitation by email. Select all that apply.",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the agencies to invite",
            "invalid_choice": "Choose the agencies to invite from the directory",
        },
    )

    def __init__(self, *args, agencies: Iterable[Agency] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = [
            (a.pk, f"{a.name} ({a.kind})" if a.kind else a.name) for a in agencies
        ]


# ---------------------------------------------------------------- reviews


class ReviewForm(StarScoresMixin, forms.Form):
    """A review of the plan: progress on every action, a summary, the outcome and, at the
    12-week review, the Outcomes Star."""

    held_on = GovukDateField(label="Date the review was held", noun="the date of the review")
    summary = forms.CharField(
        label="Summary of progress",
        help_text="What has changed for the family since the plan started or the last review",
        error_messages={"required": "Summarise the progress"},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    outcome = forms.ChoiceField(
        label="Outcome of the review",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the review"},
    )

    def __init__(self, *args, actions: Iterable[PlanAction], star: OutcomesStar | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_map = {"taken_on": "held_on"}
        self.actions = list(actions)
        for action in self.actions:
            what = _short(action.what)
            self.fields[f"progress_{action.pk}"] = forms.ChoiceField(
                label=f"Progress on “{what}”",
                choices=ActionStatus.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose the progress on “{what}”"},
            )
            self.fields[f"note_{action.pk}"] = forms.CharField(
                label=f"Note on “{what}” (optional)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.add_star(star)

    def action_rows(self) -> Iterator[tuple[PlanAction, forms.BoundField, forms.BoundField]]:
        for action in self.actions:
            yield action, self[f"progress_{action.pk}"], self[f"note_{action.pk}"]

    def progress(self) -> dict[int, dict[str, str]]:
        return {
            action.pk: {
                "status": self.cleaned_data[f"progress_{action.pk}"],
                "note": self.cleaned_data.get(f"note_{action.pk}", ""),
            }
            for action in self.actions
        }


# ---------------------------------------------------------------- closure


class ClosureForm(StarScoresMixin, forms.Form):
    """Asking the line manager to agree closure: the reason, notes and the closing Star."""

    reason = forms.ChoiceField(
        label="Why is the case closing?",
        # Signposting at Level 1 closes through the decision, not here.
        choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.SIGNPOSTED],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for closing the case"},
    )
    notes = forms.CharField(
        label="Notes for your line manager",
        help_text="Needed if the reason is Other",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, star: OutcomesStar | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_map = {}
        self.add_star(star)


# ---------------------------------------------------------------- safeguarding


class ConcernForm(forms.Form):
    """ "Child needs protection": what the worker saw or heard."""

    concern = forms.CharField(
        label="What is the concern?",
        help_text="What you saw or heard, when, and which child is at risk",
        error_messages={"required": "Describe the concern"},
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class ConcernOutcomeForm(forms.Form):
    """The designated safeguarding officer's outcome of a concern."""

    outcome = forms.CharField(
        label="What is the outcome?",
        help_text="For example, a strategy discussion was held and a referral made to "
        "Children's Social Care",
        error_messages={"required": "Record the outcome"},
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class SafeguardingNoteForm(forms.Form):
    """A restricted safeguarding note: what happened, when, and optionally what kind and
    which earlier note it corrects."""

    occurred_on = GovukDateField(label="Date", noun="the date")
    occurred_at_time = time_field(label="Time", required_message="Enter the time")
    category = forms.ChoiceField(
        label="Category (optional)",
        choices=SafeguardingNoteCategory.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a category from the list, or none"},
    )
    text = forms.CharField(
        label="Note",
        help_text="What was disclosed, discussed or decided, who by and what happens next",
        error_messages={"required": "Enter the safeguarding note"},
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    corrects = forms.TypedChoiceField(
        label="Does this note correct an earlier one? (optional)",
        help_text="Notes cannot be changed. To correct one, add a note that says what was wrong",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose a safeguarding note of this case"},
    )

    def __init__(self, *args, notes: Iterable[SafeguardingNote], **kwargs):
        super().__init__(*args, **kwargs)
        notes = list(notes)
        if not notes:
            del self.fields["corrects"]
            return
        self.fields["corrects"].choices = [("", "No, it is a new note")] + [
            (note.pk, _note_label(note)) for note in notes
        ]


def _note_label(note: SafeguardingNote) -> str:
    local = timezone.localtime(note.occurred_at)
    kind = f" ({note.get_category_display().lower()})" if note.category else ""
    return f"Note of {local.day} {local:%B %Y} at {local:%H:%M} by {note.author}{kind}"
