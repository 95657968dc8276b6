from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from lifebuoy.integrations.webhook.signing import sign
from lifebuoy.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("forum")]
SECRET = "forum-secret"


@pytest.fixture
def forum():
    with override_settings(
        LIFEBUOY_DISCOURSE_WEBHOOK_SECRET=SECRET,
        LIFEBUOY_DISCOURSE_CATEGORIES=[5],
        LIFEBUOY_DISCOURSE_URL="https://forum.example.com",
    ):
        yield


def post(number=1, category=5, raw="My consolidation takes an hour.", username="sam"):
    return {
        "post": {
            "id": 100 + number,
            "topic_id": 42,
            "topic_slug": "slow-consolidation",
            "topic_title": "Slow consolidation on 2.3",
            "post_number": number,
            "category_id": category,
            "raw": raw,
            "username": username,
        }
    }


def deliver(payload, event="post_created", event_id="1", secret=SECRET):
    body = json.dumps(payload).encode()
    return Client().post(
        reverse("integrations:discourse_webhook"),
        body,
        content_type="application/json",
        headers={
            "X-Discourse-Event-Signature": sign(secret, body),
            "X-Discourse-Event": event,
            "X-Discourse-Event-Id": event_id,
            "X-Discourse-Instance": "https://forum.example.com",
        },
    )


def test_a_topic_in_a_watched_category_becomes_a_community_ticket_and_replies_join_it():
    assert deliver(post()).status_code == HTTPStatus.OK
    deliver(post(), event_id="1")  # redelivery
    deliver(post(number=2, raw="Same here.", username="kim"), event_id="2")
    deliver({"topic": {"id": 42}}, event="topic_created", event_id="3")
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.organization.slug) == ("community", "community")
    assert ticket.subject == "Slow consolidation on 2.3"
    assert "https://forum.example.com/t/slow-consolidation/42" in ticket.description
    assert [m.body for m in ticket.messages.all()] == ["Same here."]


def test_other_categories_and_bad_signatures_are_ignored():
    assert deliver(post(), secret="nope").status_code == HTTPStatus.UNAUTHORIZED
    deliver(post(category=9), event_id="9")
    assert not Ticket.objects.exists()
