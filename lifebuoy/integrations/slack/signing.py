"""Slack's request signatures (``X-Slack-Signature``, ``v0=`` HMAC-SHA256 of
``v0:<timestamp>:<body>`` with the signing secret), checked by slack_sdk's verifier, which also
refuses a timestamp more than five minutes from now (a replayed request)."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from slack_sdk.signature import SignatureVerifier


def slack_request_verified(*, body: bytes, headers: Mapping[str, str]) -> bool:
    secret = str(settings.LIFEBUOY_SLACK_SIGNING_SECRET)
    if not secret.strip():
        return False  # not configured: nothing can prove a request came from Slack
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    return SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature)
