"""The Request for Support pages: the allocation queue, intake (with matching), the
request, and allocating, resubmitting with consent and withdrawing it (Appendix L,
boxes 1-4). Views parse and authorise; the services decide and the selectors read."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET

from earlyhelp.allocation.selectors import recommendations_for
from earlyhelp.audit.services import record_denied
from earlyhelp.cases.errors import AlreadyAllocated
from earlyhelp.core.errors import DomainError
from earlyhelp.core.forms import form_error_items, parse_date_parts
from earlyhelp.domain.casework import TransitionNotAllowed
from earlyhelp.domain.consent import Purpose, age_on
from earlyhelp.referrals import selectors, services
from earlyhelp.referrals.errors import PossibleDuplicatePeople
from earlyhelp.referrals.forms import (
    NEW_PERSON,
    ROWS_ALWAYS_SHOWN,
    AllocateForm,
    Intake,
    MemberForm,
    ResubmitForm,
    WithdrawForm,
    place_errors,
)
from earlyhelp.referrals.models import RequestForSupport, Status

QUEUE_PAGE_SIZE = 50
QUEUE_TABS = (
    (Status.AWAITING_ALLOCATION, "Awaiting allocation"),
    (Status.RETURNED_FOR_CONSENT, "Returned for consent"),
    (Status.ALLOCATED, "Allocated"),
)
WITHDRAWABLE = (Status.AWAITING_ALLOCATION, Status.RETURNED_FOR_CONSENT)


def _long_date(day: dt.date) -> str:
    return date_format(day, "j F Y")


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied("Your role cannot do this.")


def _case_path(case_id: int) -> str:
    # The cases pages are another app's; their path is fixed by config/urls.py.
    return f"/cases/{case_id}/"


def deadline_tag(due: dt.date | None, days_left: int, today: dt.date) -> dict | None:
    """The allocation deadline as a tag: red once the due date has passed."""
    if due is None:
        return None
    if due < today:
        overdue = -days_left
        if overdue <= 0:  # due on Friday, seen at the weekend: no working day lost yet
            return {"text": "Overdue", "colour": "red"}
        plural = "" if overdue == 1 else "s"
        return {"text": f"Overdue by {overdue} working day{plural}", "colour": "red"}
    if due == today:
        return {"text": "Due today", "colour": "orange"}
    plural = "" if days_left == 1 else "s"
    return {
        "text": f"{days_left} working day{plural} left",
        "colour": "yellow" if days_left <= 1 else "blue",
    }


@login_required
def queue(request):
    """The allocation queue of the user's teams, nearest deadline first."""
    tabs = dict(QUEUE_TABS)
    status = request.GET.get("status", "")
    if status not in tabs:
        status = Status.AWAITING_ALLOCATION
    # The user's teams are worked out once, for the page and the tab counts.
    queue_tabs = selectors.request_queue_for_user(user=request.user, statuses=tuple(tabs))
    requests = queue_tabs.filter(status=status)
    page = Paginator(requests, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "request": row.request,
            "tag": deadline_tag(row.request.allocation_due_by, row.working_days_left, today)
            if status == Status.AWAITING_ALLOCATION
            else None,
        }
        for row in selectors.queue_rows(page.object_list, today=today)
    ]
    counts = dict(
        queue_tabs.order_by()
        .values_list("status")
        # COUNT(*), not COUNT(id): the (team, status, allocation_due_by) index alone
        # answers it, without reading the requests themselves.
        .annotate(count=Count("*"))
    )
    return render(
        request,
        "referrals/queue.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "status_label": tabs[status],
            "tabs": [
                {"status": s, "label": label, "count": counts.get(s, 0), "current": s == status}
                for s, label in QUEUE_TABS
            ],
            "query": f"status={status}",
            "can_submit": request.user.has_perm("referrals.submit_request"),
        },
    )


def _display_matches(matches: list[dict]) -> list[dict]:
    return [
        {
            "person_id": m["person_id"],
            "name": m["name"],
            "date_of_birth": dt.date.fromisoformat(m["date_of_birth"])
            if m.get("date_of_birth")
            else None,
            "postcode": m.get("postcode", ""),
            "reasons": ", ".join(m.get("reasons", [])),
        }
        for m in matches
    ]


def _matches_for(row: MemberForm, postcode: str) -> list[dict]:
    data = getattr(row, "cleaned_data", {})
    first_name = (data.get("first_name") or "").strip()
    last_name = (data.get("last_name") or "").strip()
    if not last_name:
        return []
    return selectors.find_possible_matches(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=data.get("date_of_birth"),
        postcode=postcode,
    )


def _postcode(intake: Intake) -> str:
    return (getattr(intake.form, "cleaned_data", {}).get("postcode") or "").strip()


