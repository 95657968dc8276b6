"""``manage.py sla_backfill``: give SLA clocks to tickets created before the engine was on."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lifebuoy.sla.services.backfill import sla_backfill


class Command(BaseCommand):
    help = "Rebuild SLA clocks for tickets that have none (old breaches are recorded quietly)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        last_id: int | None = 0
        while last_id is not None:
            last_id = sla_backfill(now=now, after_id=last_id, batch_size=options["batch_size"])
        self.stdout.write("Every ticket has its SLA clocks.")
