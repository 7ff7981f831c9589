"""Helpers that case pages share: putting a service's refusal on a form, and rendering a
form page with its GOV.UK error summary (built by core/forms.py).

A page calls a service inside ``errors_onto(form)``; whatever the service refuses
(``ValidationError``, a ``DomainError`` such as ``StepNotReady`` or ``StaleRecord``, or
``TransitionNotAllowed``) lands on the form, by the field where the service names one
the form has, in the error summary otherwise. Permission refusals and missing records
are not caught: they become the 403 and 404 pages.

    form = ContactForm(request.POST, case=case)
    if form.is_valid():
        with web.errors_onto(form, field_map={"occurred_at": "occurred_on"}) as outcome:
            services.record_contact(actor=request.user, case_id=case.pk, ...)
        if outcome.ok:
            return redirect(...)
    return web.render_form(request, "cases/contact_form.html", {"case": case, "form": form})
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from earlyhelp.cases.models import Status
from earlyhelp.core.errors import DomainError
from earlyhelp.core.forms import error_summary_items
from earlyhelp.domain.casework import TransitionNotAllowed

# What a service may refuse with, shown on the form rather than as an error page.
SERVICE_REFUSALS = (ValidationError, DomainError, TransitionNotAllowed)

# Plain words for an action refused in the case's current state.
TRANSITION_MESSAGES: dict[str, str] = {
    "record_contact": "Contacts cannot be recorded on a closed case",
    "edit_assessment": "The assessment can only be changed while the case is in assessment",
    "record_star": "The Outcomes Star cannot be recorded on this case now",
    "decide_level_1": "Level 1 can only be decided while the case is in assessment",
    "decide_level_2": "Level 2 can only be decided while the case is in assessment",
    "decide_level_3_4": "Level 3 or 4 can only be decided while the case is in assessment "
    "or has a Level 2 plan",
    "plan": "The plan can only be changed while the case has a Level 2 plan",
    "review": "Reviews can only be recorded while the case has a Level 2 plan",
    "request_closure": "Closure can only be asked for while the case has a plan or is escalated",
    "raise_safeguarding": "A safeguarding concern cannot be raised on a closed case",
}


def source(request: HttpRequest) -> str:
    """Where an action came from, for the audit log: the page's path."""
    return request.path


def message_for(error: Exception) -> str:
    """The plain-English text of a service's refusal."""
    if isinstance(error, TransitionNotAllowed):
        action = error.rule.removeprefix("case_")
        if action not in TRANSITION_MESSAGES:
            return str(error)
        state = error.state.replace(" ", "_")
        label = Status(state).label if state in Status.values else error.state
        return f"{TRANSITION_MESSAGES[action]}. This case is: {label}."
    if isinstance(error, DomainError):
        return error.message
    return str(error)


def form_field_for(form: forms.BaseForm, key: str, field_map: Mapping[str, str] | None) -> str:
    """The form field a service's error key belongs to, or NON_FIELD_ERRORS.

    Tried in order: ``field_map[key]``; the key itself; for a dotted key (``scores.home``,
    ``escalation.discussion``) the part after the dot, then the key with ``_`` for the dot.
    """
    candidates = []
    if field_map and key in field_map:
        candidates.append(field_map[key])
    candidates.append(key)
    if "." in key:
        head, _, tail = key.partition(".")
        candidates += [tail, f"{head}_{tail}"]
    for name in candidates:
        if name in form.fields and not form.fields[name].widget.is_hidden:
            return name
    return NON_FIELD_ERRORS


def apply_error(
    form: forms.BaseForm, error: Exception, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Put a service's refusal on the form: by the field it names, or in the summary."""
    _ensure_cleaned_data(form)
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            field = form_field_for(form, key, field_map)
            form.add_error(None if field == NON_FIELD_ERRORS else field, messages)
        return
    if isinstance(error, ValidationError):
        form.add_error(None, error.messages)
        return
    field = NON_FIELD_ERRORS
    if isinstance(error, DomainError) and error.field:
        field = form_field_for(form, error.field, field_map)
    form.add_error(None if field == NON_FIELD_ERRORS else field, message_for(error))


def _ensure_cleaned_data(form: forms.BaseForm) -> None:
    # add_error needs cleaned_data, which an unbound form does not have.
    form.errors  # noqa: B018 - runs full_clean once
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}


class errors_onto:  # lower case: used like contextlib's context managers
    """Run a service call; a refusal goes onto the form and ``ok`` turns False."""

    def __init__(self, form: forms.BaseForm, *, field_map: Mapping[str, str] | None = None):
        self.form = form
        self.field_map = field_map
        self.ok = True
        self.error: Exception | None = None

    def __enter__(self) -> errors_onto:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if exc is None or not isinstance(exc, SERVICE_REFUSALS):
            return False
        self.ok = False
        self.error = exc
        apply_error(self.form, exc, field_map=self.field_map)
        return True


def error_summary(*forms_: forms.BaseForm | None) -> list[dict[str, str]]:
    """The error summary of a case page. A non-field error there is a service's refusal
    about no field ("Someone else saved it"), so it is text, not a link."""
    return error_summary_items(*forms_, non_field_href="")


def render_form(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int | None = None,
) -> HttpResponse:
    """Render a form page with its error summary (``components/error_summary.html`` reads
    ``error_summary``). A form with errors answers 200, as GOV.UK pages do."""
    context = {**context, "error_summary": error_summary(context.get("form"))}
    return render(request, template, context, status=status)
