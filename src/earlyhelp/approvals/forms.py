"""The approver's decision: approve, or reject with comments."""

from __future__ import annotations

from django import forms

APPROVE = "approve"
REJECT = "reject"


class DecisionForm(forms.Form):
    """Approve (comments optional) or reject (comments needed, checked by the service).

    Each choice reveals its own comments box (GOV.UK radios with conditional reveals)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve"), (REJECT, "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you approve or reject it"},
    )
    approve_comments = forms.CharField(
        label="Comments (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reject_comments = forms.CharField(
        label="Why are you rejecting it?",
        help_text="The worker sees this and can act on it",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == APPROVE

    @property
    def comments(self) -> str:
        return self.cleaned_data["approve_comments" if self.approve else "reject_comments"]

    @property
    def comments_field(self) -> str:
        """Where the service's message about comments is shown."""
        return "approve_comments" if self.approve else "reject_comments"
