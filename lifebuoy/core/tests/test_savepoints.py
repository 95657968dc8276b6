"""Opening a ticket over the API without a savepoint of its own: a refusal still leaves nothing
of the ticket behind and frees its Idempotency-Key, and an ordinary refusal keeps what the
request wrote before it (the token's last use)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.accounts.models import ApiToken
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TICKET = {"subject": "Agents offline", "description": "C2 silent", "priority": "P2"}
KEY = {"Idempotency-Key": "open-7c1d"}


def _open(client: Any, body: dict[str, str] = TICKET) -> Any:
    return client.post("/api/tickets/", body, content_type="application/json", headers=KEY)


def test_the_ticket_opens_in_the_api_writes_transaction_without_a_savepoint(api, alice):
    client = api(alice)
    with CaptureQueriesContext(connection) as queries:
        opened = client.post("/api/tickets/", TICKET, content_type="application/json")
    assert opened.status_code == HTTPStatus.CREATED
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    # One only: the write's own transaction, a savepoint here because each test runs in one.
    assert len(savepoints) == 1


def test_a_refusal_after_the_first_write_leaves_nothing_and_frees_the_key(api, alice, monkeypatch):
    real = events.publish

    def refuse_after_writing(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)  # the ticket, its audit entry and its clocks are written by now
        raise ValidationFailed.for_fields({"subject": "Refused after writing."})

    client = api(alice)
    monkeypatch.setattr(events, "publish", refuse_after_writing)
    refused = _open(client)
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()
    monkeypatch.setattr(events, "publish", real)
    retried = _open(client)
    assert retried.status_code == HTTPStatus.CREATED  # the key was not kept for the refusal
    assert Ticket.objects.count() == 1


def test_an_invalid_ticket_is_refused_and_the_tokens_use_is_still_recorded(api, alice):
    client = api(alice)
    assert ApiToken.objects.get(user=alice).last_used_at is None
    refused = _open(client, {**TICKET, "description": " "})
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Ticket.objects.exists()
    assert ApiToken.objects.get(user=alice).last_used_at is not None
