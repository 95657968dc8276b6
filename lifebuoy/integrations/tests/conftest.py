"""Fixtures for the Slack tests: a fake Slack on 127.0.0.1 that slack_sdk talks to, a signed
Events API sender, and a channel of Acme's connected by the lead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import timezone

from lifebuoy.accounts.models import Organization, User
from lifebuoy.integrations.slack.models import SlackChannel
from lifebuoy.integrations.slack.services import slack_channel_connect
from lifebuoy.integrations.tests.fake_slack import EventSender, FakeSlack, fake_slack
from lifebuoy.integrations.tests.slack_helpers import CHANNEL, SECRET


@pytest.fixture
def slack(settings) -> Iterator[FakeSlack]:
    with fake_slack() as fake:
        settings.LIFEBUOY_SLACK_API_URL = fake.api_url
        settings.LIFEBUOY_SLACK_BOT_TOKEN = "xoxb-test-token"
        settings.LIFEBUOY_SLACK_SIGNING_SECRET = SECRET
        settings.LIFEBUOY_SLACK_WEBHOOK_URL = ""
        settings.LIFEBUOY_SLACK_CHANNEL = ""
        yield fake


@pytest.fixture
def sender(client: Client) -> EventSender:
    def post(path: str, body: bytes, headers: dict[str, str]):
        return client.post(path, body, content_type="application/json", headers=headers)

    return EventSender(post, SECRET)


@pytest.fixture
def acme_channel(acme: Organization, lena: User) -> SlackChannel:
    return slack_channel_connect(
        actor=lena,
        organization=acme,
        channel_id=CHANNEL,
        name="acme-support",
        resolve_emoji="white_check_mark",
        now=timezone.now(),
    )
