"""The SMTP gateway on loopback: smtplib sends, aiosmtpd receives, tickets are committed."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from lifebuoy.notifications.inbound.gateway import Receive, gateway_controller
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.tickets.models import Ticket

from .loopback import free_port
from .mailmaker import mail


@contextmanager
def gateway(receive: Receive | None = None, max_bytes: int = 1_000_000) -> Iterator[int]:
    port = free_port()
    kwargs = {"receive": receive} if receive else {}
    controller, handler = gateway_controller(
        host="127.0.0.1", port=port, max_bytes=max_bytes, **kwargs
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
        handler.close()


def send(port: int, raw: bytes, sender: str = "a@example.net") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail(sender, ["support@lifebuoy.test"], raw)


@pytest.mark.django_db(transaction=True)
def test_mail_sent_with_smtplib_becomes_tickets_and_replies(alice):
    with gateway() as port, smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        raw, first_id = mail(subject="Gateway test")
        client.sendmail("alice@acme.example", ["support@lifebuoy.test"], raw)
        client.sendmail("alice@acme.example", ["support@lifebuoy.test"], raw)  # duplicate
        reply, _ = mail(subject="Re: Gateway test", in_reply_to=first_id)
        client.sendmail("alice@acme.example", ["support@lifebuoy.test"], reply)
        bounce, _ = mail(subject="Undeliverable")
        client.sendmail("", ["support@lifebuoy.test"], bounce)  # null sender
    ticket = Ticket.objects.get()
    assert ticket.subject == "Gateway test"
    assert ticket.messages.count() == 1
    assert list(InboundEmail.objects.order_by("id").values_list("status", flat=True)) == [
        "created",
        "attached",
        "ignored",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refused_message_gets_a_permanent_smtp_error(db):
    raw, _ = mail(sender="not-an-address")
    with gateway() as port, pytest.raises(smtplib.SMTPDataError) as info:
        send(port, raw)
    assert info.value.smtp_code == 550
    assert InboundEmail.objects.get().status == "rejected"


def test_when_storing_fails_the_sender_is_asked_to_retry():
    def broken(raw: bytes, envelope_from: str | None) -> str:
        raise OSError("database is gone")

    with gateway(broken) as port, pytest.raises(smtplib.SMTPDataError) as info:
        send(port, mail()[0])
    assert info.value.smtp_code == 451


def test_oversized_messages_are_refused_before_they_are_accepted():
    seen: list[bytes] = []

    def record(raw: bytes, envelope_from: str | None) -> str:
        seen.append(raw)
        return "250 OK"

    raw, _ = mail(body="x" * 20_000)
    with gateway(record, max_bytes=10_000) as port, pytest.raises(smtplib.SMTPException):
        send(port, raw)
    assert seen == []


def test_the_cli_offers_the_mailgateway_command():
    from lifebuoy.cli.app import build

    result = CliRunner().invoke(build(), ["mailgateway", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output
