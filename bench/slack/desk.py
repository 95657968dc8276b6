"""The benchmark's desk: a fresh PostgreSQL database, the environment of its web server and
workers, one organization with a connected channel and customers Slack already knows."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SECRET = "bench-signing-secret"  # noqa: S105  # the bench signs its own requests
CHANNEL = "CBENCH0001"
CUSTOMERS = 200


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database_name(url)}"')


def environment(url: str, broker: str, slack_api: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "LIFEBUOY_CACHE_URL": broker,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key",
        "LOG_LEVEL": "WARNING",
        "LIFEBUOY_SLACK_SIGNING_SECRET": SECRET,
        "LIFEBUOY_SLACK_BOT_TOKEN": "xoxb-test-token",
        "LIFEBUOY_SLACK_API_URL": slack_api,
        "LIFEBUOY_NOTIFY_EMAIL": "0",
        "LIFEBUOY_DATA_DIR": tempfile.mkdtemp(prefix="lifebuoy-slackbench-"),
    }


def setup_desk(env: dict[str, str]) -> None:
    """Migrate, then (in this process, which keeps Django set up for the counts) one
    organization, its lead, the channel and ``CUSTOMERS`` customers linked to Slack users."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connections
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.integrations.slack.models import SlackUser
    from lifebuoy.integrations.slack.services import slack_channel_connect

    now = timezone.now()
    org = organization_create(name="Bench Co", slug="bench", plan="enterprise", timezone="UTC")
    lead = User.objects.create_user("lead@bench.test", None, full_name="Lead", role=Role.LEAD)
    slack_channel_connect(
        actor=lead,
        organization=org,
        channel_id=CHANNEL,
        name="bench",
        resolve_emoji="white_check_mark",
        now=now,
    )
    for n in range(CUSTOMERS):
        user = User.objects.create_user(
            f"c{n}@bench.test",
            None,
            full_name=f"Customer {n}",
            role=Role.CUSTOMER,
            organization=org,
        )
        SlackUser.objects.create(slack_user_id=f"UC{n:07d}", user=user, created_at=now)
    connections.close_all()
