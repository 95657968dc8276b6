"""``manage.py monitoring_poll``: poll one deployment now, or every due one."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lifebuoy.core.errors import LifebuoyError
from lifebuoy.monitoring.selectors import deployment_get
from lifebuoy.monitoring.services.polling import deployment_poll, poll_due_deployments_inline


class Command(BaseCommand):
    help = "Poll a deployment's repository now (fetch, doctor, problems), or all due ones."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("deployment_id", nargs="?", type=int, help="Omit for all due ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["deployment_id"] is None:
            self.stdout.write(f"Polled {poll_due_deployments_inline(now=now)} due deployment(s).")
            return
        deployment = deployment_get(deployment_id=options["deployment_id"])
        if deployment is None:
            raise CommandError(f"There is no deployment {options['deployment_id']}.")
        try:
            result = deployment_poll(deployment=deployment, now=now, force=True)
        except LifebuoyError as exc:
            raise CommandError(exc.message) from exc
        opened = ", ".join(p.kind for p in result.opened) or "none"
        cleared = ", ".join(p.kind for p in result.cleared) or "none"
        error = f" ({result.error})" if result.error else ""
        self.stdout.write(
            f"{deployment.name}: {result.outcome}{error}; "
            f"{result.status_changes} status change(s); opened {opened}; cleared {cleared}."
        )
