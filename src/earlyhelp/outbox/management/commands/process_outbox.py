"""Send the outbox: once, or continuously with ``--loop`` (the worker of the default,
database-only setup). SIGTERM or Ctrl-C stops the loop after the message in hand, so a
restart by systemd or ``make run`` sends nothing twice; a SIGKILL or a crash may send
the one message in hand again (see earlyhelp.outbox.services)."""

import signal
import time

from django.core.management.base import BaseCommand

from earlyhelp.outbox.services import send_due_messages

# How often a sleeping worker looks whether it has been asked to stop.
NAP_SECONDS = 0.1


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
        if loop:
            signal.signal(signal.SIGTERM, stop.request)
            signal.signal(signal.SIGINT, stop.request)
        while not stop():
            sent = send_due_messages(stop=stop)
            if sent or not loop:
                self.stdout.write(f"Sent {sent} message(s)")
            if not loop:
                return
            wake = time.monotonic() + interval
            while not stop() and time.monotonic() < wake:
                time.sleep(min(NAP_SECONDS, interval))
        self.stdout.write("Stopped")
