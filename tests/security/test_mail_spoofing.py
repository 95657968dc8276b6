"""Nobody posts as someone else by mail: a spoofed From is its literal sender, or refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import override_settings

from lifebuoy.accounts.models import User
from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.tickets.models import Message, Ticket
from tests.security.fixtures.spoofed_senders import REFUSED, SPOOFS

pytestmark = pytest.mark.django_db

VICTIMS = {"alice@acme.example", "bob@lifebuoy.test", "lena@lifebuoy.test"}


def _send(head: bytes, *, subject: str, message_id: str, in_reply_to: str, now: datetime):
    raw = (
        head
        + b"\r\nTo: support@lifebuoy.test\r\nSubject: "
        + subject.encode()
        + b"\r\nMessage-ID: "
        + message_id.encode()
        + b"\r\nIn-Reply-To: "
        + in_reply_to.encode()
        + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease close it, all fixed.\r\n"
    )
    return inbound_email_receive(raw=raw, envelope_from="bounce@evil.example", now=now)


@pytest.fixture
def alices_ticket(alice: User, bob: User, lena: User, now: datetime) -> Ticket:
    head = b"From: Alice <alice@acme.example>"
    result = _send(
        head, subject="C2 is stuck", message_id="<t1@acme.example>", in_reply_to="", now=now
    )
    assert result.status == "created"
    return Ticket.objects.get(id=result.ticket_id)


def test_the_corpus_covers_at_least_twenty_spoof_forms():
    assert len(SPOOFS) >= 20
    assert len({name for name, _, _ in SPOOFS}) == len(SPOOFS)
    assert sum(1 for *_, expected in SPOOFS if expected == REFUSED) >= 10


@pytest.mark.parametrize(("name", "head", "expected"), SPOOFS, ids=[s[0] for s in SPOOFS])
def test_a_spoofed_sender_lands_as_the_literal_sender_or_is_refused(
    name, head, expected, alices_ticket, now
):
    result = _send(
        head,
        subject=f"Re: {alices_ticket.subject_token} C2 is stuck",
        message_id="<spoof@evil.example>",
        in_reply_to="<t1@acme.example>",
        now=now,
    )
    stored = InboundEmail.objects.get(message_id="<spoof@evil.example>")
    new_messages = list(Message.objects.select_related("author"))
    new_tickets = list(Ticket.objects.exclude(id=alices_ticket.id).select_related("requester"))
    if expected == REFUSED:
        assert (result.status, stored.status) == ("rejected", "rejected")
        assert stored.reason.startswith("no usable sender: "), stored.reason
        assert result.smtp_reply().startswith("550 5.7.1 no usable sender")
        assert (new_messages, new_tickets) == ([], [])
        return
    assert result.status in ("created", "attached"), stored.reason
    writers = {m.author.email for m in new_messages} | {t.requester.email for t in new_tickets}
    assert writers == {expected}
    if expected not in VICTIMS:
        assert not writers & VICTIMS
    # Mail never speaks for staff in public: at most an internal note marked unverified.
    for message in new_messages:
        if message.author.is_support_staff:
            assert (message.is_internal, message.unverified) == (True, True)
    alices_ticket.refresh_from_db()
    assert alices_ticket.status != "closed"


def test_a_spoofed_staff_reply_never_reaches_the_customer(alices_ticket, lena, now):
    head = b"From: =?utf-8?q?lena=40lifebuoy=2Etest=3E=2C_=3C?= <attacker@evil.example>"
    result = _send(
        head,
        subject=f"Re: {alices_ticket.subject_token}",
        message_id="<x1@evil.example>",
        in_reply_to="<t1@acme.example>",
        now=now,
    )
    assert result.status == "rejected"
    plain = b"From: Lena <lena@lifebuoy.test>"
    result = _send(
        plain,
        subject=f"Re: {alices_ticket.subject_token}",
        message_id="<x2@evil.example>",
        in_reply_to="<t1@acme.example>",
        now=now,
    )
    assert result.reason == "unverified mail from a staff address: kept as an internal note"
    assert not alices_ticket.messages.filter(is_internal=False).exists()


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
@pytest.mark.parametrize(
    "verdict",
    [
        "",  # no verdict at all
        "Authentication-Results: mx.lifebuoy.test; dmarc=fail header.from=lifebuoy.test",
        "Authentication-Results: mx.evil.example; dmarc=pass header.from=lifebuoy.test",
        "Authentication-Results: mx.lifebuoy.test; dkim=pass header.d=evil.example",
        "Authentication-Results: mx.lifebuoy.test; dmarc=pass header.from=evil.example",
        "Authentication-Results: mx.lifebuoy.test; dkim=pass header.d=test",
    ],
)
def test_with_a_trusted_server_only_its_pass_verdict_makes_a_staff_reply(
    verdict, alices_ticket, lena, now
):
    head = b"From: Lena <lena@lifebuoy.test>" + (b"\r\n" + verdict.encode() if verdict else b"")
    _send(
        head,
        subject="Re: hi",
        message_id="<v@lifebuoy.test>",
        in_reply_to="<t1@acme.example>",
        now=now,
    )
    message = alices_ticket.messages.get()
    assert (message.is_internal, message.unverified) == (True, True)


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
@pytest.mark.parametrize(
    "verdict",
    [
        "mx.lifebuoy.test; dmarc=pass header.from=lifebuoy.test",
        "mx.lifebuoy.test; spf=fail smtp.mailfrom=x.example; dkim=pass header.d=lifebuoy.test",
    ],
)
def test_a_staff_reply_the_trusted_server_vouches_for_is_public(verdict, alices_ticket, lena, now):
    head = b"From: Lena <lena@lifebuoy.test>\r\nAuthentication-Results: " + verdict.encode()
    _send(head, subject="Re: hi", message_id="<v@x>", in_reply_to="<t1@acme.example>", now=now)
    message = alices_ticket.messages.get()
    assert (message.author, message.is_internal, message.unverified) == (lena, False, False)


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
def test_only_the_topmost_verdict_of_the_trusted_server_counts(alices_ticket, lena, now):
    forged_below = (
        b"From: Lena <lena@lifebuoy.test>\r\n"
        b"Authentication-Results: mx.lifebuoy.test; dmarc=fail header.from=lifebuoy.test\r\n"
        b"Authentication-Results: mx.lifebuoy.test; dmarc=pass header.from=lifebuoy.test"
    )
    _send(forged_below, subject="Re", message_id="<v@x>", in_reply_to="<t1@acme.example>", now=now)
    assert alices_ticket.messages.get().is_internal


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
def test_customer_mail_failing_dmarc_is_kept_unverified_and_changes_nothing(
    alices_ticket, lena, now
):
    alices_ticket.status = "resolved"
    alices_ticket.save(update_fields=["status"])
    head = (
        b"From: Alice <alice@acme.example>\r\n"
        b"Authentication-Results: mx.lifebuoy.test; dmarc=fail header.from=acme.example"
    )
    for number, body in enumerate(["CONFIRMED", "It broke again"]):
        raw = (
            head
            + b"\r\nSubject: Re: x\r\nIn-Reply-To: <t1@acme.example>\r\nMessage-ID: <c"
            + str(number).encode()
            + b"@acme.example>\r\n\r\n"
            + body.encode()
        )
        assert inbound_email_receive(raw=raw, envelope_from=None, now=now).status == "attached"
    alices_ticket.refresh_from_db()
    assert alices_ticket.status == "resolved"  # neither closed by CONFIRMED nor reopened
    kept = list(alices_ticket.messages.values_list("unverified", "is_internal"))
    assert kept == [(True, False), (True, False)]
    assert "could not confirm" in alices_ticket.messages.last().body


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
def test_customer_mail_passing_dmarc_confirms_the_fix(alices_ticket, now):
    alices_ticket.status = "resolved"
    alices_ticket.save(update_fields=["status"])
    raw = (
        b"From: Alice <alice@acme.example>\r\n"
        b"Authentication-Results: mx.lifebuoy.test; dmarc=pass header.from=acme.example\r\n"
        b"Subject: Re: x\r\nIn-Reply-To: <t1@acme.example>\r\nMessage-ID: <c@acme.example>\r\n\r\n"
        b"CONFIRMED"
    )
    inbound_email_receive(raw=raw, envelope_from=None, now=now)
    alices_ticket.refresh_from_db()
    assert alices_ticket.status == "closed"


HONEST = [
    (b'"Smith, John" <JSmith@Acme.Example>', "jsmith@acme.example", "Smith, John"),
    (
        b"=?utf-8?Q?M=C3=BCller=2C_J=C3=B6rg?= <joerg@acme.example>",
        "joerg@acme.example",
        "Müller, Jörg",
    ),
    (
        b'"=?utf-8?Q?M=C3=BCller=2C_J=C3=B6rg?=" <joerg@acme.example>',
        "joerg@acme.example",
        "Müller, Jörg",
    ),
    (b"=?utf-8?q?J=C3=B6rg?=<joerg@acme.example>", "joerg@acme.example", "Jörg"),
    (b"=?UTF-8?B?0JjQstCw0L0=?= <ivan@acme.example>", "ivan@acme.example", "Иван"),
    ("Zoë Ångström <zoe@acme.example>".encode(), "zoe@acme.example", "Zoë Ångström"),
    (b"john.smith@acme.example (John Smith)", "john.smith@acme.example", ""),
    (b"Support <support+c2@acme.example>", "support+c2@acme.example", "Support"),
    (b"=?utf-8?q?J=C3=B6rg?=\r\n <joerg@acme.example>", "joerg@acme.example", "Jörg"),
]


@pytest.mark.parametrize(("head", "address", "name"), HONEST)
def test_what_real_mail_clients_send_is_read_as_its_sender(head, address, name, now, db):
    result = _send(
        b"From: " + head, subject="C2 down", message_id="<h@acme.example>", in_reply_to="", now=now
    )
    assert result.status == "created", result.reason
    requester = Ticket.objects.get(id=result.ticket_id).requester
    assert (requester.email, requester.full_name) == (address, name)
