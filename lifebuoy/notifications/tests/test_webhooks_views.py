"""The webhooks page: forms and their errors, the secret shown once, escaping, test events."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.accounts.models import Organization
from lifebuoy.notifications.models import Delivery, DeliveryKind, DeliveryStatus, WebhookEndpoint
from lifebuoy.notifications.services.webhooks import webhook_endpoint_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_dns")]

URL = "https://hooks.acme.example/lifebuoy"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_adding_an_endpoint_shows_its_secret_on_that_page_only(alice):
    client = signed_in(alice)
    response = client.post(
        "/portal/webhooks/new/", {"url": URL, "events": ["ticket.created"], "is_active": "on"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organization, endpoint.events) == (alice.organization, ["ticket.created"])
    assert endpoint.secret in response.content.decode()
    for path in ("/portal/webhooks/", f"/portal/webhooks/{endpoint.id}/"):
        assert endpoint.secret not in client.get(path).content.decode()


def test_rotating_shows_the_new_secret_once(alice):
    created = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url=URL, events=[]
    )
    client = signed_in(alice)
    response = client.post(f"/portal/webhooks/{created.endpoint.id}/rotate-secret/")
    new_secret = WebhookEndpoint.objects.get().secret
    assert new_secret != created.secret
    assert new_secret in response.content.decode()
    assert new_secret not in client.get(f"/portal/webhooks/{created.endpoint.id}/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "http://hooks.acme.example/x"}, "Use an https:// URL"),
        ({"url": "https://169.254.169.254/latest"}, "webhooks go to public hosts only"),
        ({"url": "https://nowhere.example/"}, "cannot be resolved"),
        ({"url": URL, "events": ["ticket.deleted"]}, "Select a valid choice"),
        ({"url": ""}, "This field is required"),
    ],
)
def test_bad_input_is_shown_on_the_form(alice, data, message):
    response = signed_in(alice).post("/portal/webhooks/new/", data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_staff_choose_the_organization(lena, acme):
    client = signed_in(lena)
    missing = client.post("/portal/webhooks/new/", {"url": URL})
    assert missing.status_code == HTTPStatus.BAD_REQUEST
    assert "This field is required" in missing.content.decode()
    client.post("/portal/webhooks/new/", {"url": URL, "organization_id": acme.id})
    assert WebhookEndpoint.objects.get().organization == acme


def test_a_customer_cannot_add_to_another_organization(charlie, acme):
    signed_in(charlie).post("/portal/webhooks/new/", {"url": URL, "organization_id": acme.id})
    assert WebhookEndpoint.objects.get().organization == charlie.organization


def test_editing_changes_events_and_the_active_flag(alice):
    endpoint = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url=URL, events=[]
    ).endpoint
    response = signed_in(alice).post(
        f"/portal/webhooks/{endpoint.id}/", {"url": URL, "events": ["message.created"]}
    )
    assert response.status_code == HTTPStatus.FOUND
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.is_active) == (["message.created"], False)


def test_the_test_button_queues_one_ping_and_says_so(alice):
    endpoint = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url=URL, events=[]
    ).endpoint
    client = signed_in(alice)
    response = client.post(f"/portal/webhooks/{endpoint.id}/test/", follow=True)
    assert "Test event queued" in response.content.decode()
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.payload["event"]) == (DeliveryKind.WEBHOOK, "ping")
    assert "ping" in client.get("/portal/webhooks/").content.decode()


def test_the_test_button_explains_a_refusal(alice):
    endpoint = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url=URL, events=[], is_active=False
    ).endpoint
    response = signed_in(alice).post(f"/portal/webhooks/{endpoint.id}/test/", follow=True)
    assert "Turn the endpoint on" in response.content.decode()
    assert not Delivery.objects.exists()


def test_deleting_removes_the_endpoint(alice):
    endpoint = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url=URL, events=[]
    ).endpoint
    response = signed_in(alice).post(f"/portal/webhooks/{endpoint.id}/delete/", follow=True)
    assert "Deleted the webhook endpoint" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_every_user_supplied_text_is_escaped(lena, acme, now):
    acme.name = "<i>Acme</i>"
    acme.save(update_fields=["name"])
    endpoint = WebhookEndpoint.objects.create(  # as the admin could have saved it
        organization=acme,
        url="https://hooks.acme.example/?q=<script>alert(1)</script>",
        secret="s",
        events=["<b>bold</b>"],
    )
    Delivery.objects.create(
        kind=DeliveryKind.WEBHOOK,
        status=DeliveryStatus.FAILED,
        idempotency_key=f"webhook:{endpoint.id}:<img src=x>:1",
        target=endpoint.url,
        payload={"event": "<svg onload=alert(2)>", "endpoint": endpoint.id},
        last_error="<img src=x onerror=alert(3)>",
        next_attempt_at=now,
        created_at=now - timedelta(minutes=1),
    )
    client = signed_in(lena)
    for path in ("/portal/webhooks/", f"/portal/webhooks/{endpoint.id}/"):
        page = client.get(path).content.decode()
        for raw in ("<script>alert", "<b>bold", "<i>Acme", "<img src=x", "<svg onload"):
            assert raw not in page, (path, raw)
        assert "&lt;script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in client.get("/portal/webhooks/").content.decode()


def test_organization_admins_and_leads_see_the_page_in_their_menu(alice, carol, lena, ted):
    assert 'href="/portal/webhooks/"' in signed_in(alice).get("/portal/").content.decode()
    assert 'href="/portal/webhooks/"' not in signed_in(carol).get("/portal/").content.decode()
    assert 'href="/portal/webhooks/"' in signed_in(lena).get("/desk/").content.decode()
    assert 'href="/portal/webhooks/"' not in signed_in(ted).get("/desk/").content.decode()


def test_staff_see_which_organization_an_endpoint_belongs_to(lena, acme, globex):
    for org, host in ((acme, "hooks.acme.example"), (globex, "hooks.globex.example")):
        webhook_endpoint_create(actor=lena, organization=org, url=f"https://{host}/x", events=[])
    page = signed_in(lena).get(f"/portal/webhooks/?organization={globex.id}").content.decode()
    assert "hooks.globex.example" in page
    assert "hooks.acme.example" not in page
    assert Organization.objects.count() == 2
