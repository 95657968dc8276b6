"""The outbox against real servers on loopback: an aiosmtpd sink and a local HTTP receiver."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings

from lifebuoy.integrations.webhook.signing import verify
from lifebuoy.notifications.models import Delivery, DeliveryStatus, WebhookEndpoint
from lifebuoy.notifications.services import delivery as outbox
from lifebuoy.notifications.tasks import delivery_send, outbox_sweep
from lifebuoy.tickets.tests.factories import ticket_opened

from .loopback import free_port, http_receiver, json_body, smtp_sink

pytestmark = pytest.mark.django_db


def smtp_settings(port: int) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        LIFEBUOY_SMTP_TIMEOUT=5,
    )


def deliveries_of_new_tickets(alice, now, count: int) -> list[int]:
    """Alice opens ``count`` tickets; the ids of the deliveries they queued, oldest first."""
    for i in range(count):
        ticket_opened(alice, now, subject=f"Problem {i}", description="Details")
    return list(Delivery.objects.order_by("id").values_list("id", flat=True))


def attempt_all(ids: list[int], now) -> None:
    for delivery_id in ids:
        outbox.delivery_attempt(delivery_id=delivery_id, now=now)


def drain(now, *, rounds: int = 20) -> None:
    """What the beat and workers do: sweep, attempt each due delivery; bounded."""
    for _ in range(rounds):
        due = outbox.outbox_sweep(now=now)
        if not due:
            return
        for delivery_id in due:
            outbox.delivery_attempt(delivery_id=delivery_id, now=now)
    raise AssertionError("the outbox did not drain")


def test_smtp_down_then_up_delivers_every_message_exactly_once(alice, now):
    port = free_port()
    ids = deliveries_of_new_tickets(alice, now, 8)
    with smtp_settings(port):
        for delivery_id in ids:  # nothing listens yet
            assert outbox.delivery_attempt(delivery_id=delivery_id, now=now).outcome == "retry"
        assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}
        with smtp_sink(port) as (sink, _):
            drain(now + timedelta(minutes=1))
            drain(now + timedelta(minutes=2))  # nothing left: no second copies
    expected = set(Delivery.objects.values_list("message_id", flat=True))
    assert Counter(sink.message_ids()) == Counter(dict.fromkeys(expected, 1))
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    threaded = sink.messages[0]
    assert threaded["Subject"].startswith("[Ticket #")
    assert threaded.is_multipart()


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing in the worker catches it."""


def test_worker_killed_after_sending_loses_nothing_and_reuses_the_message_id(
    alice, now, monkeypatch
):
    ids = deliveries_of_new_tickets(alice, now, 6)
    real_mark_sent = outbox.delivery_mark_sent
    victim = ids[2]

    def killed_between_send_and_record(*, delivery, now):
        if delivery.id == victim:
            raise WorkerKilled
        return real_mark_sent(delivery=delivery, now=now)

    with smtp_sink() as (sink, port), smtp_settings(port):
        monkeypatch.setattr(outbox, "delivery_mark_sent", killed_between_send_and_record)
        with pytest.raises(WorkerKilled):
            attempt_all(ids, now)
        monkeypatch.setattr(outbox, "delivery_mark_sent", real_mark_sent)
        assert Delivery.objects.get(id=victim).status == DeliveryStatus.SENDING
        drain(now)  # the claim is still fresh: nobody touches the victim
        assert Delivery.objects.get(id=victim).status == DeliveryStatus.SENDING
        drain(now + timedelta(minutes=10))  # the claim expired: released and sent again
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    counts = Counter(sink.message_ids())
    victim_id = Delivery.objects.get(id=victim).message_id
    # No loss: every delivery arrived. The one in the at-least-once window arrived twice
    # with the same Message-ID, which is what mail clients collapse into one message.
    assert set(counts) == set(Delivery.objects.values_list("message_id", flat=True))
    assert counts.pop(victim_id) == 2
    assert set(counts.values()) == {1}
    copies = [m for m in sink.messages if m["Message-ID"] == victim_id]
    parts = [m.get_payload() for m in copies]
    first, second = ([p.get_payload(decode=True) for p in ps] for ps in parts)  # type: ignore[union-attr]  # multipart
    assert first == second
    assert copies[0]["Subject"] == copies[1]["Subject"]


def test_worker_killed_before_sending_sends_exactly_once(alice, now, monkeypatch):
    ids = deliveries_of_new_tickets(alice, now, 4)
    real = outbox._outgoing

    def killed(delivery):
        if delivery.id == ids[1]:
            raise WorkerKilled
        return real(delivery)

    with smtp_sink() as (sink, port), smtp_settings(port):
        monkeypatch.setattr(outbox, "_outgoing", killed)
        with pytest.raises(WorkerKilled):
            attempt_all(ids, now)
        monkeypatch.setattr(outbox, "_outgoing", real)
        drain(now + timedelta(minutes=10))
    assert Counter(sink.message_ids()).most_common(1)[0][1] == 1
    assert len(sink.messages) == 4


