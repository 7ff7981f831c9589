"""Forms of the Request for Support pages.

They parse what a user typed (real dates, email addresses, postcodes, choices); the
rules of the service are the service's (referrals/services.py), and its errors come back
by the field through ``place_service_errors``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from earlyhelp.configuration.models import TargetGroup, TfuCriterion
from earlyhelp.core.forms import GovukBoundField
from earlyhelp.domain.consent import Purpose
from earlyhelp.people.models import Gender, Relationship
from earlyhelp.people.validators import validate_postcode
from earlyhelp.referrals import services
from earlyhelp.referrals.models import Route

MAX_MEMBERS = 6
# Rows shown open on the intake page; the rest sit behind "Add more people".
ROWS_ALWAYS_SHOWN = 2
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class BoundField(GovukBoundField):
    """Keeps a widget's own classes (widths) beside the GOV.UK ones."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        classes = f"{attrs.get('class', '')} {widget.attrs.get('class', '')}".split()
        if classes:
            attrs["class"] = " ".join(dict.fromkeys(classes))
        return attrs


class ReferralForm(forms.Form):
    bound_field_class = BoundField


# The shared GOV.UK radios and checkboxes templates write each option's label; Django's
# own option template would wrap the input in a second one. These render the input only,
# and keep Django's class names so the bound field's widget_type still applies.
class RadioSelect(forms.RadioSelect):
    option_template_name = "referrals/widgets/choice_input.html"


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    option_template_name = "referrals/widgets/choice_input.html"


class GovukDateInput(forms.Widget):
    """Day, month and year as three text inputs: GOV.UK's date input pattern."""

    template_name = "referrals/widgets/date_input.html"
    use_fieldset = True
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, dt.date):
            values = [str(value.day), str(value.month), str(value.year)]
        elif isinstance(value, list | tuple):
            values = [str(v or "") for v in [*value, "", "", ""][:3]]
        else:
            values = ["", "", ""]
        id_ = context["widget"]["attrs"].get("id", "")
        context["widget"]["invalid"] = context["widget"]["attrs"].get("aria-invalid") == "true"
        context["widget"]["parts"] = [
            {
                "name": f"{name}_{part}",
                "id": f"{id_}_{part}" if id_ else "",
                "label": label,
                "width": width,
                "value": values[index],
            }
            for index, (part, label, width) in enumerate(self.parts)
        ]
        return context

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_{part}", "") for part, _, _ in self.parts]

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{part}" in data for part, _, _ in self.parts)

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""


def parse_date_parts(parts: list[str] | tuple[str, ...], *, noun: str) -> dt.date | None:
    """A date from its day, month and year, or None when all three are empty; the
    messages are GOV.UK's for the date input."""
    day, month, year = (str(p or "").strip() for p in [*parts, "", "", ""][:3])
    if not (day or month or year):
        return None
    missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
    if missing:
        raise ValidationError(f"{noun} must include a {' and '.join(missing)}", code="incomplete")
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        raise ValidationError(f"{noun} must be a real date", code="invalid")
    if len(year) != 4:
        raise ValidationError("Year must include 4 numbers", code="invalid_year")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(f"{noun} must be a real date", code="invalid") from None


class GovukDateField(forms.Field):
    """A date typed as day, month and year."""

    widget = GovukDateInput

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, dt.date) or value in self.empty_values:
            return value or None
        return parse_date_parts(value, noun=self.noun)


TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


class TimeOfDayField(forms.Field):
    """A time of day such as 14:30, 9.05 or 2:30pm."""

    widget = forms.TextInput
    default_error_messages = {"invalid": "Enter a time as hours and minutes, like 14:30"}

    def to_python(self, value):
        if isinstance(value, dt.time):
            return value
        text = (value or "").strip()
        if not text:
            return None
        found = TIME_RE.match(text)
        if not found:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        hour, minute, half = int(found[1]), int(found[2] or 0), (found[3] or "").lower()
        if half:
            if not 1 <= hour <= 12:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.time(hour, minute)


