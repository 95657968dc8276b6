"""The request URL: signatures and their time window, retries and replays, and what is
ignored (bots, this app, channels nobody connected) — each ignored event with its reason."""

from __future__ import annotations

import json
import logging
import time
from http import HTTPStatus
from types import SimpleNamespace

import pytest
from django.utils import timezone
from slack_sdk.socket_mode.request import SocketModeRequest

from lifebuoy.integrations.slack import inbound
from lifebuoy.integrations.slack.inbound import slack_event_process
from lifebuoy.integrations.slack.models import EventStatus, SlackEvent, SlackFile, SlackMessage
from lifebuoy.integrations.slack.services import slack_channel_connect
from lifebuoy.integrations.slack.socket_mode import socket_mode_handle
from lifebuoy.integrations.tests.fake_slack import APP_ID, BOT_USER
from lifebuoy.integrations.tests.slack_helpers import CHANNEL, process_events
from lifebuoy.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def test_a_forged_signature_is_refused_with_401_and_logged_without_the_body(
    slack, sender, acme_channel, caplog
):
    payload = sender.message(CHANNEL, "UALICE001", "secret words in the body")
    body = json.dumps(payload).encode()
    forged = sender.signed_headers(body)
    forged["X-Slack-Signature"] = "v0=" + "0" * 64
    with caplog.at_level(logging.WARNING):
        response = sender.send(payload, headers=forged)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "bad or stale signature" in caplog.text
    assert "secret words" not in caplog.text
    assert not SlackEvent.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param("stale", id="six minutes old"),
        pytest.param("future", id="six minutes ahead"),
        pytest.param("garbage", id="not a number"),
        pytest.param("missing", id="no headers"),
    ],
)
def test_a_request_outside_the_five_minute_window_or_unsigned_is_refused(
    slack, sender, acme_channel, headers
):
    payload = sender.message(CHANNEL, "UALICE001", "hello")
    body = json.dumps(payload).encode()
    now = int(time.time())
    sent = {
        "stale": sender.signed_headers(body, timestamp=now - 360),
        "future": sender.signed_headers(body, timestamp=now + 360),
        "garbage": {**sender.signed_headers(body), "X-Slack-Request-Timestamp": "soon"},
        "missing": {},
    }[headers]
    assert sender.send(payload, headers=sent).status_code == HTTPStatus.UNAUTHORIZED
    assert not SlackEvent.objects.exists()


def test_without_a_signing_secret_every_request_is_refused(slack, sender, settings):
    settings.LIFEBUOY_SLACK_SIGNING_SECRET = ""
    response = sender.send(sender.message(CHANNEL, "UALICE001", "hello"))
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_the_url_verification_challenge_is_answered(slack, sender):
    response = sender.send({"type": "url_verification", "challenge": "abc123", "token": "x"})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"challenge": "abc123"}


def test_a_body_that_is_not_json_is_a_400(slack, sender):
    body = b"not json"
    response = sender._post(sender.path, body, sender.signed_headers(body))
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_slack_retries_and_replays_never_make_a_second_ticket_or_message(
    slack, sender, acme_channel, alice
):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    opening = sender.message(CHANNEL, "UALICE001", "Agent offline")
    assert sender.send(opening).status_code == HTTPStatus.OK
    for attempt in (1, 2, 3):  # Slack's retries after a slow answer
        response = sender.send(opening, retry_num=attempt)
        assert response.status_code == HTTPStatus.OK
        assert response.json() == {"detail": "already received"}
    process_events()
    reply = sender.message(CHANNEL, "UALICE001", "Still offline", thread_ts=opening["event"]["ts"])
    sender.send(reply)
    process_events()
    sender.send(reply, retry_num=1)
    sender.send(opening)  # a replay, much later
    # The same message under a new event id (a redelivery Slack numbered again).
    sender.send({**reply, "event_id": "EvAnother01"})
    assert process_events() == [EventStatus.IGNORED]

    assert Ticket.objects.count() == 1
    assert Message.objects.filter(body="Still offline").count() == 1
    assert SlackEvent.objects.get(event_id=opening["event_id"]).repeats == 4
    assert SlackEvent.objects.get(event_id="EvAnother01").reason == (
        "duplicate of a message already received"
    )


def test_a_processed_event_is_not_processed_again(slack, sender, acme_channel, alice):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    sender.send(sender.message(CHANNEL, "UALICE001", "Agent offline"))
    row = SlackEvent.objects.get()
    assert slack_event_process(event_id=row.id, now=row.received_at).status == "created"
    assert slack_event_process(event_id=row.id, now=row.received_at).status == "skipped"
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        pytest.param({"bot_id": "BOTHER01", "subtype": "bot_message"}, "from a bot", id="bot"),
        pytest.param({"user": BOT_USER}, "from this app", id="own bot user"),
        pytest.param({"app_id": APP_ID, "bot_id": "BOURS001"}, "from this app", id="own app"),
        pytest.param({"subtype": "channel_join"}, "message subtype channel_join", id="join"),
    ],
)
def test_messages_from_bots_and_this_app_are_ignored_with_their_reason(
    slack, sender, acme_channel, extra, reason
):
    payload = sender.message(CHANNEL, "UALICE001", "beep")
    payload["event"].update(extra)
    sender.send(payload)
    assert process_events() == [EventStatus.IGNORED]
    assert SlackEvent.objects.get().reason == reason
    assert not Ticket.objects.exists()


