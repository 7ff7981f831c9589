"""Forms of the case pages. They parse what a person typed; the rules are in
cases/services.py, whose refusals come back onto these forms through cases/web.py.
GOV.UK markup, and the date input (``GovukDateField``), are core's (core/forms.py)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from earlyhelp.accounts.roles import MANAGER_ROLES, Role
from earlyhelp.cases.models import (
    Assessment,
    ContactType,
    EmploymentAdvisorContact,
    Level,
    StarReadingKind,
)
from earlyhelp.configuration.models import CaseType, OutcomesStar, TfuCriterion
from earlyhelp.core.forms import GovukDateField

NUMERIC = {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}


# ---------------------------------------------------------------- contacts


class ContactForm(forms.Form):
    """A visit or other contact with the family."""

    occurred_on = GovukDateField(label="Date of the contact", noun="the date of the contact")
    occurred_at_time = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M", "%H%M"],
        error_messages={
            "required": "Enter the time of the contact",
            "invalid": "Enter the time of the contact as hours and minutes, like 14:30",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", **NUMERIC}),
    )
    contact_type = forms.ChoiceField(
        label="Type of contact",
        choices=ContactType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of contact"},
    )
    duration_minutes = forms.IntegerField(
        label="How long it took, in minutes",
        help_text="Including the time to write it up. For example, 90",
        error_messages={
            "required": "Enter how long the contact took, in minutes",
            "invalid": "Enter how long the contact took as a number of minutes, like 90",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", **NUMERIC}),
    )
    attendees = forms.TypedMultipleChoiceField(
        label="Family members who took part",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Attendees must be members of the family"},
    )
    other_attendees = forms.CharField(
        label="Anyone else who took part (optional)",
        help_text="For example, a grandparent or a teacher",
        max_length=300,
        required=False,
    )
    referrer_attended = forms.BooleanField(label="The referrer took part", required=False)
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter notes of the contact"},
    )

    def __init__(self, *args, family, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(m.person_id, str(m)) for m in family.memberships.all()]


# ---------------------------------------------------------------- assessment

ASSESSMENT_DOMAINS = (
    ("Child's developmental needs", "child_development"),
    ("Parenting capacity", "parenting_capacity"),
    ("Family and environmental factors", "family_environment"),
)
ASSESSMENT_TEXT_FIELDS = (
    *(f"{prefix}_{part}" for _, prefix in ASSESSMENT_DOMAINS for part in ("strengths", "needs")),
    "voice_of_child",
    "voice_of_parents",
    "wider_family",
)


def _text(label: str, hint: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, required=False, widget=forms.Textarea(attrs={"rows": rows})
    )


class AssessmentForm(forms.Form):
    """The CAF draft: the three domains of the assessment triangle, the voices of the
    child and parents, the wider family, TFU criteria and worklessness."""

    child_development_strengths = _text("Strengths")
    child_development_needs = _text("Needs")
    parenting_capacity_strengths = _text("Strengths")
    parenting_capacity_needs = _text("Needs")
    family_environment_strengths = _text("Strengths")
    family_environment_needs = _text("Needs")
    voice_of_child = _text(
        "Voice of the child or young person", "What they say, in their own words if you can"
    )
    voice_of_parents = _text("Voice of the parents or carers")
    wider_family = _text(
        "Wider family", "Grandparents and others who support the family or affect it"
    )
    tfu_criteria = forms.ModelMultipleChoiceField(
        label="Troubled Families criteria met",
        help_text="Select all that apply",
        queryset=TfuCriterion.objects.all(),
        to_field_name="number",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Choose TFU criteria from the list",
            "invalid_pk_value": "Choose TFU criteria from the list",
        },
    )
    worklessness_identified = forms.BooleanField(
        label="Worklessness identified in the family",
        help_text="Contact with the Employment Advisor will then be needed",
        required=False,
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def data_for(assessment: Assessment) -> dict[str, object]:
        """Form data holding the assessment as saved, to show it bound (with errors)."""
        data: dict[str, object] = {
            name: getattr(assessment, name) for name in ASSESSMENT_TEXT_FIELDS
        }
        data["tfu_criteria"] = [str(c.number) for c in assessment.tfu_criteria.all()]
        if assessment.worklessness_identified:
            data["worklessness_identified"] = "on"
        data["expected_version"] = str(assessment.version)
        return data

    def domains(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (title, self[f"{prefix}_strengths"], self[f"{prefix}_needs"])
            for title, prefix in ASSESSMENT_DOMAINS
        ]


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(
        label="Has the family given consent to the CAF?",
        choices=[("given", "Yes, consent given"), ("refused", "No, consent refused")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the family gave consent"},
    )
    # The assessment's version when the form was opened: a record over a newer one is
    # refused (core/concurrency.py).
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ConsentRefusalDecisionForm(forms.Form):
    decision = forms.CharField(
        label="Your decision",
        help_text="What happens next, now that the family has refused consent to the CAF",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Record your decision"},
    )
    # The assessment's version when the form was opened: a record over a newer one is
    # refused (core/concurrency.py).
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class EmploymentAdvisorForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Contact with the Employment Advisor",
        choices=[
            (EmploymentAdvisorContact.MADE, "Made"),
            (EmploymentAdvisorContact.DECLINED, "Declined by the family"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the contact was made or declined"},
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    # The assessment's version when the form was opened: a record over a newer one is
    # refused (core/concurrency.py).
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    """No fields: carries a service's refusal to the error summary."""


# ---------------------------------------------------------------- Outcomes Star


