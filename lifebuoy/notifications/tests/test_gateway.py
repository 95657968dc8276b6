"""The SMTP gateway on loopback: smtplib sends, aiosmtpd receives, tickets are committed."""

from __future__ import annotations

import queue
import smtplib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from lifebuoy.notifications.inbound.gateway import Receive, gateway_controller, receive_with_django
from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.tickets.models import Ticket

from .loopback import free_port
from .mailmaker import mail


@contextmanager
def gateway(receive: Receive | None = None, max_bytes: int = 1_000_000) -> Iterator[int]:
    port = free_port()
    controller, handler = gateway_controller(
        host="127.0.0.1",
        port=port,
        max_bytes=max_bytes,
        domains=frozenset({"lifebuoy.test"}),
        receive=receive or receive_with_django,
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


class MainThreadReceiver:
    """Runs the gateway's database work on the test's thread, inside the test's transaction,
    while smtplib talks to the gateway from another thread."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[tuple[bytes, str | None, Future[str]]] = queue.Queue()

    def __call__(self, raw: bytes, envelope_from: str | None) -> str:
        reply: Future[str] = Future()
        self.inbox.put((raw, envelope_from, reply))
        return reply.result(timeout=30)

    def serve(self, client: Callable[[], None]) -> None:
        errors: list[BaseException] = []

        def run() -> None:
            try:
                client()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=run)
        thread.start()
        while thread.is_alive() or not self.inbox.empty():
            try:
                raw, envelope_from, reply = self.inbox.get(timeout=0.05)
            except queue.Empty:
                continue
            result = inbound_email_receive(raw=raw, envelope_from=envelope_from, now=timezone.now())
            reply.set_result(result.smtp_reply())
        thread.join()
        if errors:
            raise errors[0]


@pytest.mark.django_db
def test_mail_sent_with_smtplib_becomes_tickets_and_replies(alice):
    receiver = MainThreadReceiver()
    raw, first_id = mail(subject="Gateway test")
    reply, _ = mail(subject="Re: Gateway test", in_reply_to=first_id)
    bounce, _ = mail(subject="Undeliverable")

    def client() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("alice@acme.example", ["support@lifebuoy.test"], raw)
            smtp.sendmail("alice@acme.example", ["support@lifebuoy.test"], raw)  # duplicate
            smtp.sendmail("alice@acme.example", ["support@lifebuoy.test"], reply)
            smtp.sendmail("", ["support@lifebuoy.test"], bounce)  # null sender

    with gateway(receiver) as port:
        receiver.serve(client)
    ticket = Ticket.objects.get()
    assert ticket.subject == "Gateway test"
    assert ticket.messages.count() == 1
    assert list(InboundEmail.objects.order_by("id").values_list("status", flat=True)) == [
        "created",
        "duplicate",  # kept for the inbound log, changing nothing
        "attached",
        "ignored",
    ]


@pytest.mark.django_db
def test_a_refused_message_gets_a_permanent_smtp_error():
    receiver = MainThreadReceiver()
    raw, _ = mail(sender="not-an-address")
    with gateway(receiver) as port, pytest.raises(smtplib.SMTPDataError) as info:
        receiver.serve(lambda: send(port, raw))
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
    with (
        gateway(record, max_bytes=10_000) as port,
        pytest.raises(smtplib.SMTPResponseException) as info,
    ):
        send(port, raw)
    assert info.value.smtp_code == 552  # exceeded storage allocation
    assert seen == []


def test_the_cli_offers_the_mailgateway_command():
    from lifebuoy.cli.app import build

    result = CliRunner().invoke(build(), ["mailgateway", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


def test_mail_for_other_domains_is_refused_at_rcpt():
    seen: list[bytes] = []

    def record(raw: bytes, envelope_from: str | None) -> str:
        seen.append(raw)
        return "250 OK"

    with gateway(record) as port, smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused, match="Relaying denied"):
            client.sendmail("a@example.net", ["someone@elsewhere.example"], mail()[0])
        client.sendmail("a@example.net", ["Support@Lifebuoy.test"], mail()[0])
    assert len(seen) == 1
