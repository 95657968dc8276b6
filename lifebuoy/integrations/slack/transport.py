"""Slack posts through slack_sdk: alerts (an incoming webhook, or a bot token and a channel)
and replies in a ticket's Slack thread.

``target`` is the webhook URL (``https://hooks.slack.com/…``), or a channel (``#support``,
``C0123``) posted to with ``chat.postMessage`` using ``LIFEBUOY_SLACK_BOT_TOKEN``; a payload
with ``thread_ts`` goes into that thread. Slack's 429 names a ``Retry-After``, which the outbox
waits for. A thread post's ``ts`` is recorded, so reactions to it find the ticket.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from lifebuoy.integrations.slack.client import TIMEOUT_SECONDS, web_client
from lifebuoy.integrations.slack.posts import slack_post_record
from lifebuoy.notifications.transports import Outgoing, TransportError

logger = logging.getLogger(__name__)

# Errors after which trying again cannot help: the channel, the token or the thread is gone.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "not_authed",
        "missing_scope",
        "thread_not_found",
        "msg_too_long",
        "no_text",
        "invalid_blocks",
        "restricted_action",
    }
)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500  # throttled or server-side


def _retry_after(headers: Any) -> float | None:
    value = None
    if headers:
        value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):  # slack_sdk keeps repeated headers as lists
        value = value[0] if value else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


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
                retry_after=_retry_after(response.headers) if response.status_code == 429 else None,
            )

    def _bot(self, outgoing: Outgoing) -> None:
        if not settings.LIFEBUOY_SLACK_BOT_TOKEN:
            raise TransportError(
                "No LIFEBUOY_SLACK_BOT_TOKEN for a channel target.", retryable=False
            )
        payload = outgoing.payload
        extra = {"thread_ts": payload["thread_ts"]} if payload.get("thread_ts") else {}
        try:
            response = web_client().chat_postMessage(
                channel=outgoing.target,
                text=payload["text"],
                blocks=payload.get("blocks"),
                unfurl_links=False,
                **extra,
            )
        except SlackApiError as exc:
            raise self._error(exc) from exc
        except OSError as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
        if payload.get("slack_thread"):
            slack_post_record(
                thread_id=int(payload["slack_thread"]),
                channel_id=outgoing.target,
                ts=str(response.get("ts") or ""),
                text=payload["text"],
                message_id=payload.get("message_id"),
            )

    @staticmethod
    def _error(exc: SlackApiError) -> TransportError:
        status = exc.response.status_code
        error = str(exc.response.get("error") or f"HTTP {status}")
        if status == 429:
            return TransportError(
                "Slack API: rate limited",
                retry_after=_retry_after(exc.response.headers) or 1.0,
            )
        retryable = _retryable(status) and error not in PERMANENT
        return TransportError(f"Slack API: {error}", retryable=retryable)
