"""The desk's posts into Slack threads go through the outbox: once each, waiting as long as a
429's Retry-After says, and a post that cannot be made is shown on the ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifebuoy.integrations.tests.slack_helpers import CHANNEL, deliver_slack, process_events
from lifebuoy.notifications.models import Delivery, DeliveryKind, DeliveryStatus
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import message_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def slack_ticket(slack, sender, acme_channel, alice) -> Ticket:
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    sender.send(sender.message(CHANNEL, "UALICE001", "Agent offline"))
    process_events()
    deliver_slack()  # the acknowledgement
    return Ticket.objects.get()


def test_a_429_storm_is_waited_out_and_every_reply_is_posted_once(slack, slack_ticket, bob):
    start = timezone.now()
    for n in range(5):
        message_add(ticket=slack_ticket, author=bob, body=f"Update {n}", now=start)
    slack.throttle(12, retry_after=30)  # Slack answers 429 "come back in 30 s" twelve times
    rounds = 0
    at = start
    while Delivery.objects.filter(kind=DeliveryKind.SLACK).exclude(status="sent").exists():
        outcomes = deliver_slack(now=at)
        for delivery in Delivery.objects.filter(kind=DeliveryKind.SLACK, status="pending"):
            assert delivery.next_attempt_at == at + timedelta(seconds=30)  # as Slack asked
            assert delivery.attempts == 0  # waiting is not a failed attempt
        assert "failed" not in outcomes
        at += timedelta(seconds=30)
        rounds += 1
        assert rounds < 10
    updates = [p["text"] for p in slack.posts if "Update" in p["text"]]
    assert sorted(updates) == sorted(f"*Bob* · support: Update {n}" for n in range(5))
    assert rounds >= 3  # 12 refusals over 5 posts took several rounds
    assert "chat.postMessage" in slack.state.calls


def test_a_post_slack_refuses_for_good_is_shown_on_the_ticket(slack, slack_ticket, bob, client):
    slack.state.post_error = "channel_not_found"
    message_add(ticket=slack_ticket, author=bob, body="Try restarting C2.", now=timezone.now())
    assert deliver_slack() == ["failed"]
    failed = Delivery.objects.get(kind=DeliveryKind.SLACK, status=DeliveryStatus.FAILED)
    assert failed.last_error == "Slack API: channel_not_found"
    client.force_login(bob)
    page = client.get(f"/desk/tickets/{slack_ticket.id}/").content.decode()
    assert "Not posted to Slack" in page
    assert "channel_not_found" in page


def test_internal_notes_and_customer_messages_are_never_posted(slack, slack_ticket, alice, bob):
    message_add(ticket=slack_ticket, author=bob, body="note", is_internal=True, now=timezone.now())
    message_add(ticket=slack_ticket, author=alice, body="from portal", now=timezone.now())
    assert deliver_slack() == []
    assert len(slack.posts) == 1  # the acknowledgement only
