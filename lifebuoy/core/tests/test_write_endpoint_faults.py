"""API writes when PostgreSQL ends the connection mid-request (``pg_terminate_backend``), and two
requests with one ``Idempotency-Key`` at once. PostgreSQL only: they need a server to end
backends and concurrent connections (skipped on SQLite with that reason)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from lifebuoy.accounts.models import User
from lifebuoy.accounts.services import api_token_create
from lifebuoy.tickets import services as ticket_services
from lifebuoy.tickets.models import Message, Ticket
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test
from tests.faults import backend_pid, terminate_backend

KEY = {"Idempotency-Key": "reply-9b1e"}


def _client(user: User) -> Client:
    _, secret = api_token_create(user=user, name="faults")
    return Client(headers={"authorization": f"Bearer {secret}"}, raise_request_exception=False)


def _reply(client: Client, ticket: Ticket, body: str) -> Any:
    return client.post(
        f"/api/tickets/{ticket.id}/messages",
        {"body": body},
        content_type="application/json",
        headers=KEY,
    )


def _message_add_then(monkeypatch: pytest.MonkeyPatch, after: Callable[[], None]) -> None:
    """The reply service as it is, then ``after`` (once) while its transaction is still open."""
    real = ticket_services.message_add
    calls: list[int] = []

    def message_add(**kwargs: Any) -> Message:
        message = real(**kwargs)
        if not calls:
            calls.append(1)
            after()
        return message

    monkeypatch.setattr(ticket_services, "message_add", message_add)


@threaded_db_test
def test_a_reply_that_committed_is_answered_201_though_the_connection_died_after_the_commit(
    monkeypatch, alice, bob, now
):
    ticket = ticket_opened(alice, now)
    client = _client(bob)

    def cut_after_commit() -> None:
        pid = backend_pid()
        transaction.on_commit(lambda: terminate_backend(pid))

    _message_add_then(monkeypatch, cut_after_commit)
    response = _reply(client, ticket, "Please restart the agents.")
    connection.close()  # the test's own connection was the one ended

    assert response.status_code == HTTPStatus.CREATED, response.content
    replies = Message.objects.filter(ticket=ticket, body="Please restart the agents.")
    assert list(replies.values_list("id", flat=True)) == [response.json()["id"]]


@threaded_db_test
def test_a_reply_cut_off_before_its_commit_is_not_saved_and_its_retry_adds_it_once(
    monkeypatch, alice, bob, now
):
    ticket = ticket_opened(alice, now)
    client = _client(bob)

    _message_add_then(monkeypatch, lambda: terminate_backend(backend_pid()))
    failed = _reply(client, ticket, "Please restart the agents.")
    connection.close()
    assert failed.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert not Message.objects.filter(body="Please restart the agents.").exists()

    retried = _reply(client, ticket, "Please restart the agents.")
    again = _reply(client, ticket, "Please restart the agents.")
    assert retried.status_code == again.status_code == HTTPStatus.CREATED
    assert again.json()["id"] == retried.json()["id"]
    assert Message.objects.filter(body="Please restart the agents.").count() == 1


@threaded_db_test
def test_two_requests_with_one_key_at_once_add_one_reply(monkeypatch, alice, bob, now):
    ticket = ticket_opened(alice, now)
    clients = [_client(bob), _client(bob)]
    # The first request holds its transaction open a moment after writing, so the second
    # arrives while the first has not committed.
    _message_add_then(monkeypatch, lambda: time.sleep(0.5))
    answers: list[Any] = [None, None]

    def send(index: int) -> None:
        try:
            answers[index] = _reply(clients[index], ticket, "Restarting now.")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    threads[0].start()
    time.sleep(0.2)
    threads[1].start()
    for thread in threads:
        thread.join(20)

    assert [a.status_code for a in answers] == [HTTPStatus.CREATED, HTTPStatus.CREATED]
    assert answers[0].json() == answers[1].json()
    # Whichever got the key first did the work; the other waited for it and replayed its answer.
    assert sorted(a.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert Message.objects.filter(ticket=ticket, body="Restarting now.").count() == 1
