"""A conversation opened in Slack, answered from the desk, followed up in the thread, with a
file, an edit and a deletion, and resolved by the requester's reaction."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.utils import timezone

from lifebuoy.integrations.slack.models import (
    EventStatus,
    SlackEvent,
    SlackFile,
    SlackMessageChange,
    SlackThread,
    SlackUser,
)
from lifebuoy.integrations.slack.services import slack_staff_link
from lifebuoy.integrations.tests.slack_helpers import CHANNEL, deliver_slack, process_events
from lifebuoy.notifications.models import Delivery, DeliveryKind, Notification
from lifebuoy.sla.models import Clock
from lifebuoy.surveys.models import Survey
from lifebuoy.tickets.models import Channel, Message, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _thread_posts(slack, thread_ts):
    return [p for p in slack.posts if p.get("thread_ts") == thread_ts]


def test_a_conversation_opened_in_slack_is_answered_followed_up_and_resolved(
    slack, sender, acme_channel, alice, bob, lena, ted, api, client
):
    slack.add_user("UALICE001", "Alice Example", "alice@acme.example")
    slack.add_user("UBOB00001", "Bob on Slack", "bob@lifebuoy.test")
    slack.add_user("UTED00001", "Ted on Slack", "ted@lifebuoy.test")
    slack_staff_link(actor=lena, slack_user_id="UBOB00001", user=bob, now=timezone.now())

    opening = sender.message(
        CHANNEL, "UALICE001", "C2 stopped pushing\nSince 9:00, <https://x.example|log>"
    )
    response = sender.send(opening)
    assert response.status_code == HTTPStatus.OK
    assert process_events() == [EventStatus.CREATED]

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.SLACK
    assert ticket.requester == alice  # matched by the address users.info gave
    assert ticket.subject == "C2 stopped pushing"
    assert "[log](https://x.example)" in ticket.description
    root_ts = opening["event"]["ts"]
    assert SlackThread.objects.get().thread_ts == root_ts
    deliver_slack()
    (ack,) = _thread_posts(slack, root_ts)
    assert ack["channel"] == CHANNEL
    assert f"ticket *{ticket.number}*" in ack["text"]

    # The desk answers; the internal note stays in the desk.
    desk = api(bob)
    sent = desk.post(
        f"/api/tickets/{ticket.id}/messages",
        {"body": "Please restart the **agent**.", "is_internal": False},
        content_type="application/json",
    )
    assert sent.status_code in (HTTPStatus.OK, HTTPStatus.CREATED)
    desk.post(
        f"/api/tickets/{ticket.id}/messages",
        {"body": "Probably the token again.", "is_internal": True},
        content_type="application/json",
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None  # the SLA's first response, as for email
    assert ticket.owner == bob
    deliver_slack()
    posts = _thread_posts(slack, root_ts)
    assert len(posts) == 2
    assert "Bob" in posts[1]["text"]
    assert "*agent*" in posts[1]["text"]
    assert not any("token again" in p["text"] for p in slack.posts)

    # Follow-ups in the thread: the customer, a linked staff account, an unlinked one, a file.
    report = slack.add_file("F0000001", "restart.log", b"restarted at 10:02\n")
    follow = sender.message(CHANNEL, "UALICE001", "Restarted, see log", thread_ts=root_ts)
    follow["event"]["files"] = [report]
    follow["event"]["subtype"] = "file_share"
    sender.send(follow)
    sender.send(sender.message(CHANNEL, "UBOB00001", "Thanks, watching it.", thread_ts=root_ts))
    sender.send(sender.message(CHANNEL, "UTED00001", "Same here on my side", thread_ts=root_ts))
    assert process_events() == [EventStatus.ADDED] * 3

    messages = list(Message.objects.filter(ticket=ticket, is_internal=False).order_by("id"))
    by_body = {m.body.split("\n")[0]: m for m in messages}
    assert by_body["Restarted, see log"].author == alice
    assert by_body["Thanks, watching it."].author == bob  # a staff reply: linked account
    ted_as_customer = by_body["Same here on my side"].author
    assert ted_as_customer != ted
    assert ted_as_customer.is_customer  # not linked: a customer
    assert SlackUser.objects.get(slack_user_id="UTED00001").is_from_slack
    ticket.refresh_from_db()
    assert ticket.waiting_on_us is True  # the last word was a customer's (ted, unlinked)
    assert Notification.objects.filter(
        recipient=bob, kind="customer_replied", ticket=ticket
    ).exists()  # the owner heard of alice's reply, as for email
    assert Clock.objects.filter(ticket=ticket).exists()
    shared = SlackFile.objects.get()
    assert shared.permalink.endswith("/restart.log")
    assert shared.attachment is not None
    assert shared.attachment.file.read() == b"restarted at 10:02\n"
    deliver_slack()
    assert len(_thread_posts(slack, root_ts)) == 2  # bob's Slack reply is not echoed back

    # Edits and deletions are recorded on the message, never lost.
    alice_ts = follow["event"]["ts"]
    sender.send(
        sender.edit(CHANNEL, "UALICE001", alice_ts, "Restarted, see log", "Restarted twice")
    )
    sender.send(sender.delete(CHANNEL, "UALICE001", alice_ts, "Restarted twice"))
    assert process_events() == [EventStatus.RECORDED, EventStatus.RECORDED]
    changes = list(SlackMessageChange.objects.order_by("id"))
    assert [(c.kind, c.old_text, c.new_text) for c in changes] == [
        ("edited", "Restarted, see log", "Restarted twice"),
        ("deleted", "Restarted twice", ""),
    ]
    assert by_body["Restarted, see log"].body.startswith("Restarted, see log")  # kept as sent
    audit = TicketEvent.objects.filter(ticket=ticket, action__endswith="_in_Slack")
    assert [e.actor for e in audit] == [alice, alice]
    page = client
    page.force_login(bob)
    html = page.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "Edited in Slack" in html
    assert "Restarted twice" in html
    assert "restart.log" in html

    # Someone else's ✅ does nothing; the requester's resolves, with the CSAT link.
    sender.send(sender.reaction(CHANNEL, "UTED00001", root_ts, "white_check_mark"))
    sender.send(sender.reaction(CHANNEL, "UALICE001", root_ts, "tada"))
    sender.send(sender.reaction(CHANNEL, "UALICE001", root_ts, "white_check_mark"))
    assert process_events() == [EventStatus.IGNORED, EventStatus.IGNORED, EventStatus.RESOLVED]
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    survey = Survey.objects.get(ticket=ticket)
    deliver_slack()
    answer = _thread_posts(slack, root_ts)[-1]
    assert "marked ticket" in answer["text"]
    assert "/surveys/" in answer["text"]
    assert survey.contact == alice
    assert not Delivery.objects.filter(kind=DeliveryKind.SLACK).exclude(status="sent").exists()
    assert SlackEvent.objects.filter(reason="reaction by someone other than the requester").exists()
