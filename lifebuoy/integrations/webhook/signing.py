"""HMAC-SHA256 signatures for outgoing webhooks, in the widely used ``sha256=<hex>`` form."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Lifebuoy-Signature-256"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Constant-time check of a ``sha256=<hex>`` signature (also used for inbound webhooks)."""
    return bool(secret) and hmac.compare_digest(sign(secret, body), signature or "")
