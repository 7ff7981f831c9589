"""Queueing and sending outgoing messages. Queue inside the transaction that causes
the message; the worker (``manage.py process_outbox``) sends it later."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from earlyhelp.outbox.models import Kind, OutboxMessage, Status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def queue_message(
    *, kind: Kind, to: str, subject: str, body: str, case=None, request=None
) -> OutboxMessage:
    """Store a message to send. Call it inside the transaction of the change it reports."""
    message = OutboxMessage(
        kind=kind,
        to=to,
        subject=subject[:200],
        body=body,
        case=case,
        request=request,
        next_attempt_at=timezone.now(),
    )
    message.full_clean()
    message.save()
    return message


def retry_delay(attempts: int) -> dt.timedelta:
    """Back off: 1, 2, 4, 8 ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim_due(limit: int) -> list[int]:
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def send_message(message_id: int) -> bool:
    """Send one queued message, at most once. True when it was sent now."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            pk=message_id, status=Status.QUEUED
        )
        message = locked.first()
        if message is None:
            return False
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                headers={"X-EarlyHelp-Message": str(message.pk)},
            ).send(fail_silently=False)
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = Status.FAILED
            message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning("Outbox message %s not sent: %s", message.pk, message.last_error)
            return False
        message.status = Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return True


def send_due_messages(*, limit: int = 100) -> int:
    """Send every message that is due; returns how many were sent."""
    return sum(send_message(pk) for pk in _claim_due(limit))
