"""The one way a service action is authorised: before its transaction opens, so that a
refusal stays on the audit log, then the action runs in one transaction."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from earlyhelp.audit.services import record_denied


def authorised_action(
    *,
    queryset: Callable[[], models.QuerySet],
    id_argument: str,
    permission: str,
    not_found: str,
    refused: str,
):
    """Decorate a keyword-only service ``func(*, actor, <id_argument>, source, ...)``:
    404 when the object is missing, 403 (audited) when the actor lacks ``permission``
    on it, otherwise the action in one transaction."""

    def decorate(func):
        atomic = transaction.atomic(func)

        @functools.wraps(func)
        def wrapper(*, actor, source: str = "", **kwargs):
            object_id = kwargs[id_argument]
            target = queryset().filter(pk=object_id).first()
            if target is None:
                raise Http404(not_found)
            if not actor.has_perm(permission, target):
                record_denied(
                    actor=actor,
                    object_type=target._meta.label_lower,
                    object_id=object_id,
                    source=source,
                )
                raise PermissionDenied(refused)
            return atomic(actor=actor, source=source, **kwargs)

        return wrapper

    return decorate
