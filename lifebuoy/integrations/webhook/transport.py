"""Generic outgoing webhooks: JSON POSTed to a customer's URL, signed with their secret.

Receivers verify ``X-Lifebuoy-Signature-256`` (HMAC-SHA256 of the raw body) and use
``X-Lifebuoy-Delivery`` to drop the rare second copy of a delivery.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from lifebuoy.integrations.base import Outgoing, TransportError
from lifebuoy.integrations.webhook.signing import SIGNATURE_HEADER, sign

TIMEOUT_SECONDS = 10


class WebhookTransport:
    def send(self, outgoing: Outgoing) -> None:
        if not outgoing.target.startswith(("https://", "http://")):
            raise TransportError("Webhook URLs must be http(s).", retryable=False)
        body = json.dumps(outgoing.payload, separators=(",", ":"), sort_keys=True).encode()
        request = urllib.request.Request(  # noqa: S310  # scheme checked above
            outgoing.target,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Lifebuoy-Webhook/1",
                "X-Lifebuoy-Event": str(outgoing.payload.get("event", "")),
                "X-Lifebuoy-Delivery": outgoing.idempotency_key,
                SIGNATURE_HEADER: sign(outgoing.secret, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # idem
                response.read(1024)
        except urllib.error.HTTPError as exc:
            retryable = exc.code in (408, 429) or exc.code >= 500  # HTTP codes
            raise TransportError(
                f"HTTP {exc.code} from {outgoing.target}", retryable=retryable
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc
