from django import forms

from earlyhelp.core.forms import GovukDateField
from earlyhelp.people.validators import validate_postcode


class AddressForm(forms.Form):
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter address line 1, typically the building and street"},
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        error_messages={"required": "Enter town or city"},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        validators=[validate_postcode],
        error_messages={"required": "Enter postcode"},
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )
    # The version the form was opened at: a save over a newer one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    duplicate_id = forms.TypedChoiceField(
        label="Which record is the same person?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the record to merge into this one"},
    )
    reason = forms.CharField(
        label="Why are they the same person?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why these are the same person"},
    )

    def __init__(self, *args, matches: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate_id"].choices = [
            (
                m["person_id"],
                f"{m['name']}, born {m['date_of_birth'] or 'date not known'}, "
                f"{m['postcode'] or 'no postcode'} ({', '.join(m['reasons']) or 'similar'})",
            )
            for m in matches
        ]


class PersonSearchForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        required=False,
        help_text="First name, last name or both; close spellings are found too",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth (optional)",
        noun="the date of birth",
        required=False,
        help_text="For example, 27 3 2012",
    )

    def clean(self):
        cleaned = super().clean()
        given = cleaned.get("name", "").strip() or cleaned.get("date_of_birth")
        if not self.errors and not given:
            self.add_error("name", "Enter a name or a date of birth")
        return cleaned
