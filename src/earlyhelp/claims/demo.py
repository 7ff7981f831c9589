"""Demo programme records: some synthetic families attached to the active framework,
with progress (one regressed), a spell of work, and one claim; all made through the
services, so the audit log and chronologies have them too. Same seed, same records."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from earlyhelp.accounts.roles import Role
from earlyhelp.cases.models import Case, Status
from earlyhelp.claims import selectors, services
from earlyhelp.claims.models import Attachment
from earlyhelp.domain.claims import add_months
from earlyhelp.people.models import Relationship

DEMO_FAMILIES = 8
SOURCE = "manage.py load_claim_frameworks --demo"


def _needs_for(framework, rng: random.Random) -> list:
    """Enough needs, each under a different headline, to make a family eligible."""
    by_headline: dict[str, list] = {}
    for need in selectors.current_needs(framework):
        by_headline.setdefault(need.headline_code, []).append(need)
    headlines = sorted(by_headline)
    rng.shuffle(headlines)
    wanted = max(framework.min_needs, framework.min_headlines) + rng.randint(0, 1)
    return [by_headline[code][0] for code in headlines[:wanted]]


def _adult(case: Case, on: dt.date):
    for membership in case.family.memberships.select_related("person").order_by("pk"):
        person = membership.person
        born = person.date_of_birth
        if membership.relationship == Relationship.PARENT and born and (on - born).days > 18 * 366:
            return person
    return None


@transaction.atomic
def seed_claims_demo(*, seed: int) -> str:
    """Attach up to eight synthetic families with open cases; says what it did."""
    framework = selectors.active_framework()
    if framework is None:
        return "No claim framework is active: no demo attachments."
    if Attachment.objects.filter(family__is_synthetic=True).exists():
        return "Demo programme attachments already loaded: nothing changed."
    cases = list(
        Case.objects.filter(family__is_synthetic=True)
        .exclude(status=Status.CLOSED)
        .select_related("family", "key_worker", "team")
        .order_by("pk")[:DEMO_FAMILIES]
    )
    if not cases:
        return "No synthetic open cases: no demo attachments."
    head = (
        get_user_model()
        .objects.filter(groups__name=Role.HEAD_OF_SERVICE.value, is_active=True)
        .order_by("pk")
        .first()
    )
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    today = timezone.localdate()
    attached = claimable = claimed = 0
    for index, case in enumerate(cases):
        worker = case.key_worker
        attached_on = today - dt.timedelta(days=rng.randint(240, 330))
        if framework.starts_on and attached_on < framework.starts_on:
            attached_on = framework.starts_on
        needs = _needs_for(framework, rng)
        attachment = services.attach_family(
            actor=worker,
            case_id=case.pk,
            needs={n.code: f"Identified at assessment: {n.title.lower()}." for n in needs},
            attached_on=attached_on,
            framework_code=framework.code,
            source=SOURCE,
        )
        attached += 1
        progress_on = attached_on + dt.timedelta(days=20 + rng.randint(0, 10))
        sustained_on = add_months(progress_on, framework.sustain_months) + dt.timedelta(days=3)
        # Families 0 and 1 have every need sustained; 2 regressed on one; 3 found work;
        # the others are part way.
        sustained_needs = needs if index < 2 else needs[:1]
        for need in needs if index != 3 else needs[:1]:
            services.record_progress(
                actor=worker,
                attachment_id=attachment.pk,
                need_code=need.code,
                recorded_on=progress_on,
                status="progress",
                evidence=f"Progress on {need.title.lower()}, confirmed at the review.",
                source=SOURCE,
            )
            if need in sustained_needs and sustained_on <= today:
                services.record_progress(
                    actor=worker,
                    attachment_id=attachment.pk,
                    need_code=need.code,
                    recorded_on=sustained_on,
                    status="sustained",
                    evidence="Still in place, confirmed by the partner agency.",
                    source=SOURCE,
                )
        if index == 2:
            services.record_progress(
                actor=worker,
                attachment_id=attachment.pk,
                need_code=needs[-1].code,
                recorded_on=min(progress_on + dt.timedelta(days=60), today),
                status="regressed",
                evidence="Problems returned, reported by the school.",
                source=SOURCE,
            )
        if index == 3 and framework.has_employment_route:
            adult = _adult(case, attached_on)
            if adult is not None:
                services.record_employment(
                    actor=worker,
                    attachment_id=attachment.pk,
                    person_id=adult.pk,
                    started_on=attached_on + dt.timedelta(days=10),
                    evidence="Payslips seen; confirmed by the Employment Advisor.",
                    source=SOURCE,
                )
        row = selectors.attachment_with_records(attachment_id=attachment.pk)
        if selectors.assess(row, as_of=today).due:
            claimable += 1
            if index == 0 and head is not None:
                start, end = selectors.default_window(today)
                services.make_claim(
                    actor=head,
                    attachment_id=attachment.pk,
                    window_start=start,
                    window_end=end,
                    source=SOURCE,
                )
                claimed += 1
    return (
        f"Demo programme records ({framework.name}): {attached} families attached, "
        f"{claimable} with a claim due, {claimed} claimed."
    )
