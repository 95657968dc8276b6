"""Fixtures shared by the core tests of statements written once per process."""

from __future__ import annotations

import pytest

from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.tickets.tests.factories import ticket_opened


@pytest.fixture
def delivery_values(alice, now) -> dict[str, object]:
    """A delivery's values, but its idempotency key, with JSON and text that need escaping."""
    return {
        "kind": DeliveryKind.EMAIL,
        "ticket": ticket_opened(alice, now),
        "target": "alice@acme.example",
        "payload": {"subject": "Hi “there”", "nested": [1, None, True]},
        "message_id": "<x@y>",
        "next_attempt_at": now,
        "created_at": now,
    }