def _resolve_matches(intake: Intake) -> dict[int, tuple[int | None, bool]]:
    """The user's answers to "Is this the same person?", checked against the people who
    match the row now (so no one can link a person they were not offered)."""
    answers: dict[int, tuple[int | None, bool]] = {}
    for row in intake.members.filled():
        choice = row.cleaned_data.get("match", "")
        if not choice:
            continue
        matches = _matches_for(row, _postcode(intake))
        if choice == NEW_PERSON:
            answers[row.row] = (None, True)
        elif not matches:
            continue  # no longer like anyone known: the service will check again
        elif any(str(m["person_id"]) == choice for m in matches):
            answers[row.row] = (int(choice), False)
        else:
            row.add_error("match", "The people who may match have changed: select again")
        if matches:
            intake.offered[row.row] = matches
    return answers


def _offer_again(intake: Intake) -> None:
    """Keep showing the possible matches of rows that had them when the page comes back."""
    for row in intake.members.filled():
        if row.row not in intake.offered and row["match"].value():
            matches = _matches_for(row, _postcode(intake))
            if matches:
                intake.offered[row.row] = matches


def _offer_duplicates(intake: Intake, error: PossibleDuplicatePeople) -> None:
    for key, matches in error.matches.items():
        found = re.fullmatch(r"m(\d+)", key)
        if not found or int(found[1]) >= len(intake.members.forms):
            intake.place(None, [error.message])
            continue
        row = intake.members.forms[int(found[1])]
        intake.offered[row.row] = matches
        name = " ".join(
            part for part in (row.cleaned_data.get(f) for f in ("first_name", "last_name")) if part
        )
        row.add_error(
            "match",
            f"Select whether {name or f'person {row.row + 1}'} is someone already known, "
            "or a new person",
        )


def _outcome_message(rfs: RequestForSupport, *, verb: str = "received") -> str:
    family = f"the {rfs.family.name} family"
    if rfs.status == Status.AWAITING_ALLOCATION:
        return (
            f"Request for Support {verb} for {family} and queued for allocation. "
            f"Allocate by {_long_date(rfs.allocation_due_by)}. URN: {rfs.caf_urn}."
        )
    ask = (
        f"We have emailed {rfs.referrer_email} to ask for it."
        if rfs.referrer_email
        else "There is no email address for the referrer: contact them to ask for it."
    )
    return (
        f"Request for Support for {family} returned to the referrer for consent: "
        f"consent to share information is not complete. {ask}"
    )


def _render_intake(request, intake: Intake, *, talkzone_contact: int | None = None):
    members = intake.members
    rows = [
        {
            "form": row,
            "index": row.row,
            "number": row.row + 1,
            "matches": _display_matches(intake.offered.get(row.row, [])),
        }
        for row in members.forms
    ]
    more_open = members.is_bound and any(
        row.has_changed() or row.errors for row in members.forms[ROWS_ALWAYS_SHOWN:]
    )
    return render(
        request,
        "referrals/new.html",
        {
            "form": intake.form,
            "members": members,
            "first_rows": rows[:ROWS_ALWAYS_SHOWN],
            "more_rows": rows[ROWS_ALWAYS_SHOWN:],
            "more_open": more_open,
            "member_errors": [*intake.member_errors, *members.non_form_errors()]
            if members.is_bound
            else [],
            "error_summary": intake.summary(),
            "talkzone_contact": talkzone_contact,
        },
    )


def _talkzone_contact_id(request) -> int | None:
    """The Talkzone contact a request is being made from (``?talkzone_contact=<id>``, then
    carried in the form), if any."""
    value = (request.POST if request.method == "POST" else request.GET).get("talkzone_contact")
    return int(value) if value and value.isdigit() else None


def _intake_from_talkzone(request, contact_id: int) -> Intake:
    """The intake form pre-filled from a Talkzone contact (outreach's selector decides
    what it starts with and whether the user may see the contact)."""
    from earlyhelp.outreach.selectors import request_draft_for_contact

    draft = request_draft_for_contact(user=request.user, contact_id=contact_id, source=request.path)
    intake = Intake.bind()
    intake.form.initial.update(
        {
            name: draft[name]
            for name in (
                "route",
                "received_on",
                "received_time",
                "referrer_name",
                "referrer_organisation",
                "presenting_needs",
                "postcode",
            )
            if draft.get(name)
        }
    )
    if draft["member"]:
        intake.members.forms[0].initial.update(
            {**draft["member"], "relationship": "child", "about": ["subject"]}
        )
    return intake