def _text(label: str, *, required: bool = False, width: int | None = 20, **kwargs):
    attrs = {"spellcheck": "false"}
    if width:
        attrs["class"] = f"govuk-input--width-{width}"
    attrs.update(kwargs.pop("attrs", {}))
    return forms.CharField(
        label=label,
        required=required,
        max_length=kwargs.pop("max_length", 200),
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def _email(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=False,
        error_messages={"invalid": EMAIL_MESSAGE},
        widget=forms.EmailInput(
            attrs={
                "spellcheck": "false",
                "autocomplete": "off",
                "class": "govuk-!-width-two-thirds",
            }
        ),
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class IntakeForm(ReferralForm):
    """Everything on a Request for Support except its people."""

    route = forms.ChoiceField(
        label="How did the request come in?",
        choices=Route.choices,
        widget=RadioSelect,
        error_messages={"required": "Select how the request came in"},
    )
    received_on = GovukDateField(
        noun="Date received",
        label="Date received",
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the request was received"},
    )
    received_time = TimeOfDayField(
        label="Time received",
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the time the request was received",
            "invalid": "Enter the time received as hours and minutes, like 14:30",
        },
    )
    referrer_name = _text(
        "Referrer's name", required=True, error_messages={"required": "Enter the referrer's name"}
    )
    referrer_organisation = _text("Organisation (optional)")
    referrer_role = _text("Role (optional)")
    referrer_email = _email("Email address (optional)")
    referrer_phone = _text(
        "Phone number (optional)", width=20, max_length=30, attrs={"type": "tel"}
    )
    family_name = _text(
        "Family name (optional)",
        max_length=120,
        help_text="Usually the family's surname. Leave it empty to use the first person's.",
    )
    address_line_1 = _text("Address line 1", width=None)
    address_line_2 = _text("Address line 2 (optional)", width=None)
    town = _text("Town or city", max_length=100)
    postcode = _text("Postcode", width=10, max_length=10, validators=[validate_postcode])
    presenting_needs = forms.CharField(
        label="What are the family's needs?",
        help_text="What the referrer says the family needs help with, and why now",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe the family's needs"},
    )
    target_groups = forms.MultipleChoiceField(
        label="Priority target groups (optional)",
        help_text="Select all that apply",
        required=False,
        widget=CheckboxSelectMultiple,
    )
    tfu_criteria = forms.MultipleChoiceField(
        label="Troubled Families criteria met (optional)",
        help_text="Select all that apply",
        required=False,
        widget=CheckboxSelectMultiple,
    )
    caf_exists = forms.ChoiceField(
        label="Does the family already have a CAF?",
        choices=YES_NO,
        widget=RadioSelect,
        error_messages={"required": "Select yes if the family already has a CAF"},
    )
    caf_urn = _text("URN of the CAF", width=20, max_length=40)
    caf_lead_professional = _text("Lead professional's name")
    caf_lead_professional_email = _email("Lead professional's email address (optional)")

    # The page's sections, in page order (the members come between address and needs).
    BEFORE_MEMBERS = (
        "route",
        "received_on",
        "received_time",
        "referrer_name",
        "referrer_organisation",
        "referrer_role",
        "referrer_email",
        "referrer_phone",
        "family_name",
        "address_line_1",
        "address_line_2",
        "town",
        "postcode",
    )
    AFTER_MEMBERS = (
        "presenting_needs",
        "target_groups",
        "tfu_criteria",
        "caf_exists",
        "caf_urn",
        "caf_lead_professional",
        "caf_lead_professional_email",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_groups"].choices = [(g.code, g.name) for g in TargetGroup.objects.all()]
        self.fields["tfu_criteria"].choices = [
            (str(c.number), c.title) for c in TfuCriterion.objects.all()
        ]
        if not self.is_bound:
            now = timezone.localtime()
            self.initial.setdefault("received_on", now.date())
            self.initial.setdefault("received_time", f"{now:%H:%M}")

    def received_at(self) -> dt.datetime:
        """The date and time received, in the service's time zone."""
        return timezone.make_aware(
            dt.datetime.combine(
                self.cleaned_data["received_on"], self.cleaned_data["received_time"]
            )
        )

    def field_for_service_key(self, key: str) -> str | None:
        """This form's field for a key of the service's errors ("referrer.name", "caf.urn",
        "address.postcode", or a model field), or None."""
        if key in ("received_at", "first_received_at"):
            return "received_on"
        head, _, tail = key.partition(".")
        candidates = (
            {
                "referrer": [f"referrer_{tail}"],
                "caf": [f"caf_{tail}"],
                "address": [tail],
            }.get(head, [key])
            if tail
            else [key]
        )
        return next((name for name in candidates if name in self.fields), None)


CONSENT_CHOICES = [
    ("given", "Given"),
    ("refused", "Refused"),
    ("not_recorded", "Not recorded yet"),
]
ABOUT_CHOICES = [
    ("subject", "The request is about this child or young person"),
    ("parent_or_carer", "Parent or carer"),
    ("interpreter_needed", "Needs an interpreter"),
    ("has_send", "Has special educational needs or disabilities (SEND)"),
]
NEW_PERSON = "new"


class MemberForm(ReferralForm):
    """One person on the request, with their consent to share information."""

    first_name = _text("First name", max_length=100, attrs={"autocomplete": "off"})
    last_name = _text("Last name", max_length=100, attrs={"autocomplete": "off"})
    date_of_birth = GovukDateField(
        noun="Date of birth",
        label="Date of birth",
        required=False,
        help_text="For example, 27 3 2015",
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN)
    relationship = forms.ChoiceField(
        label="Relationship in the family",
        choices=[("", "Select relationship"), *Relationship.choices],
        error_messages={"required": "Select the person's relationship in the family"},
    )
    about = forms.MultipleChoiceField(
        label="About this person",
        help_text="Select all that apply",
        choices=ABOUT_CHOICES,
        required=False,
        widget=CheckboxSelectMultiple,
    )
    preferred_language = _text("Preferred language", max_length=60, initial="English")
    school_or_setting = _text("School or setting (optional)", width=None)
    consent = forms.ChoiceField(
        label="Consent to share information",
        choices=CONSENT_CHOICES,
        widget=RadioSelect,
        error_messages={"required": "Select whether consent to share information was given"},
    )
    consent_given_by = forms.ChoiceField(
        label="Who gave or refused consent",
        help_text="Young people of 13 or over decide for themselves; a parent or carer "
        "decides for a younger child",
        required=False,
    )
    # "new", or the id of a person already known; rendered by hand as radios under the
    # row when the service found people who may be this one.
    match = forms.CharField(required=False, widget=forms.HiddenInput)

    # A row counts as filled in when any of these is; defaults alone leave it empty.
    FILLED_BY = (
        "first_name",
        "last_name",
        "date_of_birth",
        "relationship",
        "about",
        "school_or_setting",
        "consent",
        "consent_given_by",
        "match",
    )
    IDENTITY = ("first_name", "last_name", "date_of_birth")
    DETAILS = ("gender", "relationship", "about", "preferred_language", "school_or_setting")
    CONSENT = ("consent", "consent_given_by")

    def __init__(self, *args, row: int = 0, people: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.fields["consent_given_by"].choices = [
            ("", "Select who decided"),
            ("self", "This person"),
            *((key, label) for key, label in people if key != f"m{row}"),
        ]

    def has_changed(self) -> bool:
        return any(name in self.changed_data for name in self.FILLED_BY)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consent") in ("given", "refused") and not cleaned.get("consent_given_by"):
            self.add_error("consent_given_by", "Select who gave or refused consent")
        match = cleaned.get("match", "")
        if match and match != NEW_PERSON and not match.isdigit():
            self.add_error("match", "Select whether this is the same person")
        return cleaned

    @property
    def key(self) -> str:
        return f"m{self.row}"

    def given_by_key(self) -> str:
        chosen = self.cleaned_data.get("consent_given_by", "")
        return self.key if chosen in ("self", "") else chosen


class BaseMemberFormSet(forms.BaseFormSet):
    """Up to six people; empty rows are ignored."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "row": index, "people": self.people_labels()}

    def people_labels(self) -> list[tuple[str, str]]:
        """Each row as a choice of who gave consent, named when names have been typed."""
        labels = []
        for index in range(MAX_MEMBERS):
            name = ""
            if self.is_bound:
                prefix = self.add_prefix(index)
                name = " ".join(
                    self.data.get(f"{prefix}-{part}", "").strip()
                    for part in ("first_name", "last_name")
                ).strip()
            label = f"Person {index + 1}" + (f" ({name})" if name else "")
            labels.append((f"m{index}", label))
        return labels

    def filled(self) -> list[MemberForm]:
        return [form for form in self.forms if form.has_changed()]

    def clean(self):
        filled = {form.key for form in self.filled()}
        for form in self.filled():
            chosen = form.cleaned_data.get("consent_given_by", "")
            if chosen not in ("", "self") and chosen not in filled:
                form.add_error("consent_given_by", "Choose someone named on this request")


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=MAX_MEMBERS,
    max_num=MAX_MEMBERS,
    absolute_max=MAX_MEMBERS,
    validate_max=True,
)


@dataclass
class Intake:
    """The intake page's forms together: the request, and up to six member rows."""

    form: IntakeForm
    members: BaseMemberFormSet
    # Errors about the members as a whole ("Add the family's members").
    member_errors: list[str] = field(default_factory=list)
    # Row index -> the people already known who may be that row's person.
    offered: dict[int, list[dict]] = field(default_factory=dict)
    # The rows sent to the service, in order: the service's members[i] is sent_rows[i].
    sent_rows: list[MemberForm] = field(default_factory=list)
    consent_rows: list[MemberForm] = field(default_factory=list)

    @classmethod
    def bind(cls, data=None) -> Intake:
        return cls(form=IntakeForm(data), members=MemberFormSet(data, prefix="members"))

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        return self.members.is_valid() and form_valid

    def submission(self, answers: dict[int, tuple[int | None, bool]]) -> dict:
        """The keyword arguments of services.submit_request from the cleaned forms;
        ``answers`` holds each row's (existing person id, confirmed new) from matching."""
        d = self.form.cleaned_data
        return {
            "route": d["route"],
            "received_at": self.form.received_at(),
            "referrer": services.ReferrerInput(
                name=d["referrer_name"].strip(),
                organisation=d["referrer_organisation"].strip(),
                role=d["referrer_role"].strip(),
                email=d["referrer_email"],
                phone=d["referrer_phone"].strip(),
            ),
            "address": services.AddressInput(
                family_name=d["family_name"].strip(),
                address_line_1=d["address_line_1"].strip(),
                address_line_2=d["address_line_2"].strip(),
                town=d["town"].strip(),
                postcode=d["postcode"].strip(),
            ),
            "members": self.member_inputs(answers),
            "consents": self.consent_inputs(),
            "needs": services.NeedsInput(
                presenting_needs=d["presenting_needs"],
                target_groups=tuple(d["target_groups"]),
                tfu_criteria=tuple(int(n) for n in d["tfu_criteria"]),
            ),
            "caf": services.CafInput(
                exists=d["caf_exists"] == "yes",
                urn=d["caf_urn"].strip(),
                lead_professional=d["caf_lead_professional"].strip(),
                lead_professional_email=d["caf_lead_professional_email"],
            ),
        }

    def member_inputs(
        self, answers: dict[int, tuple[int | None, bool]]
    ) -> list[services.MemberInput]:
        """The filled rows as the service's members (key "m<row>"); empty rows are left out."""
        self.sent_rows = []
        inputs = []
        for row in self.members.filled():
            d = row.cleaned_data
            about = set(d.get("about") or ())
            person_id, confirmed_new = answers.get(row.row, (None, False))
            inputs.append(
                services.MemberInput(
                    key=row.key,
                    first_name=d.get("first_name", "").strip(),
                    last_name=d.get("last_name", "").strip(),
                    date_of_birth=d.get("date_of_birth"),
                    gender=d.get("gender") or Gender.NOT_KNOWN,
                    relationship=d.get("relationship") or Relationship.CHILD,
                    is_subject="subject" in about,
                    is_parent_or_carer="parent_or_carer" in about,
                    preferred_language=(d.get("preferred_language") or "").strip() or "English",
                    interpreter_needed="interpreter_needed" in about,
                    has_send="has_send" in about,
                    school_or_setting=(d.get("school_or_setting") or "").strip(),
                    person_id=person_id,
                    confirmed_new=confirmed_new,
                )
            )
            self.sent_rows.append(row)
        return inputs

    def consent_inputs(self) -> list[services.ConsentInput]:
        """Consent to share information given or refused, per filled row."""
        self.consent_rows = []
        inputs = []
        for row in self.members.filled():
            decision = row.cleaned_data.get("consent")
            if decision not in ("given", "refused"):
                continue
            inputs.append(
                services.ConsentInput(
                    member_key=row.key,
                    purpose=Purpose.SHARE_INFORMATION,
                    given=decision == "given",
                    given_by_key=row.given_by_key(),
                )
            )
            self.consent_rows.append(row)
        return inputs

    def place_service_errors(self, error: ValidationError) -> None:
        """Put each of the service's errors by the field it is about; what matches no
        field goes in the error summary."""
        if not hasattr(error, "error_dict"):
            self.form.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            messages = [m for e in errors for m in e.messages]
            self.place(key, messages)

    def place(self, key: str | None, messages: list[str]) -> None:
        if not key or key == NON_FIELD_ERRORS:
            self.form.add_error(None, messages)
            return
        if key == "members":
            self.member_errors.extend(messages)
            return
        found = re.fullmatch(r"(members|consents)\[(\d+)\](?:\.(\w+))?", key)
        if found:
            rows = self.sent_rows if found[1] == "members" else self.consent_rows
            index, attribute = int(found[2]), found[3] or ""
            if index < len(rows):
                row = rows[index]
                name = _member_field(attribute) if found[1] == "members" else "consent"
                row.add_error(name, messages)
                return
            self.form.add_error(None, messages)
            return
        name = self.form.field_for_service_key(key)
        self.form.add_error(name, messages)

    def summary(self) -> list[dict[str, str]]:
        """The error summary, in page order."""
        items = form_errors(self.form, self.form.BEFORE_MEMBERS, fallback="#request-form")
        items += [{"href": "#members", "text": m} for m in self.member_errors]
        items += [{"href": "#members", "text": m} for m in self.members.non_form_errors()]
        for row in self.members.forms:
            items += form_errors(row, fallback=f"#person-{row.row}")
        items += form_errors(self.form, self.form.AFTER_MEMBERS, non_field=False)
        return items


def _member_field(attribute: str) -> str | None:
    if attribute in MemberForm.base_fields:
        return attribute
    if attribute in ("is_subject", "is_parent_or_carer", "interpreter_needed", "has_send"):
        return "about"
    if attribute in ("person_id", "confirmed_new"):
        return "match"
    return None


def field_anchor(bound_field) -> str:
    """Where an error summary link for a field goes: the first input of a group."""
    widget = bound_field.field.widget
    if isinstance(widget, GovukDateInput):
        return f"{bound_field.auto_id}_day"
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    if bound_field.name == "match":
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def form_errors(
    form, names=None, *, fallback: str = "#main-content", non_field: bool = True
) -> list[dict[str, str]]:
    """A form's errors as error summary items: its non-field errors (linking to
    ``fallback``) then each field's, in the order of ``names`` (all fields if None)."""
    if not form.is_bound:
        return []
    items = []
    if non_field:
        items += [{"href": fallback, "text": m} for m in form.non_field_errors()]
    for name in names or form.fields:
        bound = form[name]
        items += [{"href": f"#{field_anchor(bound)}", "text": m} for m in bound.errors]
    return items


def worker_label(worker) -> str:
    """A worker as a choice, e.g. Jo Bloggs, Preston Family Support: 12 open cases."""
    plural = "" if worker.open_cases == 1 else "s"
    return f"{worker}, {worker.staff.team.name}: {worker.open_cases} open case{plural}"


class AllocateForm(ReferralForm):
    key_worker = forms.ChoiceField(
        label="Who will be the key worker?",
        widget=RadioSelect,
        error_messages={"required": "Select a key worker"},
    )
    reason = forms.CharField(
        label="Why this worker? (optional)",
        help_text="For example, capacity, skills or a link with the family",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].choices = [(str(w.pk), worker_label(w)) for w in workers]

    def field_for_service_key(self, key: str) -> str | None:
        return {"key_worker_id": "key_worker", "reason": "reason"}.get(key)


class WithdrawForm(ReferralForm):
    reason = forms.CharField(
        label="Why is the request being withdrawn?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for withdrawing the request"},
    )

    def field_for_service_key(self, key: str) -> str | None:
        return "reason" if key == "reason" else None


class ResubmitForm(ReferralForm):
    """Consent to share information, per person on a returned request."""

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        people = [("", "Select who decided")] + [
            (str(m.person_id), m.person.full_name) for m in self.members
        ]
        for member in self.members:
            pid, name = member.person_id, member.person.full_name
            self.fields[f"consent_{pid}"] = forms.ChoiceField(
                label=f"Consent to share information about {name}",
                choices=[("given", "Given"), ("refused", "Refused")],
                widget=RadioSelect,
                required=False,
            )
            self.fields[f"given_by_{pid}"] = forms.ChoiceField(
                label=f"Who gave or refused consent for {name}", choices=people, required=False
            )
        self.consent_order: list[int] = []

    def rows(self):
        """Each person with their two fields, for the template."""
        return [
            {
                "member": m,
                "consent": self[f"consent_{m.person_id}"],
                "given_by": self[f"given_by_{m.person_id}"],
            }
            for m in self.members
        ]

    def clean(self):
        cleaned = super().clean()
        recorded = False
        for member in self.members:
            pid = member.person_id
            if cleaned.get(f"consent_{pid}"):
                recorded = True
                if not cleaned.get(f"given_by_{pid}"):
                    self.add_error(f"given_by_{pid}", "Select who gave or refused consent")
        if not recorded and not self.errors:
            raise ValidationError("Record consent for at least one person")
        return cleaned

    def consents(self) -> list[tuple[int, bool, str]]:
        """(person id, given, decided by person id) for each person with consent recorded;
        remembers their order to place the service's errors."""
        items = []
        self.consent_order = []
        for member in self.members:
            pid = member.person_id
            decision = self.cleaned_data.get(f"consent_{pid}")
            if decision:
                items.append((pid, decision == "given", self.cleaned_data[f"given_by_{pid}"]))
                self.consent_order.append(pid)
        return items

    def field_for_service_key(self, key: str) -> str | None:
        found = re.fullmatch(r"consents\[(\d+)\](?:\.\w+)?", key)
        if found and int(found[1]) < len(self.consent_order):
            return f"consent_{self.consent_order[int(found[1])]}"
        return None


def place_errors(form: forms.Form, error: Exception) -> None:
    """Put a service's ValidationError or domain error on a simple form's fields."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            form.add_error(form.field_for_service_key(key), [m for e in errors for m in e.messages])
    elif isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        key = getattr(error, "field", None)
        form.add_error(form.field_for_service_key(key) if key else None, str(error))
