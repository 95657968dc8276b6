"""``manage.py outbox_retry``: give failed deliveries and failed inbound mail another try."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lifebuoy.notifications.inbound.services import inbound_email_retry
from lifebuoy.notifications.services.delivery import delivery_retry_failed


class Command(BaseCommand):
    help = "Re-queue deliveries that ran out of attempts and reprocess inbound mail that failed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--kind", default="", help="Only deliveries of this kind (email…).")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        queued = delivery_retry_failed(now=now, kind=options["kind"])
        reprocessed = inbound_email_retry(now=now, older_than=timedelta(0))
        self.stdout.write(
            f"Re-queued {queued} deliveries (the sweep sends them within a minute); "
            f"reprocessed {reprocessed} inbound messages."
        )
