from django import forms


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        label="Person's name", required=False, help_text="Events about this child or adult"
    )
    actor = forms.CharField(
        label="Member of staff", required=False, help_text="Email address or name"
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        help_text="For example, 27/3/2026",
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}),
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
