"""Forms of the data-protection pages: finding a person, a retention decision, and the
second person's decision on a proposed erasure."""

from __future__ import annotations

from django import forms

from earlyhelp.core.forms import GovukDateField
from earlyhelp.privacy.models import Decision
from earlyhelp.privacy.selectors import DUE_FIRST, ORDERS

APPROVE = "approve"
REJECT = "reject"


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="First name, last name or both",
        error_messages={"required": "Enter the person's name"},
    )
    date_of_birth = GovukDateField(
        label="Date of birth (optional)", noun="the date of birth", required=False
    )


class ReviewListForm(forms.Form):
    order = forms.ChoiceField(
        label="Order", choices=list(ORDERS.items()), required=False, initial=DUE_FIRST
    )


class RetentionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to erase or keep the records"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Do not name anyone: the reason is kept after the records are erased",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Give the reason for your decision"},
    )
    next_review_on = GovukDateField(
        label="Review again on (if kept)",
        noun="the next review date",
        required=False,
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve the erasure"), (REJECT, "Do not approve")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve the erasure"},
    )
    comments = forms.CharField(
        label="Comments",
        help_text="Needed if you do not approve",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == APPROVE
