"""Replies find their ticket the way real mail clients thread, and loops stay bounded."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.models import Delivery, InboundEmail
from lifebuoy.notifications.selectors import thread_headers
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update

from .mailmaker import mail

pytestmark = pytest.mark.django_db


def receive(raw: bytes, now, envelope_from: str = "alice@acme.example"):
    return inbound_email_receive(raw=raw, envelope_from=envelope_from, now=now)


def open_by_mail(now, **kw):
    raw, message_id = mail(**kw)
    result = receive(raw, now)
    assert result.status == "created"
    return Ticket.objects.get(id=result.ticket_id), message_id


def test_gmail_style_conversation_threads_both_ways(alice, bob, now):
    ticket, first_id = open_by_mail(now)
    ack = Delivery.objects.get(ticket=ticket)
    assert thread_headers(ticket_id=ticket.id, own_message_id=ack.message_id) == (
        first_id,
        [first_id],
    )
    reply = message_add(ticket=ticket, author=bob, body="Please restart C2.", now=now)
    agent_mail = Delivery.objects.get(idempotency_key=f"email:message:{reply.id}")
    raw, second_id = mail(
        subject=f"Re: {ticket.subject_token} C2 is stuck",
        body="Restarted, still stuck.\n\nOn Tue, Bob wrote:\n> Please restart C2.",
        in_reply_to=agent_mail.message_id,
        references=[first_id, ack.message_id, agent_mail.message_id],
    )
    assert receive(raw, now + timedelta(minutes=5)).status == "attached"
    answer = ticket.messages.order_by("id").last()
    assert answer.author == alice
    assert answer.body == "Restarted, still stuck."  # quoted history cut off
    third = message_add(
        ticket=ticket, author=bob, body="Escalating.", now=now + timedelta(minutes=10)
    )
    third_mail = Delivery.objects.get(idempotency_key=f"email:message:{third.id}")
    in_reply_to, refs = thread_headers(ticket_id=ticket.id, own_message_id=third_mail.message_id)
    assert in_reply_to == second_id
    assert refs[0] == first_id
    assert agent_mail.message_id in refs


def test_outlook_style_reply_without_references_matches_by_subject_token(alice, now):
    ticket, _ = open_by_mail(now)
    raw, _ = mail(
        subject=f"RE: {ticket.subject_token} C2 is stuck",
        body="Adding the log.\n\n-----Original Message-----\nFrom: Support",
        headers={"Thread-Index": "AQHZ1234567890"},
    )
    assert receive(raw, now).ticket_id == ticket.id
    assert ticket.messages.get().body == "Adding the log."


def test_apple_mail_style_reply_with_a_new_subject_matches_by_in_reply_to(alice, now):
    ticket, first_id = open_by_mail(now)
    raw, _ = mail(subject="something else entirely", in_reply_to=first_id)
    assert receive(raw, now).ticket_id == ticket.id


@override_settings(LIFEBUOY_REOPEN_DAYS=14)
def test_a_reply_reopens_a_solved_ticket_within_the_window_and_opens_a_follow_up_after(
    alice, bob, now
):
    ticket, _ = open_by_mail(now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body="It came back.")
    assert receive(raw, now).status == "attached"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.OPEN, 1)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="closed"), now=now)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body="Back again.")
    assert receive(raw, now + timedelta(days=13)).ticket_id == ticket.id
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.OPEN, 2)
    later = now + timedelta(days=13)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=later)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="closed"), now=later)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body="Again!")
    result = receive(raw, later + timedelta(days=14, minutes=1))
    assert result.status == "created"
    follow_up = Ticket.objects.get(id=result.ticket_id)
    assert follow_up.follow_up_of == ticket
    assert follow_up.description.startswith(f"Follow-up to {ticket.number}")
    assert follow_up.subject == "C2 is stuck"
    assert follow_up.channel == "email"
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body="And more.")
    assert receive(raw, later + timedelta(days=15)).ticket_id == follow_up.id  # joins it


def test_a_stranger_cannot_write_on_someone_elses_ticket_by_guessing_its_token(
    alice, charlie, carol, now
):
    ticket, _ = open_by_mail(now)
    raw, _ = mail(sender="charlie@globex.example", subject=f"Re: {ticket.subject_token} hi")
    result = receive(raw, now)
    assert (result.status, Ticket.objects.count()) == ("created", 2)
    assert not ticket.messages.exists()
    colleague, _ = mail(sender="carol@acme.example", subject=f"Re: {ticket.subject_token} hi")
    assert receive(colleague, now).ticket_id == ticket.id


@override_settings(LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID="mx.lifebuoy.test")
def test_an_agent_answers_by_email_when_the_trusted_server_vouches_and_the_customer_is_emailed(
    alice, bob, now
):
    ticket, first_id = open_by_mail(now)
    verdict = {"Authentication-Results": "mx.lifebuoy.test; dmarc=pass header.from=lifebuoy.test"}
    raw, _ = mail(
        sender="Bob <bob@lifebuoy.test>", subject="Re: x", in_reply_to=first_id, headers=verdict
    )
    assert receive(raw, now).status == "attached"
    message = ticket.messages.get()
    assert (message.author, message.is_internal, message.unverified) == (bob, False, False)
    assert Delivery.objects.filter(idempotency_key=f"email:message:{message.id}").exists()


def test_unverified_mail_from_a_staff_address_is_an_internal_note_sent_to_no_one(alice, bob, now):
    ticket, first_id = open_by_mail(now)
    sent_before = Delivery.objects.filter(target="alice@acme.example").count()
    raw, _ = mail(sender="Bob <bob@lifebuoy.test>", subject="Re: x", in_reply_to=first_id)
    result = receive(raw, now)
    assert (result.status, result.reason) == (
        "attached",
        "unverified mail from a staff address: kept as an internal note",
    )
    message = ticket.messages.get()
    assert (message.author, message.is_internal, message.unverified) == (bob, True, True)
    assert message.body.startswith("**Unverified mail from a staff address** (bob@lifebuoy.test)")
    assert Delivery.objects.filter(target="alice@acme.example").count() == sent_before
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


def test_an_autoresponder_ping_pong_ends_after_one_round(alice, now):
    """A naive autoresponder (no Auto-Submitted) answers everything it receives. Our
    acknowledgement is the only automatic mail we send; its answer joins the ticket and
    triggers nothing, so the exchange stops. Bounded in count and in time."""
    started = time.monotonic()
    raw, _ = mail(sender="robot@acme.example", subject="Report")
    User.objects.create_user(
        "robot@acme.example", None, role=Role.CUSTOMER, organization=alice.organization
    )
    outgoing = 0
    inbound = [raw]
    for _ in range(50):
        if not inbound:
            break
        receive(inbound.pop(), now, envelope_from="robot@acme.example")
        for delivery in Delivery.objects.filter(status="pending", target="robot@acme.example"):
            Delivery.objects.filter(id=delivery.id).update(status="sent")
            outgoing += 1
            # The robot answers our mail, quoting the subject and threading properly.
            inbound.append(
                mail(
                    sender="robot@acme.example",
                    subject="Re: " + delivery.payload["subject"],
                    in_reply_to=delivery.message_id,
                )[0]
            )
    assert not inbound
    assert outgoing == 1
    assert Ticket.objects.count() == 1
    assert time.monotonic() - started < 5


def test_a_compliant_autoresponder_never_reaches_a_ticket(alice, now):
    ticket, first_id = open_by_mail(now)
    raw, _ = mail(
        subject="Automatic reply: C2 is stuck",
        in_reply_to=first_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    assert receive(raw, now).status == "ignored"
    assert not ticket.messages.exists()


@override_settings(LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR=5)
def test_a_flood_of_new_mail_from_one_sender_is_capped(alice, now):
    results = [receive(mail(subject=f"Alert {i}")[0], now).status for i in range(12)]
    assert results.count("created") == 5
    assert results.count("ignored") == 7
    later = now + timedelta(hours=2)
    assert receive(mail(subject="Fresh")[0], later).status == "created"


def test_a_message_that_failed_processing_is_kept_and_retried(alice, now, monkeypatch):
    from lifebuoy.notifications.inbound import services as inbound

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound, "ticket_create", broken)
    raw, _ = mail(subject="Kept")
    assert receive(raw, now).status == "failed"
    stored = InboundEmail.objects.get()
    assert (stored.status, stored.reason) == ("failed", "RuntimeError: disk full")
    monkeypatch.undo()
    call_command("outbox_retry", stdout=io.StringIO())
    stored.refresh_from_db()
    assert stored.status == "created"
    assert Ticket.objects.get().subject == "Kept"


def test_a_failing_post_commit_hook_does_not_mark_a_committed_ticket_as_failed(
    alice, now, monkeypatch
):
    """Another app's on-commit hook may raise after our work committed; the stored outcome
    must stay "created", or a retry would open the ticket twice."""
    from contextlib import contextmanager

    from django.db import transaction

    from lifebuoy.notifications.inbound import services as inbound

    calls = []

    class HookFailsAfterCommit:
        @staticmethod
        @contextmanager
        def atomic():
            calls.append(1)
            with transaction.atomic():
                yield
            if len(calls) == 2:  # the first block stores the raw mail, the second processes it
                raise RuntimeError("an on-commit hook failed")

    monkeypatch.setattr(inbound, "transaction", HookFailsAfterCommit)
    raw, _ = mail(subject="Committed")
    result = receive(raw, now)
    assert result.status == "created"
    assert InboundEmail.objects.get().status == "created"
    assert Ticket.objects.count() == 1


def test_mail_stored_by_a_gateway_that_then_died_is_processed_once_by_the_sweep(
    alice, now, monkeypatch
):
    from lifebuoy.notifications.inbound import services as inbound
    from lifebuoy.notifications.inbound.tasks import inbound_retry

    raw, _ = mail(subject="Stored, then the gateway died")
    inbound.inbound_email_store(raw=raw, envelope_from="alice@acme.example", now=now)
    assert inbound.inbound_email_retry(now=now + timedelta(minutes=1)) == 0  # too recent
    real = inbound.inbound_email_process
    overlapping = []

    def with_a_second_run_overlapping(*, inbound, now):
        overlapping.append(inbound_email_retry_again(now))
        return real(inbound=inbound, now=now)

    def inbound_email_retry_again(now):
        return inbound.inbound_email_retry(now=now)

    monkeypatch.setattr(inbound, "inbound_email_process", with_a_second_run_overlapping)
    assert inbound.inbound_email_retry(now=now + timedelta(minutes=10)) == 1
    assert overlapping == [0]  # the overlapping run found the message already claimed
    monkeypatch.undo()
    assert Ticket.objects.get().subject == "Stored, then the gateway died"
    assert inbound_retry() == 0


def test_replying_confirmed_to_a_resolved_ticket_confirms_the_fix_and_closes_it(alice, bob, now):
    ticket, _ = open_by_mail(now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    body = "Confirmed!\n\nOn Tue, Lifebuoy wrote:\n> If the fix works for you, reply CONFIRMED"
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body=body)
    assert receive(raw, now).status == "attached"
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.events.filter(field="status", new_value="closed", actor=alice).exists()


def test_confirmed_means_nothing_while_the_ticket_is_still_open(alice, now):
    ticket, _ = open_by_mail(now)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} C2 is stuck", body="confirmed")
    receive(raw, now)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.messages.filter(body__startswith="confirmed").exists()


def test_a_longer_reply_to_a_resolved_ticket_still_reopens_it(alice, bob, now):
    ticket, _ = open_by_mail(now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} x", body="Confirmed it is still broken")
    receive(raw, now)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
