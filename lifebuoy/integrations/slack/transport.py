"""Slack alerts through slack_sdk: an incoming webhook, or a bot token and a channel.

``target`` is the webhook URL (``https://hooks.slack.com/…``), or a channel (``#support``)
posted to with ``chat.postMessage`` using ``LIFEBUOY_SLACK_BOT_TOKEN``.
"""

from __future__ import annotations

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from lifebuoy.notifications.transports import Outgoing, TransportError

TIMEOUT_SECONDS = 10


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500  # throttled or server-side


class SlackTransport:
    def send(self, outgoing: Outgoing) -> None:
        if outgoing.target.startswith(("https://", "http://")):
            self._webhook(outgoing)
        else:
            self._bot(outgoing)

    def _webhook(self, outgoing: Outgoing) -> None:
        client = WebhookClient(outgoing.target, timeout=TIMEOUT_SECONDS)
        try:
            response = client.send(
                text=outgoing.payload["text"], blocks=outgoing.payload.get("blocks")
            )
        except OSError as exc:  # connection refused, timeouts, DNS
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:  # HTTP OK
            raise TransportError(
                f"Slack answered {response.status_code}: {response.body!r}"[:300],
                retryable=_retryable(response.status_code),
            )

    def _bot(self, outgoing: Outgoing) -> None:
        token: str = settings.LIFEBUOY_SLACK_BOT_TOKEN
        if not token:
            raise TransportError(
                "No LIFEBUOY_SLACK_BOT_TOKEN for a channel target.", retryable=False
            )
        client = WebClient(
            token=token, base_url=settings.LIFEBUOY_SLACK_API_URL, timeout=TIMEOUT_SECONDS
        )
        try:
            client.chat_postMessage(
                channel=outgoing.target,
                text=outgoing.payload["text"],
                blocks=outgoing.payload.get("blocks"),
            )
        except SlackApiError as exc:
            status = exc.response.status_code
            raise TransportError(
                f"Slack API: {exc.response.get('error')}", retryable=_retryable(status)
            ) from exc
        except OSError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
