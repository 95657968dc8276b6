"""What opening an ordinary ticket through the API costs the database and the workers: a fixed
set of statements (none reading back what the request just wrote) and one task."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

TICKET = {"subject": "Agents offline", "description": "C2 silent", "priority": "P2"}
WRITTEN = {
    "tickets_ticket",  # the ticket
    "tickets_ticketevent",  # its audit entry
    "sla_clock",  # its clocks
    "sla_summary",  # and their summary for the queue
    "notifications_delivery",  # the acknowledgement
    "notifications_mailreference",  # its Message-ID, for the customer's reply
}


def test_opening_a_ticket_writes_its_rows_reads_only_the_token_and_leaves_one_task(
    api, alice, published_tasks, django_capture_on_commit_callbacks
):
    client = api(alice)
    assert client.post("/api/tickets/", TICKET, content_type="application/json").status_code == 201
    published_tasks.clear()
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post("/api/tickets/", TICKET, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED
    statements = [q["sql"] for q in queries.captured_queries]
    # On PostgreSQL some rows go together, one INSERT in another's WITH: every INSERT counts.
    inserted = {table for sql in statements for table in re.findall(r'INSERT INTO "?(\w+)"?', sql)}
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert inserted >= WRITTEN  # and the search index, named by each engine in its own way
    assert len(selects) == 1, selects  # the token with its person and organization
    assert "accounts_apitoken" in selects[0]
    assert published_tasks == ["lifebuoy.notifications.delivery_send"]