def default_star() -> OutcomesStar | None:
    """The Outcomes Star the service takes by default, with its areas."""
    stars = OutcomesStar.objects.prefetch_related("areas")
    return stars.filter(is_default=True).first() or stars.first()


class StarReadingForm(forms.Form):
    """An Outcomes Star reading: when, and a score for each area of the Star."""

    kind = forms.ChoiceField(
        label="When was the Star taken?",
        choices=StarReadingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the Star was taken"},
    )
    taken_on = GovukDateField(label="Date the Star was taken", noun="the date the Star was taken")

    def __init__(self, *args, star: OutcomesStar, **kwargs):
        super().__init__(*args, **kwargs)
        self.star = star
        for area in star.areas.all():
            self.fields[f"scores_{area.code}"] = forms.IntegerField(
                label=area.name,
                error_messages={
                    "required": f"Enter a score for {area.name}",
                    "invalid": f"The score for {area.name} must be a whole number",
                },
                widget=forms.TextInput(attrs={"class": "govuk-input--width-2", **NUMERIC}),
            )

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("scores_")]

    def scores(self) -> dict[str, int]:
        return {
            name.removeprefix("scores_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("scores_")
        }


# ---------------------------------------------------------------- decision


def consulted_staff() -> QuerySet:
    """Who a Level 3/4 escalation may be discussed with: DSOs and managers."""
    roles = [Role.DSO.value, *(r.value for r in MANAGER_ROLES)]
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=roles)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name() or obj.email
        open_cases = getattr(obj, "open_cases", None)
        if open_cases is None:
            return name
        return f"{name} ({open_cases} open case{'' if open_cases == 1 else 's'})"


class DecisionForm(forms.Form):
    """The decision after assessment, with what each level needs."""

    level = forms.ChoiceField(
        label="Level of need",
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the level of need"},
    )
    # Level 1
    signposted_services = _text(
        "Services the family was signposted to", "For example, the children's centre stay and play"
    )
    # Level 2
    lead_professional_id = StaffChoiceField(
        label="Lead professional from this service",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Someone from another agency",
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )
    lead_professional_name = forms.CharField(
        label="Or their name, if from another agency", max_length=200, required=False
    )
    lead_professional_agency = forms.CharField(label="Their agency", max_length=200, required=False)
    plan_starts_on = GovukDateField(
        label="Date the plan starts",
        noun="the date the plan starts",
        required=False,
        help_text="Leave blank for today. For example, 27 3 2025",
    )
    # Level 3 or 4
    discussed_with_id = StaffChoiceField(
        label="Who you discussed the escalation with",
        help_text="Your line manager or a designated safeguarding officer",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Choose a person",
        error_messages={"invalid_choice": "Choose the line manager or DSO you consulted"},
    )
    discussion = _text("What you discussed")
    csc_referral_made = forms.TypedChoiceField(
        label="Was a referral made to Children's Social Care?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    csc_reference = forms.CharField(
        label="Children's Social Care reference (if a referral was made)",
        max_length=60,
        required=False,
    )
    wpehs_future_role = _text("Agreed future role of the service")
    # Every level
    case_type_code = forms.ModelChoiceField(
        label="Case type",
        queryset=CaseType.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the case type"},
    )
    rationale = forms.CharField(
        label="Rationale and evidence",
        help_text="Why this level, and the evidence from the assessment",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Give the evidence and rationale for the decision"},
    )

    LEVEL_FIELDS = {
        Level.LEVEL_1: ("signposted_services",),
        Level.LEVEL_2: (
            "lead_professional_id",
            "lead_professional_name",
            "lead_professional_agency",
            "plan_starts_on",
        ),
        Level.LEVEL_3_4: (
            "discussed_with_id",
            "discussion",
            "csc_referral_made",
            "csc_reference",
            "wpehs_future_role",
        ),
    }

    def __init__(self, *args, workers: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional_id"].queryset = workers
        self.fields["discussed_with_id"].queryset = consulted_staff()
        self.fields["case_type_code"].label_from_instance = lambda t: f"{t.code}: {t.name}"

    def level_options(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        """Each level's radio with the fields revealed when it is chosen."""
        by_value = {str(level): names for level, names in self.LEVEL_FIELDS.items()}
        return [
            (radio, [self[name] for name in by_value.get(str(radio.data["value"]), ())])
            for radio in self["level"]
        ]

    def service_arguments(self) -> dict[str, object]:
        """The arguments of services.record_decision, from what the level needs."""
        data = self.cleaned_data
        level = data["level"]
        arguments: dict[str, object] = {
            "level": level,
            "case_type_code": data["case_type_code"].code,
            "rationale": data["rationale"],
        }
        if level == Level.LEVEL_1:
            arguments["signposted_services"] = data["signposted_services"]
        elif level == Level.LEVEL_2:
            lead = data["lead_professional_id"]
            arguments.update(
                lead_professional_id=lead.pk if lead else None,
                lead_professional_name=data["lead_professional_name"],
                lead_professional_agency=data["lead_professional_agency"],
                plan_starts_on=data["plan_starts_on"],
            )
        else:
            consulted = data["discussed_with_id"]
            escalation: dict[str, object] = {
                "discussed_with_id": consulted.pk if consulted else None,
                "discussion": data["discussion"],
                "csc_reference": data["csc_reference"],
                "wpehs_future_role": data["wpehs_future_role"],
            }
            if data["csc_referral_made"] is not None:
                escalation["csc_referral_made"] = data["csc_referral_made"]
            arguments["escalation"] = escalation
        return arguments
