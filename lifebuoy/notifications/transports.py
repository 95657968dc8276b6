"""What every transport receives and may raise. Django-free, so transports stay small."""

from __future__ import annotations

from collections.abc import Callable
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


def _accepted_on_return() -> None:
    """The default hook: the outbox records the delivery as sent when ``send`` returns."""


@dataclass(frozen=True)
class Outgoing:
    """One delivery as a transport sees it.

    ``accepted``: a transport calls it the moment the receiver has accepted the message (the SMTP
    server's 250 to DATA, a 2xx status line), before any clean-up such as SMTP's QUIT, so the
    outbox records "sent" with nothing in between; see ``services/delivery.py``. It must not be
    called for a failure. A transport that never calls it is taken as accepted when ``send``
    returns without raising.
    """

    kind: str
    target: str
    payload: dict[str, Any]
    idempotency_key: str
    message_id: str = ""
    secret: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    accepted: Callable[[], None] = field(default=_accepted_on_return, compare=False, repr=False)


class Transport(Protocol):
    def send(self, outgoing: Outgoing) -> None: ...
