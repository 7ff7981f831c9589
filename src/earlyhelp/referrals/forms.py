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
from earlyhelp.core.forms import GovukDateField, form_error_items
from earlyhelp.domain.consent import Purpose
from earlyhelp.people.models import Gender, Relationship
from earlyhelp.people.validators import validate_postcode
from earlyhelp.referrals import services
from earlyhelp.referrals.models import Route

MAX_MEMBERS = 6
# Rows shown open on the intake page; the rest sit behind "Add more people".
ROWS_ALWAYS_SHOWN = 2
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class MatchInput(forms.HiddenInput):
    """A member row's answer to "Is this the same person?": hidden, but shown as radios
    (``<id>_0``, ``<id>_1``...) by _member_row.html when there are people to choose from."""

    def first_input_id(self, auto_id: str) -> str:
        """Where an error summary link goes (core.forms.anchor_for): the first radio."""
        return f"{auto_id}_0"


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


class IntakeForm(forms.Form):
    """Everything on a Request for Support except its people."""

    route = forms.ChoiceField(
        label="How did the request come in?",
        choices=Route.choices,
        widget=forms.RadioSelect,
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
        widget=forms.CheckboxSelectMultiple,
    )
    tfu_criteria = forms.MultipleChoiceField(
        label="Troubled Families criteria met (optional)",
        help_text="Select all that apply",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    caf_exists = forms.ChoiceField(
        label="Does the family already have a CAF?",
        choices=YES_NO,
        widget=forms.RadioSelect,
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


class MemberForm(forms.Form):
    """One person on the request, with their consent for each purpose."""

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
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_language = _text("Preferred language", max_length=60, initial="English")
    school_or_setting = _text("School or setting (optional)", width=None)
    consent = forms.ChoiceField(
        label="Consent to share information",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether consent to share information was given"},
    )
    consent_assessment = forms.ChoiceField(
        label="Consent to an assessment (optional)",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_referral_on = forms.ChoiceField(
        label="Consent to a referral on to another service (optional)",
        choices=CONSENT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    consent_given_by = forms.ChoiceField(
        label="Who gave or refused consent",
        help_text="Young people of 13 or over decide for themselves; a parent or carer "
        "decides for a younger child",
        required=False,
    )
    # "new", or the id of a person already known; rendered by hand as radios under the
    # row when the service found people who may be this one.
    match = forms.CharField(required=False, widget=MatchInput)

    # A row counts as filled in when any of these is; defaults alone leave it empty.
    FILLED_BY = (
        "first_name",
        "last_name",
        "date_of_birth",
        "relationship",
        "about",
        "school_or_setting",
        "consent",
        "consent_assessment",
        "consent_referral_on",
        "consent_given_by",
        "match",
    )
    IDENTITY = ("first_name", "last_name", "date_of_birth")
    DETAILS = ("gender", "relationship", "about", "preferred_language", "school_or_setting")
    CONSENT = ("consent", "consent_assessment", "consent_referral_on", "consent_given_by")
    # Each consent question and the purpose it records.
    PURPOSES = (
        ("consent", Purpose.SHARE_INFORMATION),
        ("consent_assessment", Purpose.ASSESSMENT),
        ("consent_referral_on", Purpose.REFERRAL_ON),
    )

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
        decided = any(cleaned.get(name) in ("given", "refused") for name, _ in self.PURPOSES)
        if decided and not cleaned.get("consent_given_by"):
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
        """Consent given or refused, per filled row and purpose."""
        self.consent_rows = []
        inputs = []
        for row in self.members.filled():
            for name, purpose in row.PURPOSES:
                decision = row.cleaned_data.get(name)
                if decision not in ("given", "refused"):
                    continue
                inputs.append(
                    services.ConsentInput(
                        member_key=row.key,
                        purpose=purpose,
                        given=decision == "given",
                        given_by_key=row.given_by_key(),
                    )
                )
                # The service names consent errors by position in this list.
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
        form = self.form
        items = form_error_items(form, form.BEFORE_MEMBERS, non_field_href="#request-form")
        items += [{"href": "#members", "text": m} for m in self.member_errors]
        items += [{"href": "#members", "text": m} for m in self.members.non_form_errors()]
        for row in self.members.forms:
            items += form_error_items(row, non_field_href=f"#person-{row.row}")
        items += form_error_items(form, form.AFTER_MEMBERS, non_field=False)
        return items


def _member_field(attribute: str) -> str | None:
    if attribute in MemberForm.base_fields:
        return attribute
    if attribute in ("is_subject", "is_parent_or_carer", "interpreter_needed", "has_send"):
        return "about"
    if attribute in ("person_id", "confirmed_new"):
        return "match"
    return None


def worker_label(worker) -> str:
    """A worker as a choice, e.g. Jo Bloggs, Preston Family Support: 12 open cases."""
    plural = "" if worker.open_cases == 1 else "s"
    return f"{worker}, {worker.staff.team.name}: {worker.open_cases} open case{plural}"


class AllocateForm(forms.Form):
    key_worker = forms.ChoiceField(
        label="Who will be the key worker?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a key worker"},
    )
    reason = forms.CharField(
        label="Why this worker?",
        help_text=(
            "Needed when you choose someone other than the top recommendation, or a worker "
            "without headroom. For example, a link with the family or a skill"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].choices = [(str(w.pk), worker_label(w)) for w in workers]

    def field_for_service_key(self, key: str) -> str | None:
        return {"key_worker_id": "key_worker", "reason": "reason"}.get(key)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the request being withdrawn?",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for withdrawing the request"},
    )

    def field_for_service_key(self, key: str) -> str | None:
        return "reason" if key == "reason" else None


class ResubmitForm(forms.Form):
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
                widget=forms.RadioSelect,
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
