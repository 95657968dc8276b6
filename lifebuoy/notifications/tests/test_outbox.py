from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings

from lifebuoy.core.tasks import enqueue_batch
from lifebuoy.notifications.models import (
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    MailReference,
    WebhookEndpoint,
)
from lifebuoy.notifications.services import delivery as outbox
from lifebuoy.notifications.tasks import delivery_send
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_a_new_ticket_writes_its_acknowledgement_in_the_same_transaction(
    alice, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = ticket_opened(alice, now, subject="C2 stopped committing")
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.target, delivery.status) == ("email", alice.email, "pending")
    assert delivery.idempotency_key == f"email:ticket-created:{ticket.id}"
    assert delivery.message_id.startswith(f"<lifebuoy.{ticket.id}.")
    assert delivery.payload["subject"] == f"[Ticket #{ticket.id}] C2 stopped committing"
    assert delivery.payload["headers"] == {"Auto-Submitted": "auto-replied"}
    assert MailReference.objects.get().message_id == delivery.message_id
    # The task is queued only once the ticket is committed.
    with (
        mock.patch.object(delivery_send, "delay") as delay,
        mock.patch.object(enqueue_batch, "delay", side_effect=enqueue_batch),
    ):
        for callback in callbacks:
            callback()
    delay.assert_any_call(delivery.id)


def test_a_ticket_opened_by_monitoring_sends_no_acknowledgement(alice, now):
    ticket_opened(alice, now, channel="monitoring")
    assert not Delivery.objects.filter(kind=DeliveryKind.EMAIL).exists()


def test_nothing_is_queued_when_the_transaction_rolls_back(alice, now):
    def fails_after_creating() -> None:
        with transaction.atomic():
            ticket_opened(alice, now)
            raise RuntimeError("failed after creating")

    with pytest.raises(RuntimeError, match="failed after creating"):
        fails_after_creating()
    assert not Delivery.objects.exists()


def test_only_a_public_staff_reply_emails_the_requester(alice, bob, now):
    ticket = ticket_opened(alice, now, subject="C2 stopped committing")
    message_add(ticket=ticket, author=bob, body="Internal: check C3", is_internal=True, now=now)
    message_add(ticket=ticket, author=alice, body="Any news?", now=now)
    assert Delivery.objects.count() == 1
    reply = message_add(ticket=ticket, author=bob, body="**Restart** C2, please.", now=now)
    delivery = Delivery.objects.get(idempotency_key=f"email:message:{reply.id}")
    assert delivery.payload["subject"] == f"Re: [Ticket #{ticket.id}] C2 stopped committing"
    assert "**Restart** C2" in delivery.payload["text"]
    assert "<strong>Restart</strong>" in delivery.payload["html"]
    assert "Internal" not in str(list(Delivery.objects.values_list("payload", flat=True)))


def test_an_email_carries_threading_headers_and_both_parts(alice, bob, now):
    ticket = ticket_opened(alice, now)
    ack = Delivery.objects.get()
    reply = message_add(ticket=ticket, author=bob, body="Looking into it.", now=now)
    for delivery in Delivery.objects.order_by("id"):
        assert outbox.delivery_attempt(delivery_id=delivery.id, now=now).outcome == "sent"
    first, second = (m.message() for m in mail.outbox)
    assert first["Message-ID"] == ack.message_id
    assert first["In-Reply-To"] is None
    assert first["Auto-Submitted"] == "auto-replied"
    sent_reply = Delivery.objects.get(idempotency_key=f"email:message:{reply.id}")
    assert second["Message-ID"] == sent_reply.message_id
    assert second["In-Reply-To"] == ack.message_id
    assert second["References"] == ack.message_id
    assert second["Auto-Submitted"] is None
    assert second["Subject"].startswith(f"Re: [Ticket #{ticket.id}]")
    assert [p.get_content_type() for p in second.get_payload()] == ["text/plain", "text/html"]
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_a_claimed_delivery_is_sent_by_one_worker_only(alice, now):
    ticket_opened(alice, now)
    delivery = Delivery.objects.get()
    assert outbox.delivery_claim(delivery_id=delivery.id, now=now) is not None
    assert outbox.delivery_claim(delivery_id=delivery.id, now=now) is None
    assert outbox.delivery_attempt(delivery_id=delivery.id, now=now).outcome == "skipped"
    assert mail.outbox == []


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port: nothing listens, the connection is refused
    LIFEBUOY_SMTP_TIMEOUT=2,
    LIFEBUOY_OUTBOX_MAX_ATTEMPTS=3,
)
def test_failures_back_off_exponentially_then_give_up(alice, now):
    ticket_opened(alice, now)
    delivery = Delivery.objects.get()
    at = now
    delays = []
    for _ in range(3):
        attempt = outbox.delivery_attempt(delivery_id=delivery.id, now=at)
        assert outbox.delivery_attempt(delivery_id=delivery.id, now=at).outcome == "skipped"
        delays.append(attempt.retry_in)
        at += timedelta(hours=2)
    delivery.refresh_from_db()
    assert delays == [30.0, 60.0, None]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.last_error
    assert outbox.delivery_retry_failed(now=at) == 1


def test_the_sweep_releases_stuck_claims_and_lists_due_deliveries(alice, now):
    ticket_opened(alice, now)
    delivery = Delivery.objects.get()
    outbox.delivery_claim(delivery_id=delivery.id, now=now)
    assert outbox.outbox_sweep(now=now + timedelta(seconds=10)) == []
    later = now + timedelta(minutes=6)
    assert outbox.outbox_sweep(now=later) == [delivery.id]
    assert outbox.delivery_attempt(delivery_id=delivery.id, now=later).outcome == "sent"


