"""Queueing and sending outgoing messages. Queue inside the transaction that causes
the message; the worker sends it later: ``manage.py process_outbox --loop`` by default,
or a Redis worker (JOBS_BACKEND=rq) given the message's id when the transaction commits.

The delivery guarantee is at least once, and once in all but one case:

- A message is never lost: it stays QUEUED until a send has returned, and a sender that
  dies (killed, crashed, the machine lost) leaves nothing claimed, because the claim is
  a row lock in the sending transaction, which the database drops with the connection.
  The next worker sends it; a mail-server outage, however long, leaves it QUEUED to
  retry with back-off (at most an hour apart). Only a message the mail server itself
  refuses (a 5xx answer: the address is refused, the message is rejected) MAX_ATTEMPTS
  times is given up as FAILED.
- Two senders never send the same message: the claim is the row lock plus the QUEUED
  status, so a second worker or a duplicate job skips it (SKIP LOCKED on PostgreSQL;
  on SQLite the sending transaction holds the database's write lock).
- The one duplicate: a worker killed after the mail server accepted a message and
  before the SENT mark committed (SMTP's closing QUIT, then one UPDATE and COMMIT)
  sends that message again after the restart. SMTP has no idempotent send, so this
  cannot be closed; for this service a duplicate notice is harmless and a lost one is
  not. A worker stopped by SIGTERM or Ctrl-C (``process_outbox --loop``; RQ's warm
  shutdown) finishes the message in hand first, so an ordinary restart sends nothing
  twice.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from earlyhelp.core import jobs
from earlyhelp.outbox.models import Kind, OutboxMessage, Status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SEND_JOB = "earlyhelp.outbox.jobs.send_queued_message"
# Seconds the mail server may keep us waiting (when EMAIL_TIMEOUT is not set): a server
# that accepts the connection and then hangs must not hold the claimed row, or on SQLite
# the database's write lock, for ever; the message is retried like a refused one.
SEND_TIMEOUT_SECONDS = 10.0


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
    jobs.enqueue_on_commit(SEND_JOB, message.pk)
    return message


def retry_delay(attempts: int) -> dt.timedelta:
    """Back off: 1, 2, 4, 8 ... minutes, at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def _claim_due(limit: int) -> list[int]:
    now = timezone.now()
    due = OutboxMessage.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now)
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def is_refusal(error: Exception) -> bool:
    """Whether the mail server refused this message itself (a permanent 5xx answer, or an
    address it cannot take), rather than being down, unreachable, slow or misconfigured:
    only a refusal counts toward giving a message up."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(error, smtplib.SMTPConnectError | smtplib.SMTPAuthenticationError):
        return False
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"  # the mail server refused it; it is due again at retry_at
    FAILED = "failed"  # refused by the mail server MAX_ATTEMPTS times: no more tries
    SKIPPED = "skipped"  # not queued, not due yet, or another worker is sending it


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    retry_at: dt.datetime | None = None


def send_message(message_id: int) -> bool:
    """Send one queued message, at most once. True when it was sent now."""
    return attempt_send(message_id).outcome is Outcome.SENT


def attempt_send(message_id: int, *, due_by: dt.datetime | None = None) -> Attempt:
    """Claim a queued message (due by ``due_by``, if given) and send it. The claim is a
    row lock plus the QUEUED status in one transaction: a second sender of the same
    message skips it, whether it comes at the same time or later. The SENT mark is the
    first thing after the send returns, in the same transaction, so a sender killed in
    between (the one way to send twice) is killed in a window of one UPDATE and COMMIT."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            pk=message_id, status=Status.QUEUED
        )
        if due_by is not None:
            locked = locked.filter(next_attempt_at__lte=due_by)
        message = locked.first()
        if message is None:
            return Attempt(Outcome.SKIPPED)
        message.attempts += 1
        try:
            EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.to],
                headers={"X-EarlyHelp-Message": str(message.pk)},
                connection=get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT_SECONDS),
            ).send(fail_silently=False)
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS and is_refusal(error):
                message.status = Status.FAILED
            message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            log.warning("Outbox message %s not sent: %s", message.pk, message.last_error)
            if message.status == Status.FAILED:
                return Attempt(Outcome.FAILED)
            return Attempt(Outcome.RETRY, retry_at=message.next_attempt_at)
        message.status = Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return Attempt(Outcome.SENT)


def send_due_messages(*, limit: int = 100, stop: Callable[[], bool] = lambda: False) -> int:
    """Send every message that is due, one at a time, until ``stop()`` is true (a worker
    asked to stop finishes the message in hand); returns how many were sent."""
    sent = 0
    for pk in _claim_due(limit):
        if stop():
            break
        sent += send_message(pk)
    return sent
