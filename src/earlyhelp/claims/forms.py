"""Forms of the claims pages. They parse what a person typed; the rules stay in
claims/services.py, whose refusals come back onto these forms (cases/web.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms

from earlyhelp.claims.models import FrameworkNeed, NeedProgress
from earlyhelp.core.forms import GovukDateField


class AttachForm(forms.Form):
    """The family's attachment: its date, and for each need identified a tick and the
    evidence. Needs are grouped by headline on the page (``headlines``)."""

    attached_on = GovukDateField(label="Attachment date", noun="the attachment date")
    notes = forms.CharField(
        label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, needs: Iterable[FrameworkNeed], **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        for need in self.needs:
            self.fields[f"need_{need.code}"] = forms.BooleanField(label=need.title, required=False)
            self.fields[f"evidence_{need.code}"] = forms.CharField(
                label=f"Evidence: {need.title}",
                help_text=need.evidence_hint,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @property
    def headlines(self) -> list[dict]:
        """The needs' bound fields grouped under their headlines, in order."""
        groups: dict[str, dict] = {}
        for need in self.needs:
            group = groups.setdefault(
                need.headline_code, {"title": need.headline_title, "needs": []}
            )
            group["needs"].append(
                {"tick": self[f"need_{need.code}"], "evidence": self[f"evidence_{need.code}"]}
            )
        return list(groups.values())

    def chosen(self) -> dict[str, str]:
        """Need code: evidence, for the needs ticked."""
        data = self.cleaned_data
        return {
            need.code: data.get(f"evidence_{need.code}", "")
            for need in self.needs
            if data.get(f"need_{need.code}")
        }

    @staticmethod
    def field_map(needs: Iterable[FrameworkNeed]) -> dict[str, str]:
        """The service's error keys (``evidence.<code>``, ``needs``) onto fields."""
        needs = list(needs)
        mapping = {f"evidence.{n.code}": f"evidence_{n.code}" for n in needs}
        if needs:
            mapping["needs"] = f"need_{needs[0].code}"
        return mapping


class ProgressForm(forms.Form):
    need_code = forms.ChoiceField(
        label="Which need", widget=forms.RadioSelect, error_messages={"required": "Choose a need"}
    )
    status = forms.ChoiceField(
        label="What happened",
        choices=NeedProgress.Status.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Progress made starts the sustain period; sustained is evidence that the "
            "progress still holds; regressed undoes the progress before it"
        ),
        error_messages={"required": "Choose what happened"},
    )
    recorded_on = GovukDateField(label="Date of the evidence", noun="the date of the evidence")
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What shows it, and from whom (for example the school's attendance figures)",
        error_messages={"required": "Enter the evidence"},
    )

    def __init__(self, *args, needs: Iterable[FrameworkNeed], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_code"].choices = [(n.code, n.title) for n in needs]


class EmploymentForm(forms.Form):
    person_id = forms.TypedChoiceField(
        label="Who is in work",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who is in work"},
    )
    started_on = GovukDateField(label="Start date", noun="the start date")
    ended_on = GovukDateField(
        label="End date (if the job has ended)",
        noun="the end date",
        required=False,
        help_text="Leave empty while still in work. For example, 27 3 2025",
    )
    was_on_jsa = forms.BooleanField(
        label="Was on Jobseeker's Allowance before this job",
        required=False,
        help_text="They then need 13 weeks' work within 26, rather than 26 within 30",
    )
    evidence = forms.CharField(
        label="Evidence of the work",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example payslips seen, or confirmation from the Employment Advisor",
        error_messages={"required": "Enter the evidence of the work"},
    )

    def __init__(self, *args, people: Iterable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_id"].choices = [(p.pk, str(p)) for p in people]


class EndEmploymentForm(forms.Form):
    ended_on = GovukDateField(label="End date", noun="the end date")


class WindowForm(forms.Form):
    """A claim window, typed as two dates (a GET form)."""

    start = GovukDateField(label="From", noun="the first day of the window")
    end = GovukDateField(label="To", noun="the last day of the window")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The last day must be on or after the first day")
        return data

    def window(self, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default


class ClaimForm(forms.Form):
    """Confirm a claim for a window (the window is carried in hidden fields)."""

    window_start = forms.DateField(widget=forms.HiddenInput)
    window_end = forms.DateField(widget=forms.HiddenInput)