@override_settings(LIFEBUOY_SLACK_WEBHOOK_URL="http://127.0.0.1:9/hook")
def test_p1_tickets_alert_slack_with_a_link_back(alice, now):
    ticket = ticket_opened(alice, now, priority="P1")
    slack = Delivery.objects.get(kind=DeliveryKind.SLACK)
    assert f"/desk/tickets/{ticket.id}/" in slack.payload["text"]
    ticket_opened(alice, now, priority="P2")
    assert Delivery.objects.filter(kind=DeliveryKind.SLACK).count() == 1


def test_webhooks_go_to_the_organizations_endpoints_that_want_the_event(alice, charlie, bob, now):
    WebhookEndpoint.objects.create(
        organization=alice.organization, url="https://acme.example/h", secret="s"
    )
    WebhookEndpoint.objects.create(
        organization=alice.organization,
        url="https://acme.example/only-messages",
        secret="s",
        events=["message.created"],
    )
    WebhookEndpoint.objects.create(
        organization=charlie.organization, url="https://globex.example/h", secret="s"
    )
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=bob, body="Hello", now=now)
    message_add(ticket=ticket, author=bob, body="secret", is_internal=True, now=now)
    hooks = Delivery.objects.filter(kind=DeliveryKind.WEBHOOK)
    assert sorted((d.target, d.payload["event"]) for d in hooks) == [
        ("https://acme.example/h", "message.created"),
        ("https://acme.example/h", "ticket.created"),
        ("https://acme.example/only-messages", "message.created"),
    ]


@override_settings(LIFEBUOY_SLACK_WEBHOOK_URL="http://127.0.0.1:9/hook")
def test_sla_events_become_slack_alerts_once_per_clock_and_kind(alice, now):
    from lifebuoy.notifications.services.alerts import notifications_on_sla_event
    from lifebuoy.sla.events import SlaEvent, SlaEventKind

    ticket = ticket_opened(alice, now)
    for kind in (SlaEventKind.AT_RISK, SlaEventKind.BREACHED, SlaEventKind.BREACHED):
        notifications_on_sla_event(
            SlaEvent(
                kind=kind,
                ticket_id=ticket.id,
                clock_id=77,
                clock_kind="first_response",
                due_at=now,
                occurred_at=now,
            )
        )
    alerts = Delivery.objects.filter(kind=DeliveryKind.SLACK).order_by("id")
    assert [a.idempotency_key for a in alerts] == ["slack:sla:at_risk:77", "slack:sla:breached:77"]
    assert f"/desk/tickets/{ticket.id}/" in alerts[1].payload["blocks"][0]["text"]["text"]


@override_settings(LIFEBUOY_EMAIL_ATTACHMENTS_MAX_BYTES=100)
def test_an_agents_files_go_along_with_the_emailed_reply_within_the_budget(alice, bob, now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = ticket_opened(alice, now)
    files = [
        SimpleUploadedFile("fix.patch", b"--- a\n+++ b\n", content_type="text/x-diff"),
        SimpleUploadedFile("huge.log", b"x" * 500, content_type="text/plain"),
    ]
    reply = message_add(ticket=ticket, author=bob, body="", files=files, now=now)
    delivery = Delivery.objects.get(idempotency_key=f"email:message:{reply.id}")
    assert outbox.delivery_attempt(delivery_id=delivery.id, now=now).outcome == "sent"
    (sent,) = mail.outbox
    assert [(name, content) for name, content, _ in sent.attachments] == [
        ("fix.patch", "--- a\n+++ b\n")
    ]


@override_settings(LIFEBUOY_SLACK_WEBHOOK_URL="http://127.0.0.1:9/hook")
def test_a_ticket_raised_to_p1_alerts_slack_once(alice, bob, now):
    from lifebuoy.tickets.services import TicketChanges, ticket_update

    ticket = ticket_opened(alice, now, priority="P3")
    assert not Delivery.objects.filter(kind=DeliveryKind.SLACK).exists()
    for priority in ("P1", "P2", "P1"):
        ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(priority=priority), now=now)
    (alert,) = Delivery.objects.filter(kind=DeliveryKind.SLACK)
    assert alert.idempotency_key == f"slack:p1:{ticket.id}"


def test_automatic_notices_are_marked_so_autoresponders_stay_quiet(alice, bob, now):
    ticket = ticket_opened(alice, now)
    notice = message_add(ticket=ticket, author=bob, body="Escalated.", is_automatic=True, now=now)
    reply = message_add(ticket=ticket, author=bob, body="Hello.", now=now)
    by_key = {d.idempotency_key: d.payload["headers"] for d in Delivery.objects.all()}
    assert by_key[f"email:message:{notice.id}"] == {"Auto-Submitted": "auto-generated"}
    assert by_key[f"email:message:{reply.id}"] == {}


def test_resolving_asks_the_customer_to_confirm_by_replying(alice, bob, now):
    from lifebuoy.tickets.services import TicketChanges, ticket_update

    ticket = ticket_opened(alice, now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    notice = Delivery.objects.get(idempotency_key__startswith=f"email:resolved:{ticket.id}:")
    assert notice.target == alice.email
    assert notice.payload["subject"].startswith(f"Resolved: [Ticket #{ticket.id}]")
    assert "reply with the single word CONFIRMED" in notice.payload["text"]
