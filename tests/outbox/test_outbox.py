"""The transactional outbox: queued messages are sent once; a mail-server outage, however
long, leaves them queued to retry later with a growing delay; a message the mail server
itself refuses MAX_ATTEMPTS times fails; the ``process_outbox`` command sends what is
due."""

from __future__ import annotations

import datetime as dt
import smtplib
import time
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from earlyhelp.outbox.models import Kind, OutboxMessage, Status
from earlyhelp.outbox.services import (
    MAX_ATTEMPTS,
    Outcome,
    attempt_send,
    is_refusal,
    queue_message,
    retry_delay,
    send_due_messages,
)

pytestmark = pytest.mark.django_db


class Clock:
    """``django.utils.timezone.now`` frozen, moved on by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


class MailServerDown(ConnectionRefusedError):
    pass


@pytest.fixture
def outage():
    """The mail server refuses every message until ``outage.over()``. Its own patch, so
    that ending the outage leaves the test's clock frozen."""
    patch = pytest.MonkeyPatch()
    calls: list[str] = []

    def refuse(self, fail_silently=False):
        calls.append(self.subject)
        raise MailServerDown("Connection refused")

    patch.setattr("django.core.mail.EmailMessage.send", refuse)
    refuse.over = patch.undo
    refuse.calls = calls
    yield refuse
    patch.undo()


def queue(count: int = 2) -> list[OutboxMessage]:
    return [
        queue_message(
            kind=Kind.ACKNOWLEDGEMENT,
            to=f"referrer{n}@example.test",
            subject=f"Request for Support received {n}",
            body="Thank you for your referral.",
        )
        for n in range(count)
    ]


def test_queued_messages_are_sent_and_marked_sent_once():
    messages = queue(2)

    assert send_due_messages() == 2

    assert [m.to for m in mail.outbox] == [["referrer0@example.test"], ["referrer1@example.test"]]
    assert mail.outbox[0].subject == "Request for Support received 0"
    assert mail.outbox[0].extra_headers["X-EarlyHelp-Message"] == str(messages[0].pk)
    for message in messages:
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.attempts == 1
        assert message.sent_at is not None
    assert send_due_messages() == 0
    assert len(mail.outbox) == 2


def test_a_message_not_yet_due_waits(clock):
    (message,) = queue(1)
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=clock.now + dt.timedelta(minutes=5)
    )

    assert send_due_messages() == 0
    clock.advance(dt.timedelta(minutes=5))
    assert send_due_messages() == 1


def test_mail_server_outage_leaves_messages_queued_to_retry_later(clock, outage):
    messages = queue(2)
    started = clock.now

    assert send_due_messages() == 0

    assert len(outage.calls) == 2
    for message in messages:
        message.refresh_from_db()
        assert message.status == Status.QUEUED
        assert message.attempts == 1
        assert message.next_attempt_at == started + retry_delay(1)
        assert message.next_attempt_at > started
        assert message.last_error == "MailServerDown: Connection refused"
        assert message.sent_at is None
    # Nothing is retried before its time.
    assert send_due_messages() == 0
    assert len(outage.calls) == 2

    clock.advance(retry_delay(1))
    assert send_due_messages() == 0
    messages[0].refresh_from_db()
    assert messages[0].attempts == 2
    assert messages[0].next_attempt_at == clock.now + retry_delay(2)
    assert retry_delay(2) > retry_delay(1)

    outage.over()
    assert send_due_messages() == 0  # not due yet
    clock.advance(retry_delay(2))
    assert send_due_messages() == 2
    assert send_due_messages() == 0

    assert sorted(m.to[0] for m in mail.outbox) == [
        "referrer0@example.test",
        "referrer1@example.test",
    ]
    for message in messages:
        message.refresh_from_db()
        assert message.status == Status.SENT
        assert message.attempts == 3
        assert message.last_error == ""