def test_the_celery_tasks_send_and_reschedule(alice, now, monkeypatch):
    scheduled = []
    monkeypatch.setattr(delivery_send, "apply_async", lambda *a, **kw: scheduled.append(kw))
    monkeypatch.setattr(delivery_send, "delay", lambda *a: scheduled.append(a))
    (delivery_id,) = deliveries_of_new_tickets(alice, now, 1)
    with smtp_settings(free_port()):
        Delivery.objects.filter(id=delivery_id).update(next_attempt_at=now - timedelta(days=1))
        assert delivery_send(delivery_id) == "retry"
    assert scheduled == [{"countdown": 30.0}]
    Delivery.objects.filter(id=delivery_id).update(next_attempt_at=now - timedelta(days=1))
    assert outbox_sweep() == 1
    with smtp_sink() as (sink, port), smtp_settings(port):
        assert delivery_send(delivery_id) == "sent"
    assert len(sink.messages) == 1


def test_slack_alert_goes_through_slack_sdk_and_retries_after_an_error(alice, now):
    with http_receiver(statuses=[500]) as (received, url):
        with override_settings(LIFEBUOY_SLACK_WEBHOOK_URL=url, LIFEBUOY_NOTIFY_EMAIL=False):
            ticket = ticket_opened(alice, now, subject="Everything is down", priority="P1")
        delivery = Delivery.objects.get(kind="slack")
        assert outbox.delivery_attempt(delivery_id=delivery.id, now=now).outcome == "retry"
        drain(now + timedelta(minutes=5))
    assert len(received) == 2
    body = json_body(received[1])
    assert f"/desk/tickets/{ticket.id}/" in body["text"]
    assert body["blocks"][0]["type"] == "section"


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)  # the receiver is plain http on 127.0.0.1
def test_webhooks_are_signed_and_carry_the_idempotency_key(alice, now):
    with http_receiver() as (received, url):
        WebhookEndpoint.objects.create(organization=alice.organization, url=url, secret="k3y")
        with override_settings(LIFEBUOY_NOTIFY_EMAIL=False):
            deliveries_of_new_tickets(alice, now, 1)
        drain(now)
    (request,) = received
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert verify("k3y", request["body"], headers["x-lifebuoy-signature-256"])
    assert not verify("wrong", request["body"], headers["x-lifebuoy-signature-256"])
    assert headers["x-lifebuoy-delivery"].startswith("webhook:")
    assert json_body(request)["event"] == "ticket.created"


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)
def test_a_permanent_webhook_error_is_not_retried(alice, now):
    with http_receiver(statuses=[410]) as (received, url):
        WebhookEndpoint.objects.create(organization=alice.organization, url=url, secret="k")
        with override_settings(LIFEBUOY_NOTIFY_EMAIL=False):
            (delivery_id,) = deliveries_of_new_tickets(alice, now, 1)
        assert outbox.delivery_attempt(delivery_id=delivery_id, now=now).outcome == "failed"
    assert len(received) == 1


def test_draining_a_dead_smtp_server_is_bounded_in_time(alice, now):
    ids = deliveries_of_new_tickets(alice, now, 3)
    started = time.monotonic()
    with smtp_settings(free_port()), override_settings(LIFEBUOY_OUTBOX_MAX_ATTEMPTS=4):
        at = now
        for _ in range(10):
            for delivery_id in ids:
                outbox.delivery_attempt(delivery_id=delivery_id, now=at)
            at += timedelta(hours=2)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"failed"}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {4}
    assert time.monotonic() - started < 10


def test_slack_through_a_bot_token_posts_to_the_channel(alice, now):
    with http_receiver(statuses=[200]) as (received, url):
        api = url.replace("/hook", "/api/")
        with override_settings(
            LIFEBUOY_SLACK_BOT_TOKEN="xoxb-test",
            LIFEBUOY_SLACK_CHANNEL="#support",
            LIFEBUOY_SLACK_API_URL=api,
            LIFEBUOY_NOTIFY_EMAIL=False,
        ):
            ticket_opened(alice, now, subject="Down", priority="P1")
            delivery = Delivery.objects.get(kind="slack")
            assert delivery.target == "#support"
            assert outbox.delivery_attempt(delivery_id=delivery.id, now=now).outcome == "sent"
    (request,) = received
    assert request["path"] == "/api/chat.postMessage"
    assert request["headers"]["Authorization"] == "Bearer xoxb-test"
    assert b"support" in request["body"]