@login_required
def new_request(request):
    """The intake form: a Request for Support, its family, people and consent."""
    _require(request.user, "referrals.submit_request")
    talkzone_contact = _talkzone_contact_id(request)
    if request.method != "POST":
        if talkzone_contact is None:
            return _render_intake(request, Intake.bind())
        from earlyhelp.outreach.selectors import RequestAlreadyMade

        try:
            intake = _intake_from_talkzone(request, talkzone_contact)
        except RequestAlreadyMade as error:
            messages.info(request, str(error))
            return redirect("talkzone:contact-detail", contact_id=talkzone_contact)
        return _render_intake(request, intake, talkzone_contact=talkzone_contact)
    intake = Intake.bind(request.POST)
    if intake.is_valid():
        answers = _resolve_matches(intake)
        if intake.is_valid():
            try:
                with transaction.atomic():
                    rfs = services.submit_request(
                        actor=request.user, source=request.path, **intake.submission(answers)
                    )
                    if talkzone_contact is not None:
                        # The contact's outcome records the request, or neither is saved.
                        from earlyhelp.outreach.services import link_contact_request

                        link_contact_request(
                            actor=request.user,
                            contact_id=talkzone_contact,
                            request_id=rfs.pk,
                            source=request.path,
                        )
            except PossibleDuplicatePeople as error:
                _offer_duplicates(intake, error)
            except ValidationError as error:
                intake.place_service_errors(error)
            except DomainError as error:
                intake.place(error.field, [error.message])
            except TransitionNotAllowed as error:
                intake.place(None, [str(error)])
            else:
                messages.success(request, _outcome_message(rfs))
                if not request.user.has_perm("referrals.access_request", rfs):
                    # Taken for another district's team (a Talkzone worker, say).
                    return redirect("referrals:queue")
                return redirect("referrals:detail", request_id=rfs.pk)
    _offer_again(intake)
    return _render_intake(request, intake, talkzone_contact=talkzone_contact)


@login_required
@require_GET
def match_people(request):
    """An HTML fragment of people already known who may be the person being typed
    (htmx; the intake form does its own matching without it)."""
    _require(request.user, "referrals.submit_request")
    params = request.GET
    row = params.get("row", "")
    prefix = f"{row}-" if re.fullmatch(r"members-\d{1,2}", row) else ""
    first_name = params.get(f"{prefix}first_name", "").strip()
    last_name = params.get(f"{prefix}last_name", "").strip()
    date_of_birth = None
    try:
        if params.get(f"{prefix}date_of_birth"):
            date_of_birth = dt.date.fromisoformat(params[f"{prefix}date_of_birth"])
        else:
            date_of_birth = parse_date_parts(
                [params.get(f"{prefix}date_of_birth_{p}", "") for p in ("day", "month", "year")],
                noun="Date of birth",
            )
    except (ValueError, ValidationError):
        date_of_birth = None  # half-typed: match on the name alone
    matches = []
    if last_name:
        matches = selectors.find_possible_matches(
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            postcode=params.get("postcode", "").strip(),
        )
    return render(request, "referrals/_matches.html", {"matches": _display_matches(matches)})


def _latest_consents(rfs: RequestForSupport) -> dict[int, object]:
    """The latest share-information consent of each person (later records win)."""
    latest = {}
    for record in rfs.consents.all():
        if record.purpose == Purpose.SHARE_INFORMATION:
            latest[record.person_id] = record
    return latest


@login_required
def request_detail(request, request_id: int):
    """One request: its details, people, consent, and what this user can do with it."""
    rfs = selectors.get_request_for_user(
        user=request.user, request_id=request_id, source=request.path
    )
    today = timezone.localdate()
    latest = _latest_consents(rfs)
    members = [
        {
            "person": m.person,
            "age": age_on(m.person.date_of_birth, today) if m.person.date_of_birth else None,
            "is_subject": m.is_subject,
            "is_parent_or_carer": m.is_parent_or_carer,
            "consent": latest.get(m.person_id),
        }
        for m in rfs.members.all()
    ]
    names = {m["person"].pk: m["person"].full_name for m in members}
    tag = None
    if rfs.status == Status.AWAITING_ALLOCATION and rfs.allocation_due_by:
        row = selectors.queue_rows([rfs], today=today)[0]
        tag = deadline_tag(rfs.allocation_due_by, row.working_days_left, today)
    case = getattr(rfs, "case", None) if rfs.status == Status.ALLOCATED else None
    can_submit = request.user.has_perm("referrals.submit_request")
    return render(
        request,
        "referrals/detail.html",
        {
            "rfs": rfs,
            "members": members,
            "consents": rfs.consents.all(),
            "problems": [
                {"name": names.get(p.get("person_id"), ""), "message": p.get("message", "")}
                for p in rfs.consent_problems
            ],
            "deadline": tag,
            "case": case,
            "case_path": _case_path(case.pk) if case else "",
            "can_resubmit": can_submit and rfs.status == Status.RETURNED_FOR_CONSENT,
            "can_withdraw": can_submit and rfs.status in WITHDRAWABLE,
            "can_allocate": rfs.status == Status.AWAITING_ALLOCATION
            and request.user.has_perm("referrals.allocate_request", rfs),
        },
    )


