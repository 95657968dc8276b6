"""``manage.py slack_retry``: process the Slack events that failed once more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from lifebuoy.integrations.slack.inbound import slack_event_retry_failed


class Command(BaseCommand):
    help = "Put failed Slack events back in line; the sweep processes them within a minute."

    def handle(self, *args: Any, **options: Any) -> None:
        count = slack_event_retry_failed(now=timezone.now())
        self.stdout.write(f"Put {count} failed Slack events back in line.")
