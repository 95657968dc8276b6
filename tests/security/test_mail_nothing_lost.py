"""After a 250, mail is a ticket, a reply or a logged reason; a Message-ID alone decides nothing."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from lifebuoy.notifications.inbound.services import inbound_email_receive, inbound_log_purge
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.notifications.tests.mailmaker import mail
from lifebuoy.tickets.models import Ticket

pytestmark = pytest.mark.django_db

AWKWARD = Path(__file__).parent / "fixtures" / "mail"


def receive(raw: bytes, now, envelope_from: str | None = "sender@example.net"):
    return inbound_email_receive(raw=raw, envelope_from=envelope_from, now=now)


def _awkward_extras() -> list[bytes]:
    """Messages the file corpus lacks: built here, byte for byte the same on every run."""
    extras: list[bytes] = []
    only_file = EmailMessage()
    only_file["From"] = "alice@acme.example"
    only_file["Subject"] = "Only a file"
    only_file["Message-ID"] = "<only-file@acme.example>"
    only_file.add_attachment(b"c2 log", maintype="text", subtype="plain", filename="c2.log")
    extras.append(only_file.as_bytes())
    forwarded = EmailMessage()
    forwarded["From"] = "alice@acme.example"
    forwarded["Subject"] = "Fwd: nested"
    forwarded["Message-ID"] = "<fwd-nested@acme.example>"
    forwarded.set_content("See below.")
    inner = EmailMessage()
    inner["From"] = "c1@agents.example"
    inner["Subject"] = "heartbeat"
    inner.set_content("C1 missed three heartbeats.")
    forwarded.add_attachment(inner)
    extras.append(forwarded.as_bytes())
    extras.append(b"From: alice@acme.example\r\nSubject: no body at all\r\n\r\n")
    extras.append(b"\r\n\r\n")  # headers missing entirely
    extras.extend(  # a loop: the same auto-reply over and over
        b"From: robot@acme.example\r\nAuto-Submitted: auto-replied\r\nSubject: Re: Re: x\r\n"
        b"Message-ID: <loop" + str(number).encode() + b"@acme.example>\r\n\r\nOut of office."
        for number in range(50)
    )
    return extras


def test_every_accepted_message_becomes_a_ticket_a_reply_or_a_logged_reason(alice, bob, now):
    corpus = [path.read_bytes() for path in sorted(AWKWARD.glob("*.eml"))] + _awkward_extras()
    assert len(corpus) >= 40 + 50
    for raw in corpus:
        receive(raw, now)
        receive(raw, now)  # and each a second time
    rows = list(InboundEmail.objects.defer("raw"))
    assert len(rows) == 2 * len(corpus)
    silent = [r.id for r in rows if r.status not in ("created", "attached") and not r.reason]
    assert silent == []
    assert not [r.id for r in rows if r.status in ("received", "failed")]
    for row in rows:
        if row.status in ("created", "attached"):
            assert row.ticket_id is not None


def test_someone_elses_message_id_does_not_swallow_the_customers_mail(alice, now):
    stolen_id = "<planned-announcement@acme.example>"
    early, _ = mail(sender="attacker@evil.example", subject="first", message_id=stolen_id)
    receive(early, now)
    real, _ = mail(sender="Alice <alice@acme.example>", subject="C2 down", message_id=stolen_id)
    result = receive(real, now)
    assert result.status == "created"
    assert Ticket.objects.get(id=result.ticket_id).requester == alice


def test_the_same_senders_second_copy_is_a_logged_duplicate(alice, now):
    raw, _ = mail(sender="alice@acme.example", subject="C2 down")
    first = receive(raw, now)
    again = receive(raw, now)
    assert (again.status, again.ticket_id) == ("duplicate", first.ticket_id)
    copy = InboundEmail.objects.get(status="duplicate")
    assert copy.reason.startswith("duplicate of message ")
    assert copy.reason.endswith("(the same bytes)")
    assert Ticket.objects.count() == 1


def test_a_reply_threaded_to_a_ticket_the_sender_may_not_write_falls_back_to_its_token(
    alice, charlie, now
):
    theirs, charlies_id = mail(sender="charlie@globex.example", subject="Globex outage")
    receive(theirs, now)
    mine, _ = mail(sender="alice@acme.example", subject="C2 down")
    own = Ticket.objects.get(id=receive(mine, now).ticket_id)
    reply, _ = mail(
        sender="alice@acme.example",
        subject=f"Re: {own.subject_token} C2 down",
        in_reply_to=charlies_id,
    )
    result = receive(reply, now)
    assert (result.status, result.ticket_id) == ("attached", own.id)
    assert Ticket.objects.count() == 2


@override_settings(LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR=1)
def test_a_reply_to_a_closed_ticket_is_never_rate_capped(alice, now):
    raw, first_id = mail(sender="alice@acme.example", subject="C2 down")
    ticket = Ticket.objects.get(id=receive(raw, now).ticket_id)
    Ticket.objects.filter(id=ticket.id).update(status="closed", resolved_at=now, closed_at=now)
    reply, _ = mail(sender="alice@acme.example", subject="Re: C2 down", in_reply_to=first_id)
    result = receive(reply, now + timedelta(days=settings.LIFEBUOY_REOPEN_DAYS + 1))
    assert result.status == "created"
    follow_up = Ticket.objects.get(id=result.ticket_id)
    assert follow_up.description.startswith(f"Follow-up to {ticket.number}")
    another, _ = mail(sender="alice@acme.example", subject="Something else")
    assert receive(another, now).reason == "too many new tickets from this sender"


def test_a_forwarded_message_is_quoted_and_kept_as_an_eml_file(alice, now):
    receive((AWKWARD / "32_forwarded_rfc822.eml").read_bytes(), now)
    ticket = Ticket.objects.get()
    assert "Forwarding the alert" in ticket.description
    assert "> No heartbeat from C1 for 15 minutes." in ticket.description
    assert "C1 heartbeat missing" in ticket.description
    files = [a for m in ticket.messages.all() for a in m.attachments.all()]
    assert [f.filename for f in files] == ["forwarded-1.eml"]
    assert b"No heartbeat from C1" in files[0].file.read()


def test_raw_utf8_headers_read_as_utf8(alice, now):
    raw = (
        "From: Zoë Ångström <alice@acme.example>\r\nSubject: Grüße – Agent hängt\r\n"
        "Message-ID: <u8@acme.example>\r\n\r\nhi\r\n"
    ).encode()
    receive(raw, now)
    assert Ticket.objects.get().subject == "Grüße – Agent hängt"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_leads_see_every_refusal_with_its_reason_and_download_the_raw_mail(
    alice, bob, lena, now, settings
):
    refused = (
        b"From: =?utf-8?q?alice=40acme=2Eexample?= <x@evil.example>\r\nSubject: spoof\r\n\r\nhi"
    )
    receive(refused, now)
    row = InboundEmail.objects.get()
    page = _signed_in(lena).get("/desk/inbound/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "address syntax is hidden in an encoded-word" in text
    assert "spoof" in text
    download = _signed_in(lena).get(f"/desk/inbound/{row.id}/raw/")
    assert download.status_code == 200
    assert download.content == refused
    assert download["Content-Disposition"] == f'attachment; filename="inbound-{row.id}.eml"'
    assert _signed_in(lena).get("/desk/inbound/?kind=nonsense").status_code == 400
    for outsider in (bob, alice):
        assert _signed_in(outsider).get("/desk/inbound/").status_code == 403
        assert _signed_in(outsider).get(f"/desk/inbound/{row.id}/raw/").status_code == 403
    assert Client().get("/desk/inbound/").status_code == 302


def test_raw_mail_in_the_log_expires_after_thirty_days(alice, lena, now, settings):
    receive(b"From: nobody\r\nSubject: junk\r\n\r\nhi", now - timedelta(days=31))
    receive(b"From: nobody\r\nSubject: fresh junk\r\n\r\nhi", now - timedelta(days=1))
    old, new = InboundEmail.objects.order_by("received_at")
    assert inbound_log_purge(now=now) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert (bytes(old.raw), bool(bytes(new.raw))) == (b"", True)
    assert "expired" in _signed_in(lena).get("/desk/inbound/").content.decode()
    assert _signed_in(lena).get(f"/desk/inbound/{old.id}/raw/").status_code == 404
