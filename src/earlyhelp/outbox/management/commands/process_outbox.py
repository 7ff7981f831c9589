"""Send the outbox: once, or continuously with ``--loop`` (the worker of the default,
database-only setup). SIGTERM or Ctrl-C stops the loop after the message in hand, so a
restart by systemd or ``make run`` sends nothing twice; a SIGKILL or a crash may send
the one message in hand again (see earlyhelp.outbox.services). With ``--loop`` a lost
database connection does not end the worker: it reconnects at the next run."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from earlyhelp.outbox.services import send_due_messages

# How often a sleeping worker looks whether it has been asked to stop.
NAP_SECONDS = 0.1

log = logging.getLogger(__name__)


class Stop:
    """Set by SIGTERM or SIGINT. A plain flag: a signal handler must not take a lock
    that the code it interrupted may hold."""

    requested = False

    def request(self, *_) -> None:
        self.requested = True

    def __call__(self) -> bool:
        return self.requested


class Command(BaseCommand):
    help = "Send queued outgoing messages (once, or continuously with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between runs")

    def handle(self, *args, loop: bool, interval: float, **options):
        stop = Stop()
        if not loop:
            self.stdout.write(f"Sent {send_due_messages()} message(s)")
            return
        signals = (signal.SIGTERM, signal.SIGINT)
        previous = {signum: signal.signal(signum, stop.request) for signum in signals}
        try:
            while not stop():
                self._run_once(stop)
                wake = time.monotonic() + interval
                while not stop() and time.monotonic() < wake:
                    time.sleep(min(NAP_SECONDS, interval))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write("Stopped")

    def _run_once(self, stop: Stop) -> None:
        try:
            sent = send_due_messages(stop=stop)
        except DatabaseError as error:
            # The database restarted or the connection dropped: nothing was claimed
            # (the claim is the sending transaction), so the next run picks up from here.
            log.warning("Outbox run stopped by a database error, retrying: %s", error)
            self.stderr.write(f"Database error, retrying at the next run: {error}")
            connections.close_all()
            return
        if sent:
            self.stdout.write(f"Sent {sent} message(s)")
