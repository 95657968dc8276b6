"""``manage.py slack_socket_mode``: receive Slack's events over Socket Mode (no public URL)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lifebuoy.integrations.slack.socket_mode import socket_mode_client


class Command(BaseCommand):
    help = "Connect to Slack with LIFEBUOY_SLACK_APP_TOKEN and keep its events until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        token = str(settings.LIFEBUOY_SLACK_APP_TOKEN)
        if not token.startswith("xapp-"):
            raise CommandError("Set LIFEBUOY_SLACK_APP_TOKEN to the app-level token (xapp-…).")
        client = socket_mode_client(app_token=token)
        client.connect()
        self.stdout.write("Connected to Slack in Socket Mode; Ctrl-C stops.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            client.close()
