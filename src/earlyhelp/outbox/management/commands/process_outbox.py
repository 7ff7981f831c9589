import time

from django.core.management.base import BaseCommand

from earlyhelp.outbox.services import send_due_messages


class Command(BaseCommand):
    help = "Send queued outgoing messages (once, or continuously with --loop)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between runs")

    def handle(self, *args, loop: bool, interval: float, **options):
        while True:
            sent = send_due_messages()
            if sent or not loop:
                self.stdout.write(f"Sent {sent} message(s)")
            if not loop:
                return
            time.sleep(interval)
