"""What every transport receives and may raise. Django-free, so transports stay small."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class TransportError(Exception):
    """Sending failed. ``retryable`` is False when trying again cannot help (e.g. HTTP 404).
    ``retry_after``: the receiver throttled us and named when to come back (seconds)."""

    def __init__(
        self, message: str, *, retryable: bool = True, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class Outgoing:
    """One delivery as a transport sees it."""

    kind: str
    target: str
    payload: dict[str, Any]
    idempotency_key: str
    message_id: str = ""
    secret: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def send(self, outgoing: Outgoing) -> None: ...