def test_a_message_in_a_channel_nobody_connected_is_ignored(slack, sender, acme_channel, alice):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    sender.send(sender.message("CUNKNOWN1", "UALICE001", "Anyone there?"))
    assert process_events() == [EventStatus.IGNORED]
    row = SlackEvent.objects.get()
    assert (row.status, row.reason) == ("ignored", "channel not connected")
    assert not Ticket.objects.exists()
    assert "users.info" not in slack.state.calls  # nobody was looked up for it


def test_a_reply_that_arrives_before_its_thread_waits_for_it(
    slack, sender, acme_channel, alice, monkeypatch
):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    opening = sender.message(CHANNEL, "UALICE001", "Agent offline")
    reply = sender.message(CHANNEL, "UALICE001", "Also: C3", thread_ts=opening["event"]["ts"])
    sender.send(opening)
    sender.send(reply)
    first, second = SlackEvent.objects.order_by("id")
    assert slack_event_process(event_id=second.id, now=second.received_at).status == "wait"
    woken: list[int] = []
    monkeypatch.setattr(inbound, "enqueue_on_commit", lambda task, event_id: woken.append(event_id))
    assert slack_event_process(event_id=first.id, now=first.received_at).status == "created"
    assert woken == [second.id]  # the thread has its ticket: the waiting reply is queued
    assert slack_event_process(event_id=second.id, now=second.received_at).status == "added"
    assert Message.objects.get().body == "Also: C3"


def test_a_reply_in_a_thread_no_ticket_began_is_ignored(slack, sender, acme_channel, alice):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    sender.send(sender.message(CHANNEL, "UALICE001", "late", thread_ts="1700000000.000100"))
    assert process_events() == [EventStatus.IGNORED]
    assert SlackEvent.objects.get().reason == "thread is not linked to a ticket"


def test_a_new_customer_from_slack_is_created_in_the_channels_organization_only(
    slack, sender, acme_channel, charlie
):
    # Slack says the address is charlie's (Globex): never matched to another organization.
    slack.add_user("UCHARLIE1", "Charlie", "charlie@globex.example")
    sender.send(sender.message(CHANNEL, "UCHARLIE1", "Hello from the shared channel"))
    process_events()
    ticket = Ticket.objects.get()
    assert ticket.requester != charlie
    assert ticket.requester.organization == acme_channel.organization
    assert ticket.requester.email.endswith("@users.slack.invalid")
    assert ticket.requester.full_name == "Charlie"


def test_socket_mode_envelopes_are_acknowledged_and_kept_like_requests(
    slack, sender, acme_channel, alice
):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    acks: list[str] = []
    client = SimpleNamespace(send_socket_mode_response=lambda r: acks.append(r.envelope_id))
    payload = sender.message(CHANNEL, "UALICE001", "Via socket")
    envelope = SocketModeRequest(type="events_api", envelope_id="env-1", payload=payload)
    assert socket_mode_handle(client, envelope) == "received"
    assert socket_mode_handle(client, envelope) == "already received"
    assert acks == ["env-1", "env-1"]
    process_events()
    assert Ticket.objects.get().subject == "Via socket"
    assert SlackMessage.objects.count() == 1


def test_one_slack_user_in_two_organizations_channels_writes_in_each_as_its_customer(
    slack, sender, acme_channel, alice, globex, lena
):
    slack_channel_connect(
        actor=lena,
        organization=globex,
        channel_id="CGLOBEX01",
        name="globex",
        resolve_emoji="white_check_mark",
        now=timezone.now(),
    )
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    sender.send(sender.message(CHANNEL, "UALICE001", "In Acme's channel"))
    sender.send(sender.message("CGLOBEX01", "UALICE001", "In Globex's channel"))
    process_events()
    acme_ticket = Ticket.objects.get(subject="In Acme's channel")
    globex_ticket = Ticket.objects.get(subject="In Globex's channel")
    assert acme_ticket.requester == alice
    assert globex_ticket.organization == globex
    assert globex_ticket.requester.organization == globex
    assert globex_ticket.requester.email.endswith("@users.slack.invalid")


def test_files_stay_links_without_files_read_or_over_the_limit(
    slack, sender, acme_channel, alice, settings
):
    slack.add_user("UALICE001", "Alice", "alice@acme.example")
    settings.LIFEBUOY_MAX_ATTACHMENT_BYTES = 10
    small = slack.add_file("F0000001", "small.txt", b"tiny")
    large = slack.add_file("F0000002", "large.txt", b"x" * 11)
    opening = sender.message(CHANNEL, "UALICE001", "Two files")
    opening["event"]["files"] = [small, large]
    sender.send(opening)
    process_events()
    files = {f.name: f for f in SlackFile.objects.all()}
    assert files["small.txt"].attachment is not None
    assert files["large.txt"].attachment is None
    assert files["large.txt"].note.startswith("over the")
    ticket = Ticket.objects.get()
    assert "Shared in Slack: [large.txt](https://acme.slack.com/files/F0000002/large.txt)" in (
        ticket.description
    )

    slack.state.files_read = False  # the bot token lost files:read
    reply = sender.message(CHANNEL, "UALICE001", "One more", thread_ts=opening["event"]["ts"])
    reply["event"]["files"] = [small]
    sender.send(reply)
    process_events()
    latest = SlackFile.objects.order_by("-id").first()
    assert latest is not None
    assert latest.attachment is None
    assert latest.note == "the bot token lacks files:read"
    assert "not copied: the bot token lacks files:read" in (
        Message.objects.get(body__startswith="One more").body
    )
