"""/api/webhooks: validation, the secret shown once, test events, and deleting endpoints."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import override_settings
from django.utils import timezone

from lifebuoy.integrations.webhook.signing import SIGNATURE_HEADER, verify
from lifebuoy.notifications.models import Delivery, DeliveryKind, WebhookEndpoint
from lifebuoy.notifications.services import delivery as outbox
from lifebuoy.notifications.services.webhooks import (
    MAX_ENDPOINTS_PER_ORGANIZATION,
    PINGS_PER_MINUTE,
    WEBHOOK_EVENTS,
    webhook_endpoint_create,
    webhook_endpoint_ping,
)
from lifebuoy.notifications.tasks import delivery_send
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

from .loopback import http_receiver, json_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_dns")]

URL = "https://hooks.acme.example/lifebuoy"
UNPROCESSABLE = HTTPStatus.UNPROCESSABLE_ENTITY
MINUTE = timedelta(minutes=1)


def create(client, **body):
    return client.post("/api/webhooks/", {"url": URL, **body}, content_type="application/json")


def webhook_deliveries():
    return Delivery.objects.filter(kind=DeliveryKind.WEBHOOK)


def test_create_returns_the_secret_once_and_lists_never_show_it(api, alice):
    client = api(alice)
    response = create(client, events=["ticket.created"])
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    secret = body["secret"]
    assert len(secret) >= 40
    assert WebhookEndpoint.objects.get(id=body["id"]).secret == secret
    assert body["events"] == ["ticket.created"]
    assert body["organization_id"] == alice.organization_id
    for path in ("/api/webhooks/", f"/api/webhooks/{body['id']}"):
        page = client.get(path)
        assert secret not in page.content.decode()
        assert "secret" not in page.content.decode()
    patched = client.patch(
        f"/api/webhooks/{body['id']}", {"is_active": False}, content_type="application/json"
    )
    assert secret not in patched.content.decode()


def test_rotating_the_secret_returns_a_new_one_and_stores_it(api, alice):
    client = api(alice)
    first = create(client).json()
    rotated = client.post(f"/api/webhooks/{first['id']}/rotate-secret").json()
    assert rotated["secret"] != first["secret"]
    assert WebhookEndpoint.objects.get(id=first["id"]).secret == rotated["secret"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "http://hooks.acme.example/x"}, {"url"}),
        ({"url": "https://10.0.0.1/x"}, {"url"}),
        ({"url": "https://169.254.169.254/latest"}, {"url"}),
        ({"url": "https://localhost/x"}, {"url"}),
        ({"url": "not a url"}, {"url"}),
        ({"url": "https://x.example/" + "a" * 600}, {"url"}),
        ({"events": ["ticket.deleted"]}, {"events"}),
        ({"events": "ticket.created"}, {"events"}),
        ({"url": "ftp://x", "events": ["nope"]}, {"url", "events"}),
        ({"is_active": "maybe"}, {"is_active"}),
    ],
)
def test_bad_input_is_422_with_one_message_per_field(api, alice, body, fields):
    response = create(api(alice), **body)
    assert response.status_code == UNPROCESSABLE, response.content
    assert set(response.json()["extra"]["fields"]) == fields
    assert not WebhookEndpoint.objects.exists()


def test_a_missing_url_is_a_field_error(api, alice):
    response = api(alice).post("/api/webhooks/", {}, content_type="application/json")
    assert response.status_code == UNPROCESSABLE
    assert set(response.json()["extra"]["fields"]) == {"url"}


def test_staff_must_name_the_organization(api, lena, alice):
    response = create(api(lena))
    assert response.status_code == UNPROCESSABLE
    assert set(response.json()["extra"]["fields"]) == {"organization_id"}
    created = create(api(lena), organization_id=alice.organization_id)
    assert created.status_code == HTTPStatus.CREATED


def test_updating_with_an_unknown_event_changes_nothing(api, alice):
    client = api(alice)
    endpoint = create(client, events=["ticket.created"]).json()
    response = client.patch(
        f"/api/webhooks/{endpoint['id']}",
        {"events": ["message.created", "ticket.exploded"], "is_active": False},
        content_type="application/json",
    )
    assert response.status_code == UNPROCESSABLE
    assert set(response.json()["extra"]["fields"]) == {"events"}
    stored = WebhookEndpoint.objects.get(id=endpoint["id"])
    assert (stored.events, stored.is_active) == (["ticket.created"], True)


def test_update_changes_only_what_is_given(api, alice):
    client = api(alice)
    endpoint = create(client, events=["ticket.created"]).json()
    response = client.patch(
        f"/api/webhooks/{endpoint['id']}",
        {"events": ["message.created", "ticket.created"]},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["events"] == ["ticket.created", "message.created"]
    assert response.json()["url"] == URL
    assert response.json()["is_active"] is True


def test_an_organization_has_a_limited_number_of_endpoints(api, alice):
    client = api(alice)
    for _ in range(MAX_ENDPOINTS_PER_ORGANIZATION):
        assert create(client).status_code == HTTPStatus.CREATED
    refused = create(client)
    assert refused.status_code == HTTPStatus.CONFLICT
    assert refused.json()["code"] == "webhook_limit"


def test_a_test_event_queues_exactly_one_delivery_after_commit(
    api, alice, django_capture_on_commit_callbacks, monkeypatch
):
    client = api(alice)
    endpoint = create(client).json()
    queued = []
    monkeypatch.setattr(delivery_send, "delay", lambda *args: queued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/webhooks/{endpoint['id']}/test")
    assert response.status_code == HTTPStatus.ACCEPTED
    delivery = webhook_deliveries().get()
    assert response.json() == {"delivery_id": delivery.id, "status": "pending"}
    assert delivery.payload["event"] == "ping"
    assert delivery.idempotency_key.startswith(f"webhook:{endpoint['id']}:ping:")
    assert queued == [(delivery.id,)]


def test_test_events_are_limited_per_minute(api, alice):
    client = api(alice)
    endpoint = create(client).json()
    path = f"/api/webhooks/{endpoint['id']}/test"
    answers = [client.post(path).status_code for _ in range(PINGS_PER_MINUTE + 1)]
    assert answers == [HTTPStatus.ACCEPTED] * PINGS_PER_MINUTE + [HTTPStatus.TOO_MANY_REQUESTS]
    assert webhook_deliveries().count() == PINGS_PER_MINUTE


def test_a_disabled_endpoint_gets_no_test_event(api, alice):
    client = api(alice)
    endpoint = create(client, is_active=False).json()
    response = client.post(f"/api/webhooks/{endpoint['id']}/test")
    assert response.status_code == HTTPStatus.CONFLICT
    assert not webhook_deliveries().exists()


def test_the_test_event_reaches_a_receiver_signed_with_the_secret(api, alice, now):
    client = api(alice)
    with (
        http_receiver() as (received, url),
        override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True),
    ):
        created = create(client, url=url).json()
        client.post(f"/api/webhooks/{created['id']}/test")
        delivery = webhook_deliveries().get()
        assert (
            outbox.delivery_attempt(delivery_id=delivery.id, now=timezone.now()).outcome == "sent"
        )
    assert len(received) == 1
    request = received[0]
    assert verify(created["secret"], request["body"], request["headers"][SIGNATURE_HEADER])
    assert request["headers"]["X-Lifebuoy-Delivery"] == delivery.idempotency_key
    assert request["headers"]["X-Lifebuoy-Event"] == "ping"
    body = json_body(request)
    assert body["event"] == "ping"
    assert body["webhook"] == {"id": created["id"], "events": []}
    assert "endpoint" not in body
    listed = client.get("/api/webhooks/").json()[0]["recent_deliveries"]
    assert [(d["event"], d["status"]) for d in listed] == [("ping", "sent")]


def test_after_a_rotation_deliveries_are_signed_with_the_new_secret(api, alice, now):
    client = api(alice)
    with (
        http_receiver() as (received, url),
        override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True),
    ):
        created = create(client, url=url).json()
        client.post(f"/api/webhooks/{created['id']}/test")
        secret = client.post(f"/api/webhooks/{created['id']}/rotate-secret").json()["secret"]
        outbox.delivery_attempt(delivery_id=webhook_deliveries().get().id, now=timezone.now())
    signature = received[0]["headers"][SIGNATURE_HEADER]
    assert verify(secret, received[0]["body"], signature)
    assert not verify(created["secret"], received[0]["body"], signature)


def test_deleting_an_endpoint_stops_deliveries_for_new_events(api, alice, now):
    client = api(alice)
    endpoint = create(client).json()
    ticket_opened(alice, now)  # also fills this process's configuration cache
    assert webhook_deliveries().count() == 1
    assert client.delete(f"/api/webhooks/{endpoint['id']}").status_code == HTTPStatus.NO_CONTENT
    ticket_opened(alice, now, subject="Another")
    assert webhook_deliveries().count() == 1
    assert client.get(f"/api/webhooks/{endpoint['id']}").status_code == HTTPStatus.NOT_FOUND


def test_a_delivery_queued_before_the_delete_is_not_sent(api, alice, now):
    client = api(alice)
    with (
        http_receiver() as (received, url),
        override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True),
    ):
        endpoint = create(client, url=url).json()
        ticket_opened(alice, now)
        client.delete(f"/api/webhooks/{endpoint['id']}")
        delivery = webhook_deliveries().get()
        assert (
            outbox.delivery_attempt(delivery_id=delivery.id, now=timezone.now()).outcome == "failed"
        )
    assert received == []


def test_disabling_an_endpoint_stops_deliveries_at_once(api, alice, now):
    client = api(alice)
    endpoint = create(client).json()
    ticket_opened(alice, now)
    client.patch(
        f"/api/webhooks/{endpoint['id']}", {"is_active": False}, content_type="application/json"
    )
    ticket_opened(alice, now, subject="Another")
    assert webhook_deliveries().count() == 1


def test_the_event_names_offered_are_exactly_what_the_outbox_sends(alice, ted, now):
    webhook_endpoint_create(actor=alice, organization=alice.organization, url=URL, events=[])
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=ted, body="Try a restart.", now=now)
    sent = {d.payload["event"] for d in webhook_deliveries()}
    assert sent == set(WEBHOOK_EVENTS)


def test_an_endpoint_receives_only_the_events_it_chose(api, alice, ted, now):
    create(api(alice), events=["message.created"])
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=ted, body="Try a restart.", now=now)
    assert [d.payload["event"] for d in webhook_deliveries()] == ["message.created"]


def test_the_list_shows_each_endpoints_latest_five_deliveries_in_constant_queries(
    api, alice, now, django_assert_num_queries
):
    client = api(alice)
    ids = [create(client).json()["id"] for _ in range(3)]
    endpoints = {e.id: e for e in WebhookEndpoint.objects.all()}
    for minute in range(7):
        webhook_endpoint_ping(endpoint=endpoints[ids[0]], actor=alice, now=now + minute * MINUTE)
    webhook_endpoint_ping(endpoint=endpoints[ids[2]], actor=alice, now=now)
    with django_assert_num_queries(3):  # the token, the endpoints, their deliveries
        listed = client.get("/api/webhooks/").json()
    counts = [len(e["recent_deliveries"]) for e in listed]
    assert counts == [5, 0, 1]
    newest = webhook_deliveries().filter(idempotency_key__startswith=f"webhook:{ids[0]}:")
    expected = list(newest.order_by("-id").values_list("id", flat=True)[:5])
    assert [d["id"] for d in listed[0]["recent_deliveries"]] == expected
