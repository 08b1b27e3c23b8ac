"""`hamkke outbox send` sends the emails and texts that are due (for cron where no Celery beat
runs); `hamkke outbox status` counts what waits."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from hamkke.core.outbox import selectors as outbox_selectors
from hamkke.core.outbox import services as outbox_services


class Command(BaseCommand):
    help = "Send the outbox's due emails and text messages, or count what waits."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        send = sub.add_parser("send", help="Send (or retry) every message that is due")
        send.add_argument("--limit", type=int, default=1000, help="At most this many messages")
        sub.add_parser("status", help="Count messages by status")

    def handle(self, *args, verb: str, **options):
        if verb == "send":
            tally = outbox_services.send_due_messages(limit=options["limit"])
            self.stdout.write(
                f"sent {tally.sent}, failed {tally.failed} (retried later), expired {tally.expired}"
            )
            return
        state = outbox_selectors.outbox_state()
        for status, count in state.by_status.items():
            self.stdout.write(f"{status}: {count}")
        if state.oldest_pending is not None:
            waited = timezone.now() - state.oldest_pending
            self.stdout.write(f"oldest pending: {int(waited.total_seconds())} s old")
