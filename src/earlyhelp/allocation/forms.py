"""The proposal page's form: one decision per open line."""

from __future__ import annotations

from django import forms

from earlyhelp.allocation.models import ProposalLine
from earlyhelp.allocation.services import LineDecision

LATER = "later"
ACCEPT = "accept"
REJECT = "reject"
WORKER = "worker:"


def _headroom(cases: int) -> str:
    if cases <= 0:
        return "no headroom"
    return f"headroom {cases} case{'' if cases == 1 else 's'}"


class ProposalDecisionForm(forms.Form):
    """For each open line: accept the proposed worker, give it to another, reject it, or
    decide later."""

    def __init__(
        self, *args, lines: list[ProposalLine], workers: list[tuple[int, str, int]], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.is_open]
        others = [
            (f"{WORKER}{pk}", f"Give to {name} ({_headroom(room)})") for pk, name, room in workers
        ]
        for line in self.lines:
            choices = []
            if line.proposed_worker_id:
                worker = line.proposed_worker
                choices.append((ACCEPT, f"Accept: {worker.get_full_name() or worker.email}"))
            choices.append((LATER, "Decide later"))
            choices.append((REJECT, "Reject: leave it waiting"))
            choices += [c for c in others if c[0] != f"{WORKER}{line.proposed_worker_id}"]
            self.fields[self.name_for(line)] = forms.ChoiceField(
                label=f"Decision for the {line.request.family.name} family",
                choices=choices,
                initial=ACCEPT if line.proposed_worker_id else LATER,
            )

    @staticmethod
    def name_for(line: ProposalLine) -> str:
        return f"line_{line.pk}"

    def decisions(self) -> list[LineDecision]:
        """The service's decisions; lines left to later are not sent."""
        decided = []
        for line in self.lines:
            choice = self.cleaned_data[self.name_for(line)]
            if choice == ACCEPT:
                decided.append(LineDecision(line_id=line.pk, action="accept"))
            elif choice == REJECT:
                decided.append(LineDecision(line_id=line.pk, action="reject"))
            elif choice.startswith(WORKER):
                decided.append(
                    LineDecision(
                        line_id=line.pk, action="change", worker_id=int(choice[len(WORKER) :])
                    )
                )
        return decided

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.decisions():
            raise forms.ValidationError("Choose a decision for at least one request")
        return cleaned
