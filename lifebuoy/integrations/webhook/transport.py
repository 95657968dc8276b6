"""Generic outgoing webhooks: JSON POSTed to a customer's URL, signed with their secret.

Receivers verify ``X-Lifebuoy-Signature-256`` (HMAC-SHA256 of the raw body) and use
``X-Lifebuoy-Delivery`` to drop the rare second copy of a delivery.

The URL's host is resolved and checked (``targets.delivery_address``) for every delivery, and
the connection goes to exactly the address that passed, with the host name kept for the
``Host`` header and the TLS certificate check. Redirects are not followed: a receiver that
answers 3xx has moved, and its owner must change the URL.

A failure is recorded (and shown to the customer as the delivery's last error) as its kind and
status code only: "HTTP 403", "connection refused", "timed out", "TLS error". Nothing the target
sent back is kept: a misdirected webhook must not turn Lifebuoy into a way to read another
server's answers.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from lifebuoy.integrations.webhook.signing import SIGNATURE_HEADER, sign
from lifebuoy.notifications.transports import Outgoing, TransportError
from lifebuoy.notifications.webhook_targets import TargetRefused, delivery_address

TIMEOUT_SECONDS = 10


def _pinned(connection: http.client.HTTPConnection, address: str) -> None:
    """Make ``connection`` open its socket to ``address`` whatever its host name resolves to."""

    def create_connection(where: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        return socket.create_connection((address, where[1]), *args, **kwargs)

    connection._create_connection = create_connection  # type: ignore[attr-defined]


def _connection(url: str, address: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme.lower() == "https":
        connection = http.client.HTTPSConnection(host, parts.port, timeout=TIMEOUT_SECONDS)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=TIMEOUT_SECONDS)
    _pinned(connection, address)
    return connection


def failure_kind(exc: OSError | http.client.HTTPException) -> str:
    """What went wrong, in words that carry nothing the target sent."""
    if isinstance(exc, ssl.SSLError):
        return "TLS error"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "connection closed without a response"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    if isinstance(exc, http.client.HTTPException):
        return "invalid HTTP response"
    return "connection failed"


class WebhookTransport:
    def send(self, outgoing: Outgoing) -> None:
        try:
            address = delivery_address(
                outgoing.target, allow_private=settings.LIFEBUOY_WEBHOOK_PRIVATE_TARGETS
            )
        except TargetRefused as refused:
            raise TransportError(str(refused), retryable=refused.retryable) from refused
        body = json.dumps(outgoing.payload, separators=(",", ":"), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Lifebuoy-Webhook/1",
            "X-Lifebuoy-Event": str(outgoing.payload.get("event", "")),
            "X-Lifebuoy-Delivery": outgoing.idempotency_key,
            SIGNATURE_HEADER: sign(outgoing.secret, body),
        }
        parts = urlsplit(outgoing.target)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _connection(outgoing.target, address)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            if 200 <= response.status < 300:  # HTTP success: recorded before reading the body
                outgoing.accepted()
            response.read(1024)
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(failure_kind(exc)) from exc
        finally:
            connection.close()
        status = response.status
        if 200 <= status < 300:  # HTTP success
            return
        if 300 <= status < 400:  # HTTP redirects
            raise TransportError(
                f"HTTP {status}: redirects are not followed; update the endpoint's URL.",
                retryable=False,
            )
        retryable = status in (408, 429) or status >= 500  # HTTP codes
        raise TransportError(f"HTTP {status}", retryable=retryable)