@login_required
def allocate(request, request_id: int):
    """Choose the key worker: opens the case."""
    rfs = selectors.get_request_for_user(
        user=request.user, request_id=request_id, source=request.path
    )
    if not request.user.has_perm("referrals.allocate_request", rfs):
        record_denied(
            actor=request.user,
            object_type="referrals.requestforsupport",
            object_id=rfs.pk,
            source=request.path,
        )
        raise PermissionDenied("Only the team's manager can allocate this request.")
    open_for_allocation = rfs.status == Status.AWAITING_ALLOCATION
    recommendations = recommendations_for(rfs) if open_for_allocation else []
    rank = {r.worker.id: r.rank for r in recommendations}
    workers = sorted(
        selectors.workers_for_allocation(request=rfs), key=lambda w: rank.get(w.pk, len(rank) + 1)
    )
    form = AllocateForm(request.POST if request.method == "POST" else None, workers=workers)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.allocate_request(
                actor=request.user,
                request_id=rfs.pk,
                key_worker_id=int(form.cleaned_data["key_worker"]),
                reason=form.cleaned_data["reason"].strip(),
                source=request.path,
                check_recommendation=True,
            )
        except (AlreadyAllocated, TransitionNotAllowed) as error:
            form.add_error(None, str(error))
            open_for_allocation = False
        except (ValidationError, DomainError) as error:
            place_errors(form, error)
        else:
            messages.success(
                request,
                f"Allocated to {case.key_worker}. The initial visit is due by "
                f"{_long_date(case.initial_visit_due_by)}.",
            )
            return redirect(_case_path(case.pk))
    return render(
        request,
        "referrals/allocate.html",
        {
            "rfs": rfs,
            "form": form,
            "workers": workers,
            "recommendations": recommendations,
            "open_for_allocation": open_for_allocation,
            "error_summary": form_error_items(form, non_field_href="#main-content"),
        },
    )


@login_required
def resubmit(request, request_id: int):
    """A returned request comes back with the consent it lacked."""
    _require(request.user, "referrals.submit_request")
    rfs = selectors.get_request_for_user(
        user=request.user, request_id=request_id, source=request.path
    )
    members = list(rfs.members.all())
    form = ResubmitForm(request.POST if request.method == "POST" else None, members=members)
    returned = rfs.status == Status.RETURNED_FOR_CONSENT
    if request.method == "POST" and returned and form.is_valid():
        consents = [
            services.ConsentInput(
                member_key=str(person_id),
                purpose=Purpose.SHARE_INFORMATION,
                given=given,
                given_by_key=str(given_by),
            )
            for person_id, given, given_by in form.consents()
        ]
        try:
            rfs = services.resubmit_request(
                actor=request.user, request_id=rfs.pk, consents=consents, source=request.path
            )
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
            returned = False
        except (ValidationError, DomainError) as error:
            place_errors(form, error)
        else:
            messages.success(request, _outcome_message(rfs, verb="resubmitted"))
            return redirect("referrals:detail", request_id=rfs.pk)
    latest = _latest_consents(rfs)
    problems: dict[int, list[str]] = {}
    for problem in rfs.consent_problems:
        problems.setdefault(problem.get("person_id"), []).append(problem.get("message", ""))
    rows = [
        {
            **row,
            "current": latest.get(row["member"].person_id),
            "problems": problems.get(row["member"].person_id, []),
        }
        for row in form.rows()
    ]
    return render(
        request,
        "referrals/resubmit.html",
        {
            "rfs": rfs,
            "form": form,
            "rows": rows,
            "returned": returned,
            "error_summary": form_error_items(form, non_field_href="#consent-grid"),
        },
    )


@login_required
def withdraw(request, request_id: int):
    """Withdraw a request that has not been allocated, with the reason."""
    _require(request.user, "referrals.submit_request")
    rfs = selectors.get_request_for_user(
        user=request.user, request_id=request_id, source=request.path
    )
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    withdrawable = rfs.status in WITHDRAWABLE
    if request.method == "POST" and withdrawable and form.is_valid():
        try:
            services.withdraw_request(
                actor=request.user,
                request_id=rfs.pk,
                reason=form.cleaned_data["reason"],
                source=request.path,
            )
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
            withdrawable = False
        except (ValidationError, DomainError) as error:
            place_errors(form, error)
        else:
            messages.success(
                request, f"Request for Support for the {rfs.family.name} family withdrawn."
            )
            return redirect("referrals:detail", request_id=rfs.pk)
    return render(
        request,
        "referrals/withdraw.html",
        {
            "rfs": rfs,
            "form": form,
            "withdrawable": withdrawable,
            "error_summary": form_error_items(form, non_field_href="#main-content"),
        },
    )
