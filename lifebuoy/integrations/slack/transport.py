"""Slack alerts through an incoming webhook (slack_sdk). ``target`` is the webhook URL."""

from __future__ import annotations

from slack_sdk.webhook import WebhookClient

from lifebuoy.integrations.base import Outgoing, TransportError

TIMEOUT_SECONDS = 10


class SlackTransport:
    def send(self, outgoing: Outgoing) -> None:
        client = WebhookClient(outgoing.target, timeout=TIMEOUT_SECONDS)
        try:
            response = client.send(
                text=outgoing.payload["text"], blocks=outgoing.payload.get("blocks")
            )
        except OSError as exc:  # connection refused, timeouts, DNS
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status == 200:  # HTTP OK
            return
        retryable = status == 429 or status >= 500  # throttled or server-side
        raise TransportError(
            f"Slack answered {status}: {response.body!r}"[:300], retryable=retryable
        )
