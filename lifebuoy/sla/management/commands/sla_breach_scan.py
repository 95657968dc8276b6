"""``manage.py sla_breach_scan``: run the SLA sweep once, as the scheduler does every minute."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lifebuoy.sla.services import sla_breach_scan


class Command(BaseCommand):
    help = "Flag SLA clocks that are at risk or breached now; safe beside the scheduled sweep."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        result = sla_breach_scan(now=timezone.now(), batch_size=options["batch_size"])
        self.stdout.write(f"{result.at_risk} at risk, {result.breached} breached.")