@pytest.fixture
def refusal(monkeypatch):
    """The mail server answers, and refuses the recipient (a permanent 550)."""
    calls: list[str] = []

    def refuse(self, fail_silently=False):
        calls.append(self.subject)
        raise smtplib.SMTPRecipientsRefused({self.to[0]: (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    refuse.calls = calls
    return refuse


def test_a_message_refused_max_attempts_times_is_failed_and_not_retried(clock, refusal):
    (message,) = queue(1)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send_due_messages() == 0
        message.refresh_from_db()
        assert message.attempts == attempt
        clock.advance(retry_delay(attempt))

    assert message.status == Status.FAILED
    assert "SMTPRecipientsRefused" in message.last_error
    assert len(refusal.calls) == MAX_ATTEMPTS
    clock.advance(dt.timedelta(days=1))
    assert send_due_messages() == 0
    assert len(refusal.calls) == MAX_ATTEMPTS
    message.refresh_from_db()
    assert message.status == Status.FAILED


def test_a_three_day_outage_never_gives_a_message_up_and_it_is_sent_once_after(clock, outage):
    (message,) = queue(1)

    for _ in range(3 * 24 + 6):  # hourly, once the back-off reaches its hour
        send_due_messages()
        clock.advance(dt.timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts > MAX_ATTEMPTS
    assert len(outage.calls) == message.attempts
    assert "MailServerDown" in message.last_error

    outage.over()
    assert send_due_messages() == 1
    assert send_due_messages() == 0
    assert [m.to for m in mail.outbox] == [["referrer0@example.test"]]
    message.refresh_from_db()
    assert message.status == Status.SENT


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (smtplib.SMTPRecipientsRefused({"a@example.test": (550, b"No such user")}), True),
        (smtplib.SMTPDataError(554, b"Message rejected"), True),
        (smtplib.SMTPSenderRefused(553, b"Sender refused", "x@example.test"), True),
        (smtplib.SMTPDataError(451, b"Try again later"), False),
        (smtplib.SMTPConnectError(554, b"No service"), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), False),
        (ConnectionRefusedError("Connection refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_only_the_mail_servers_own_refusal_counts_toward_giving_up(error, refused):
    assert is_refusal(error) is refused


def test_retry_delay_backs_off_to_at_most_an_hour():
    delays = [retry_delay(n).total_seconds() / 60 for n in range(1, 10)]

    assert delays == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_process_outbox_command_sends_due_messages():
    queue(3)
    out = StringIO()

    call_command("process_outbox", stdout=out)

    assert out.getvalue().strip() == "Sent 3 message(s)"
    assert len(mail.outbox) == 3
    assert not OutboxMessage.objects.filter(status=Status.QUEUED).exists()
    out = StringIO()
    call_command("process_outbox", stdout=out)
    assert out.getvalue().strip() == "Sent 0 message(s)"
    assert len(mail.outbox) == 3


def test_the_looping_worker_survives_a_database_error_and_sends_at_the_next_run(monkeypatch):
    """A lost database connection ends one run, not the worker; SIGTERM then stops it
    and the signal handlers it replaced are put back."""
    import signal

    from django.db import OperationalError

    from earlyhelp.outbox import services
    from earlyhelp.outbox.management.commands import process_outbox

    queue(2)
    real = services.send_due_messages
    runs: list[str] = []

    def flaky(**kwargs):
        runs.append("run")
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        sent = real(**kwargs) if len(runs) == 2 else 0
        signal.raise_signal(signal.SIGTERM)  # stop after this run (never loop for ever)
        return sent

    class Connections:
        """Records the reconnect: closing the real connections would end the test's
        own transaction, and with it the messages it queued."""

        closed = 0

        def close_all(self) -> None:
            self.closed += 1

    connections = Connections()
    monkeypatch.setattr(process_outbox, "send_due_messages", flaky)
    monkeypatch.setattr(process_outbox, "connections", connections)
    before = signal.getsignal(signal.SIGTERM)
    out, err = StringIO(), StringIO()

    call_command("process_outbox", loop=True, interval=0.01, stdout=out, stderr=err)

    assert connections.closed == 1
    assert runs == ["run", "run"]
    assert "server closed the connection unexpectedly" in err.getvalue()
    assert out.getvalue().splitlines() == ["Sent 2 message(s)", "Stopped"]
    assert len(mail.outbox) == 2
    assert signal.getsignal(signal.SIGTERM) is before


def test_messages_queued_by_a_journey_step_are_delivered(world):
    from tests.casework import submit

    request = submit(world)

    assert send_due_messages() == 1
    (sent,) = mail.outbox
    assert sent.to == ["referrer@example.test"]
    assert request.caf_urn in sent.body
    assert OutboxMessage.objects.get(request=request).status == Status.SENT


@pytest.fixture
def silent_mail_server():
    """An SMTP port that accepts connections and never answers (a hung mail server);
    it drops each connection after five seconds, so that a test without a timeout
    still ends."""
    import contextlib
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    done = threading.Event()

    def accept() -> None:
        held = []
        while not done.is_set():
            with contextlib.suppress(TimeoutError):
                held.append((listener.accept()[0], time.monotonic()))
            for conn, since in held:
                if time.monotonic() - since > 5:
                    conn.close()
        for conn, _ in held:
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    done.set()
    thread.join(timeout=5)
    listener.close()


def test_a_hung_mail_server_is_given_up_on_and_the_message_retried(
    silent_mail_server, settings, monkeypatch
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = silent_mail_server
    settings.EMAIL_TIMEOUT = None
    monkeypatch.setattr("earlyhelp.outbox.services.SEND_TIMEOUT_SECONDS", 0.5)
    (message,) = queue(1)
    started = time.monotonic()

    attempt = attempt_send(message.pk)

    assert time.monotonic() - started < 3  # not the server's five seconds, nor for ever
    assert attempt.outcome is Outcome.RETRY
    message.refresh_from_db()
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert "timed out" in message.last_error
