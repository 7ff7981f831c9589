"""Troubled Families / Supporting Families pages: programme progress, attached families,
families that look eligible, attaching a family, recording progress and employment, the
claims report for a window with its exports, and making a claim.

Views parse and authorise; every change goes through claims/services.py, whose refusals
come back onto the form (cases/web.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from earlyhelp.audit.services import record_denied, record_view
from earlyhelp.cases import selectors as case_selectors
from earlyhelp.cases import web
from earlyhelp.claims import exports, selectors, services
from earlyhelp.claims.forms import (
    AttachForm,
    ClaimForm,
    EmploymentForm,
    EndEmploymentForm,
    ProgressForm,
    WindowForm,
)
from earlyhelp.claims.models import Attachment, ClaimFramework
from earlyhelp.configuration.models import District, Locality
from earlyhelp.domain.claims import ROUTE_LABELS
from earlyhelp.workforce.models import Team

PAGE_SIZE = 25


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _refuse(request: HttpRequest, *, object_type: str, object_id, message: str):
    record_denied(
        actor=request.user, object_type=object_type, object_id=object_id, source=request.path
    )
    raise PermissionDenied(message)


def _require_claims_pages(request: HttpRequest) -> None:
    if not request.user.has_perm("claims.view_claims"):
        _refuse(
            request,
            object_type="claims.claim",
            object_id="",
            message="Only managers and the head of service see the claims pages.",
        )


def _framework(request: HttpRequest) -> ClaimFramework | None:
    """The framework a page is about: ?framework=<code>, the active one by default."""
    code = request.GET.get("framework") or None
    framework = selectors.framework_by_code(code)
    if code and framework is None:
        raise Http404("No framework with that code.")
    return framework


def _no_framework(request: HttpRequest) -> HttpResponse:
    return render(request, "claims/no_framework.html", status=200)


def _attachment(request: HttpRequest, attachment_id: int) -> Attachment:
    return selectors.access_attachment(
        user=request.user, attachment_id=attachment_id, source=web.source(request)
    )


def _to_attachment(attachment_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("claims:attachment", args=[attachment_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _may_record(request: HttpRequest, target) -> bool:
    return request.user.has_perm("claims.record_progress", target)


def _attachment_to_record(request: HttpRequest, attachment_id: int) -> Attachment:
    """The attachment, for a form that records on it: its key worker and their managers."""
    attachment = _attachment(request, attachment_id)
    if not _may_record(request, attachment):
        _refuse(
            request,
            object_type="claims.attachment",
            object_id=attachment.pk,
            message="Only the case's key worker and their managers record progress.",
        )
    return attachment


# ---------------------------------------------------------------- programme progress


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Programme progress by locality, district or team, for the families the user may
    see, with links to the lists and the claims report."""
    _require_claims_pages(request)
    framework = _framework(request)
    if framework is None:
        return _no_framework(request)
    group_by = request.GET.get("by", "locality")
    if group_by not in selectors.GROUPINGS:
        group_by = "locality"
    progress = selectors.programme_progress(
        user=request.user, framework=framework, group_by=group_by
    )
    return render(
        request,
        "claims/index.html",
        {
            "framework": framework,
            "frameworks": selectors.frameworks(),
            "progress": progress,
            "group_by": group_by,
            "groupings": selectors.GROUPINGS,
        },
    )


def _place(request: HttpRequest) -> tuple[dict[str, int], str, tuple[str, str] | None]:
    """The locality (code), district (code) or team (id) a list is narrowed to, from a
    programme progress row: the selector's filter, its name and the parameter."""
    for name, model, lookup in (
        ("locality", Locality, "code"),
        ("district", District, "code"),
        ("team", Team, "pk"),
    ):
        value = request.GET.get(name)
        if not value:
            continue
        if lookup == "pk" and not value.isdigit():
            raise Http404("No such team.")
        found = model.objects.filter(**{lookup: value}).first()
        if found is None:
            raise Http404(f"No such {name}.")
        return {f"{name}_id": found.pk}, str(found), (name, value)
    return {}, "", None


@login_required
def families(request: HttpRequest) -> HttpResponse:
    """The attached families the user may see, with where each stands today."""
    _require_claims_pages(request)
    framework = _framework(request)
    if framework is None:
        return _no_framework(request)
    state = request.GET.get("state") or None
    if state not in selectors.STATE_LABELS:
        state = None
    place, place_name, place_param = _place(request)
    found = selectors.attachment_rows(user=request.user, framework=framework, state=state, **place)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        part
        for part in (
            f"framework={framework.code}",
            f"state={state}" if state else "",
            f"{place_param[0]}={place_param[1]}" if place_param else "",
        )
        if part
    )
    return render(
        request,
        "claims/families.html",
        {
            "framework": framework,
            "page": page,
            "rows": selectors.rows_for(list(page.object_list)),
            "state": state,
            "states": selectors.STATE_LABELS,
            "query": query,
            "place_name": place_name,
            "place_param": place_param,
        },
    )


