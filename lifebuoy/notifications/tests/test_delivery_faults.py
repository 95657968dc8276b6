"""The outbox when the database connection is lost between claiming a delivery and recording
its outcome, when the SMTP server refuses an attempt, and what happens between the server's
accept and the record. The PostgreSQL tests end the worker's backend for real."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session
from django.core import mail
from django.core.mail.backends.smtp import EmailBackend
from django.db import InterfaceError, OperationalError, connection

from lifebuoy.notifications.models import Delivery, DeliveryStatus
from lifebuoy.notifications.services import delivery as outbox
from lifebuoy.notifications.transports import Outgoing, TransportError
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import PROJECT_APPS, threaded_db_test
from tests.faults import backend_pid, terminate_backend

from .loopback import free_port
from .test_delivery_loopback import smtp_settings

# Commits for real (a connection is closed only outside a transaction), on either database.
committing = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, available_apps=PROJECT_APPS
)


def _acknowledgement(alice: Any, now: Any) -> Delivery:
    ticket_opened(alice, now, subject="Agents offline", description="All three")
    return Delivery.objects.get(kind="email")


class _FailingTransport:
    def __init__(self, before: Callable[[], None] = lambda: None) -> None:
        self.before = before

    def send(self, outgoing: Outgoing) -> None:
        self.before()
        raise TransportError("SMTP 451: 'try again later'")


class _AcceptingTransport:
    def __init__(self, before: Callable[[], None] = lambda: None) -> None:
        self.before = before
        self.sent: list[str] = []

    def send(self, outgoing: Outgoing) -> None:
        self.sent.append(outgoing.message_id)
        self.before()
        outgoing.accepted()


@contextmanager
def _delivery_update_fails(failing: set[int], error: type[Exception]) -> Iterator[None]:
    """Those UPDATEs of a delivery (counted from 1) raise ``error`` before reaching the
    database, as a statement on a connection the server dropped does."""
    seen = 0

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        if sql.startswith('UPDATE "notifications_delivery"'):
            seen += 1
            if seen in failing:
                raise error("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


@committing
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_failed_send_is_pending_again_at_once_though_the_first_record_lost_its_connection(
    alice, now, monkeypatch, error
):
    delivery = _acknowledgement(alice, now)
    monkeypatch.setattr(outbox, "transport_for", lambda kind: _FailingTransport())

    with _delivery_update_fails({2}, error):  # the claim is the first UPDATE, the record the second
        attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)

    delivery.refresh_from_db()
    assert attempt.outcome == "retry"
    assert (delivery.status, delivery.claim_token) == (DeliveryStatus.PENDING, "")
    assert "451" in delivery.last_error


@committing
def test_an_accepted_send_is_recorded_sent_though_the_first_record_lost_its_connection(
    alice, now, monkeypatch
):
    delivery = _acknowledgement(alice, now)
    transport = _AcceptingTransport()
    monkeypatch.setattr(outbox, "transport_for", lambda kind: transport)

    with _delivery_update_fails({2}, OperationalError):
        attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)

    delivery.refresh_from_db()
    assert (attempt.outcome, delivery.status) == ("sent", DeliveryStatus.SENT)
    assert transport.sent == [delivery.message_id]


@committing
def test_an_accept_that_cannot_be_recorded_is_not_taken_for_a_failure(alice, now, monkeypatch):
    """The database is gone for good: the row stays claimed for the sweep (which sends it again
    with the same Message-ID), never put back as failed while the receiver has it."""
    delivery = _acknowledgement(alice, now)
    monkeypatch.setattr(outbox, "transport_for", lambda kind: _AcceptingTransport())

    with _delivery_update_fails({2, 3}, OperationalError):
        attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)

    delivery.refresh_from_db()
    assert (attempt.outcome, delivery.status) == ("unrecorded", DeliveryStatus.SENDING)


@pytest.mark.django_db
def test_the_delivery_is_recorded_sent_before_the_smtp_quit(alice, now, monkeypatch):
    """Nothing stands between the server's 250 and the record; a QUIT that fails afterwards
    changes nothing (it used to turn an accepted message into a retry, sent twice)."""
    delivery = _acknowledgement(alice, now)
    status_at_quit: list[str] = []
    real_close = EmailBackend.close

    def close(self: EmailBackend) -> None:
        status_at_quit.append(Delivery.objects.get(id=delivery.id).status)
        real_close(self)
        raise smtplib.SMTPServerDisconnected("lost at QUIT")

    port = free_port()
    sink = _RefuseFirst(refusals=0)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            monkeypatch.setattr(EmailBackend, "close", close)
            attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)
    finally:
        controller.stop()

    delivery.refresh_from_db()
    assert status_at_quit == [DeliveryStatus.SENT]
    assert (attempt.outcome, delivery.status) == ("sent", DeliveryStatus.SENT)
    assert sink.accepted == [delivery.message_id]


class _RefuseFirst:
    """An SMTP server that answers 451 to the first ``refusals`` messages, then accepts."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.refused: list[str] = []
        self.accepted: list[str] = []

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        raw = (envelope.original_content or b"").decode()
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in raw.splitlines()
            if line.lower().startswith("message-id:")
        )
        if len(self.refused) < self.refusals:
            self.refused.append(message_id)
            return "451 4.3.0 try again later"
        self.accepted.append(message_id)
        return "250 OK"


@pytest.mark.django_db
def test_a_retried_email_carries_the_same_message_id(alice, now):
    delivery = _acknowledgement(alice, now)
    port = free_port()
    sink = _RefuseFirst(refusals=1)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            first = outbox.delivery_attempt(delivery_id=delivery.id, now=now)
            assert first.outcome == "retry"
            delivery.refresh_from_db()
            second = outbox.delivery_attempt(delivery_id=delivery.id, now=delivery.next_attempt_at)
    finally:
        controller.stop()

    delivery.refresh_from_db()
    assert second.outcome == "sent"
    assert sink.refused == sink.accepted == [delivery.message_id]
    assert delivery.attempts == 2


# PostgreSQL: the worker's backend ended for real ------------------------------------------


@threaded_db_test
def test_a_worker_whose_connection_was_ended_mid_send_records_the_failure_at_once(
    alice, now, monkeypatch
):
    delivery = _acknowledgement(alice, now)
    cut = _FailingTransport(before=lambda: terminate_backend(backend_pid()))
    monkeypatch.setattr(outbox, "transport_for", lambda kind: cut)

    attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)

    delivery.refresh_from_db()
    assert attempt.outcome == "retry"
    assert (delivery.status, delivery.claim_token) == (DeliveryStatus.PENDING, "")


@threaded_db_test
def test_a_worker_whose_connection_was_ended_mid_send_records_the_accept_at_once(
    alice, now, monkeypatch
):
    delivery = _acknowledgement(alice, now)
    transport = _AcceptingTransport(before=lambda: terminate_backend(backend_pid()))
    monkeypatch.setattr(outbox, "transport_for", lambda kind: transport)

    attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=now)

    delivery.refresh_from_db()
    assert (attempt.outcome, delivery.status) == ("sent", DeliveryStatus.SENT)
    assert len(mail.outbox) == 0  # the fake transport sent it; nothing else did
