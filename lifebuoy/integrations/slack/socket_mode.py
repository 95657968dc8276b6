"""Socket Mode: Slack's events over a WebSocket the desk opens, for an installation without a
public request URL. Authenticated by the app-level token (``xapp-…``, scope
``connections:write``), so no request signature is involved; each envelope is acknowledged at
once and its event stored exactly as the request URL stores it (``inbound.py``)."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from lifebuoy.integrations.slack.client import web_client
from lifebuoy.integrations.slack.inbound import slack_event_receive

logger = logging.getLogger(__name__)


def socket_mode_handle(client: Any, request: SocketModeRequest) -> str:
    """Acknowledge an envelope, then keep its event; returns what happened (for the log)."""
    client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
    if request.type != "events_api" or not isinstance(request.payload, dict):
        return f"ignored: {request.type}"
    if request.payload.get("type") != "event_callback":
        return f"ignored: {request.payload.get('type')}"
    received = slack_event_receive(payload=request.payload, now=timezone.now())
    return "already received" if received.duplicate else "received"


def socket_mode_client(*, app_token: str) -> SocketModeClient:
    client = SocketModeClient(app_token=app_token, web_client=web_client())

    def listener(inner: BaseSocketModeClient, request: SocketModeRequest) -> None:
        try:
            logger.info(
                "Slack Socket Mode %s: %s", request.type, socket_mode_handle(inner, request)
            )
        except Exception:
            logger.exception("Slack Socket Mode: could not keep envelope %s", request.envelope_id)

    client.socket_mode_request_listeners.append(listener)
    return client