@login_required
def eligible(request: HttpRequest) -> HttpResponse:
    """Open cases whose assessment's TFU criteria would make the family eligible and
    that are not attached yet."""
    _require_claims_pages(request)
    framework = _framework(request)
    if framework is None:
        return _no_framework(request)
    candidates = selectors.possibly_eligible(user=request.user, framework=framework)
    page = Paginator(candidates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "claims/eligible.html",
        {"framework": framework, "page": page, "query": f"framework={framework.code}"},
    )


# ---------------------------------------------------------------- attach


@login_required
def for_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """From the case page: the family's attachment if there is one, else the attach
    form."""
    case = case_selectors.access_case(
        user=request.user, case_id=case_id, source=web.source(request)
    )
    framework = selectors.active_framework()
    if framework is None:
        return _no_framework(request)
    attachment = selectors.attachment_for_case(case=case, framework=framework)
    if attachment is not None:
        return _to_attachment(attachment.pk)
    if _may_record(request, case):
        return redirect("claims:attach", case_id=case.pk)
    return render(request, "claims/not_attached.html", {"case": case, "framework": framework})


@login_required
def attach(request: HttpRequest, case_id: int) -> HttpResponse:
    """Attach the case's family to the active framework with the needs identified."""
    case = case_selectors.access_case(
        user=request.user, case_id=case_id, source=web.source(request)
    )
    if not _may_record(request, case):
        _refuse(
            request,
            object_type="cases.case",
            object_id=case.pk,
            message="Only the case's key worker and their managers attach a family.",
        )
    framework = selectors.active_framework()
    if framework is None:
        return _no_framework(request)
    existing = selectors.attachment_for_case(case=case, framework=framework)
    if existing is not None:
        messages.success(request, f"The family is already attached to {framework.name}")
        return _to_attachment(existing.pk)
    needs = selectors.current_needs(framework)
    rule = selectors.domain_framework(framework)
    criteria = [c.number for c in case.assessment.tfu_criteria.all()]
    suggested = {n.code for n in selectors.suggested_needs(rule, criteria)}
    initial = {"attached_on": timezone.localdate()}
    initial.update({f"need_{code}": True for code in suggested})
    form = AttachForm(_posted(request), needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form, field_map=AttachForm.field_map(needs)) as outcome:
            attachment = services.attach_family(
                actor=request.user,
                case_id=case.pk,
                needs=form.chosen(),
                attached_on=form.cleaned_data["attached_on"],
                notes=form.cleaned_data["notes"],
                framework_code=framework.code,
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(
                request, f"The {case.family.name} family is attached to {framework.name}"
            )
            return _to_attachment(attachment.pk)
    return web.render_form(
        request,
        "claims/attach.html",
        {
            "case": case,
            "framework": framework,
            "form": form,
            "suggested": bool(suggested),
        },
    )


# ---------------------------------------------------------------- one family


@login_required
def attachment_detail(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """An attached family: its needs with their progress, employment, where the claim
    stands today, and the claim if made."""
    attachment = _attachment(request, attachment_id)
    today = timezone.localdate()
    assessment = selectors.assess(attachment, as_of=today)
    needs = list(zip(attachment.needs.all(), assessment.needs, strict=True))
    claim = getattr(attachment, "claim", None)
    return render(
        request,
        "claims/attachment.html",
        {
            "attachment": attachment,
            "framework": attachment.framework,
            "assessment": assessment,
            "route_label": ROUTE_LABELS.get(assessment.route, "") if assessment.route else "",
            "needs": needs,
            "claim": claim,
            "may_record": claim is None and _may_record(request, attachment),
            "may_claim": claim is None
            and assessment.due
            and request.user.has_perm("claims.make_claim", attachment),
            "window": selectors.default_window(today),
        },
    )


@login_required
def record_progress(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Progress on one of the family's needs, with its evidence."""
    attachment = _attachment_to_record(request, attachment_id)
    needs = [identified.need for identified in attachment.needs.all()]
    initial = {"need_code": request.GET.get("need")} if request.GET.get("need") else None
    form = ProgressForm(_posted(request), needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form) as outcome:
            services.record_progress(
                actor=request.user,
                attachment_id=attachment.pk,
                need_code=data["need_code"],
                recorded_on=data["recorded_on"],
                status=data["status"],
                evidence=data["evidence"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, "Progress recorded")
            return _to_attachment(attachment.pk, "needs")
    return web.render_form(
        request, "claims/progress_form.html", {"attachment": attachment, "form": form}
    )


def _adults(attachment: Attachment) -> list:
    memberships = attachment.family.memberships.select_related("person").order_by("pk")
    return [m.person for m in memberships if m.person.merged_into_id is None]


@login_required
def record_employment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """A spell of work of an adult of the family, for continuous employment."""
    attachment = _attachment_to_record(request, attachment_id)
    form = EmploymentForm(_posted(request), people=_adults(attachment))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with web.errors_onto(form) as outcome:
            services.record_employment(
                actor=request.user,
                attachment_id=attachment.pk,
                person_id=data["person_id"],
                started_on=data["started_on"],
                ended_on=data["ended_on"],
                was_on_jsa=data["was_on_jsa"],
                evidence=data["evidence"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, "Employment recorded")
            return _to_attachment(attachment.pk, "employment")
    return web.render_form(
        request, "claims/employment_form.html", {"attachment": attachment, "form": form}
    )


@login_required
def end_employment(request: HttpRequest, attachment_id: int, episode_id: int) -> HttpResponse:
    """The day a recorded spell of work ended."""
    attachment = _attachment_to_record(request, attachment_id)
    episode = next((e for e in attachment.employment.all() if e.pk == episode_id), None)
    if episode is None:
        raise Http404("No spell of work with that reference.")
    form = EndEmploymentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        with web.errors_onto(form) as outcome:
            services.end_employment(
                actor=request.user,
                attachment_id=attachment.pk,
                episode_id=episode.pk,
                ended_on=form.cleaned_data["ended_on"],
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, "End of the work recorded")
            return _to_attachment(attachment.pk, "employment")
    return web.render_form(
        request,
        "claims/end_employment.html",
        {"attachment": attachment, "episode": episode, "form": form},
    )


# ---------------------------------------------------------------- claims


def _window(request: HttpRequest) -> tuple[WindowForm, dt.date, dt.date]:
    bound = any(key.startswith(("start_", "end_")) for key in request.GET)
    form = WindowForm(request.GET if bound else None)
    default = selectors.default_window()
    if not bound:
        form = WindowForm(initial={"start": default[0], "end": default[1]})
    start, end = form.window(default)
    return form, start, end


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The claims report for a window: families whose claim became due in it by route,
    those due earlier and not yet claimed, and the claims made in it."""
    _require_claims_pages(request)
    framework = _framework(request)
    if framework is None:
        return _no_framework(request)
    form, start, end = _window(request)
    result = selectors.claim_window_report(
        user=request.user, framework=framework, start=start, end=end
    )
    window_query = (
        f"framework={framework.code}&start_day={start.day}&start_month={start.month}"
        f"&start_year={start.year}&end_day={end.day}&end_month={end.month}&end_year={end.year}"
    )
    return web.render_form(
        request,
        "claims/report.html",
        {
            "framework": framework,
            "form": form,
            "report": result,
            "window_query": window_query,
            "may_claim": request.user.has_perm("claims.view_claims"),
            "sections": exports.SECTIONS,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The claims report for a window as CSV or XLSX; the export is on the audit log."""
    _require_claims_pages(request)
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    framework = _framework(request)
    if framework is None:
        raise Http404("No framework is loaded.")
    _form, start, end = _window(request)
    result = selectors.claim_window_report(
        user=request.user, framework=framework, start=start, end=end
    )
    record_view(
        actor=request.user,
        instance=framework,
        source=f"{request.path}?{request.GET.urlencode()}",
        code="claims.report_exported",
    )
    if fmt == "csv":
        response = HttpResponse(exports.report_csv(result), content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.report_xlsx(result), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(result, fmt)}"'
    return response


def _iso(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def make_claim(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Confirm and make the claim for a family in a window."""
    attachment = _attachment(request, attachment_id)
    if not request.user.has_perm("claims.make_claim", attachment):
        _refuse(
            request,
            object_type="claims.attachment",
            object_id=attachment.pk,
            message="Only managers and the head of service make claims.",
        )
    default = selectors.default_window()
    start = _iso(request.GET.get("start")) or default[0]
    end = _iso(request.GET.get("end")) or default[1]
    form = ClaimForm(_posted(request), initial={"window_start": start, "window_end": end})
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["window_start"], form.cleaned_data["window_end"]
        with web.errors_onto(form) as outcome:
            services.make_claim(
                actor=request.user,
                attachment_id=attachment.pk,
                window_start=start,
                window_end=end,
                source=web.source(request),
            )
        if outcome.ok:
            messages.success(request, f"Claim made for the {attachment.family.name} family")
            return _to_attachment(attachment.pk, "claim")
    assessment = selectors.assess(attachment, as_of=end)
    return web.render_form(
        request,
        "claims/claim_form.html",
        {
            "attachment": attachment,
            "form": form,
            "assessment": assessment,
            "route_label": ROUTE_LABELS.get(assessment.route, "") if assessment.route else "",
            "needs": list(zip(attachment.needs.all(), assessment.needs, strict=True)),
            "start": start,
            "end": end,
        },
    )
