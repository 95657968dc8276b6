"""What one stored Slack event does (called by ``inbound.slack_event_process``).

- A message from a bot, from this app, or in a channel no lead connected: ignored, with why.
- A new top-level message: a ticket (channel ``slack``) for its author, a customer of the
  channel's organization (``people.py``), acknowledged in its thread.
- A reply in a ticket's thread: a message on the ticket, through the same services as the
  portal and mail (a customer's late reply lands on a follow-up); a staff reply only from a
  Slack account a lead linked to staff.
- An edit or a deletion: recorded on the message it changed (the text it had is kept).
- The channel's resolve reaction by the requester: the ticket is resolved as by the customer's
  own confirmation, and the thread gets the resolution and the CSAT link.
Network calls (``users.info``, file downloads) happen before the transaction that writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists

from lifebuoy.accounts.models import User
from lifebuoy.core.config_cache import config_cached
from lifebuoy.integrations.slack.changes import slack_message_changed, slack_message_deleted
from lifebuoy.integrations.slack.client import FetchedFile, file_fetch
from lifebuoy.integrations.slack.models import (
    EventStatus,
    SlackChannel,
    SlackEvent,
    SlackFile,
    SlackMessage,
    SlackThread,
    SlackUser,
)
from lifebuoy.integrations.slack.outbound import arriving_from_slack, slack_post_enqueue
from lifebuoy.integrations.slack.outcome import WAIT, Outcome
from lifebuoy.integrations.slack.people import (
    slack_author_for,
    slack_person,
    slack_person_is_staff,
)
from lifebuoy.integrations.slack.resolution import slack_reaction_resolve
from lifebuoy.integrations.slack.text import from_slack, subject_of
from lifebuoy.tickets.models import Attachment, Channel, Message, Ticket
from lifebuoy.tickets.services import NewTicket, message_add, ticket_create, ticket_reply

NEW_MESSAGE_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})


def _finish(row: SlackEvent, outcome: Outcome, now: datetime) -> Outcome:
    SlackEvent.objects.filter(id=row.id).update(
        status=outcome.status,
        reason=outcome.reason[:300],
        ticket_id=outcome.ticket_id,
        processed_at=now,
    )
    return outcome


def _ignored(row: SlackEvent, reason: str, now: datetime) -> Outcome:
    return _finish(row, Outcome(EventStatus.IGNORED, reason), now)


def _own_user_ids(payload: dict[str, Any]) -> set[str]:
    return {
        str(a.get("user_id"))
        for a in payload.get("authorizations") or []
        if a.get("is_bot") and a.get("user_id")
    }


def _bot_reason(payload: dict[str, Any], event: dict[str, Any]) -> str:
    """Why the event comes from a machine ("" when a person sent it)."""
    inner = event.get("message") if isinstance(event.get("message"), dict) else {}
    for item in (event, inner or {}):
        if item.get("user") and item.get("user") in _own_user_ids(payload):
            return "from this app"
        if item.get("app_id") and item.get("app_id") == payload.get("api_app_id"):
            return "from this app"
        if item.get("bot_id") or item.get("subtype") == "bot_message":
            return "from a bot"
    return ""


def connected_channel(channel_id: str) -> SlackChannel | None:
    if not channel_id:
        return None
    return config_cached(
        ("slack-channel", channel_id),
        lambda: (
            SlackChannel.objects.select_related("organization")
            .filter(channel_id=channel_id, is_active=True)
            .first()
        ),
    )


def route(row: SlackEvent, now: datetime) -> Outcome:
    payload = row.payload
    event = payload.get("event")
    if not isinstance(event, dict):
        return _ignored(row, "no event in the payload", now)
    kind = str(event.get("type") or "")
    machine = _bot_reason(payload, event)
    if machine:
        return _ignored(row, machine, now)
    channel = connected_channel(row.channel_id)
    if channel is None:
        return _ignored(row, "channel not connected", now)
    if kind == "message":
        subtype = str(event.get("subtype") or "")
        if subtype == "message_changed":
            return _finish(row, slack_message_changed(channel=channel, event=event, now=now), now)
        if subtype == "message_deleted":
            return _finish(row, slack_message_deleted(channel=channel, event=event, now=now), now)
        if subtype not in NEW_MESSAGE_SUBTYPES:
            return _ignored(row, f"message subtype {subtype}", now)
        return _new_message(row, channel, event, now)
    if kind == "reaction_added":
        return _finish(row, slack_reaction_resolve(channel=channel, event=event, now=now), now)
    return _ignored(row, f"event type {kind or 'unknown'}", now)


def _root_pending(channel: SlackChannel, thread_ts: str) -> bool:
    return SlackEvent.objects.filter(
        channel_id=channel.channel_id,
        message_ts=thread_ts,
        status__in=[EventStatus.RECEIVED, EventStatus.FAILED],
    ).exists()


def _new_message(
    row: SlackEvent, channel: SlackChannel, event: dict[str, Any], now: datetime
) -> Outcome:
    ts, user_id = str(event.get("ts") or ""), str(event.get("user") or "")
    thread_ts = str(event.get("thread_ts") or ts)
    if not ts or not user_id:
        return _ignored(row, "message without an author", now)
    if not str(event.get("text") or "").strip() and not event.get("files"):
        return _ignored(row, "message without text or files", now)
    seen = SlackMessage.objects.filter(channel_id=channel.channel_id, ts=ts)
    thread = None
    if thread_ts != ts:
        # A reply: its thread, and whether the message is on it already, in one query (a
        # message that is on a ticket has its thread).
        thread = (
            SlackThread.objects.select_related("ticket", "channel")
            .filter(channel=channel, thread_ts=thread_ts)
            .annotate(has_message=Exists(seen))
            .first()
        )
        if thread is None:
            if _root_pending(channel, thread_ts):
                return Outcome(WAIT, "waiting for the thread's first message")
            return _ignored(row, "thread is not linked to a ticket", now)
    duplicate = thread.has_message if thread is not None else seen.exists()
    if duplicate:
        return _ignored(row, "duplicate of a message already received", now)
    person = slack_person(slack_user_id=user_id, organization=channel.organization, now=now)
    author = slack_author_for(person=person, organization=channel.organization)
    if author is None or not author.is_active:
        return _ignored(row, "the linked account is deactivated", now)
    if thread is None and slack_person_is_staff(person):
        return _ignored(row, "a top-level message from staff opens no ticket", now)
    limit: int = settings.LIFEBUOY_MAX_ATTACHMENT_BYTES
    files = [file_fetch(f, limit=limit) for f in event.get("files") or [] if isinstance(f, dict)]
    text = from_slack(str(event.get("text") or ""))
    try:
        with transaction.atomic(), arriving_from_slack():
            if thread is None:
                outcome = _open_ticket(
                    channel, person, author, ts=ts, text=text, files=files, now=now
                )
            else:
                outcome = _add_reply(thread, person, author, ts=ts, text=text, files=files, now=now)
            return _finish(row, outcome, now)
    except IntegrityError:  # the same message under another event id, processed meanwhile
        return _ignored(row, "duplicate of a message already received", now)


def _uploads(files: list[FetchedFile]) -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile(f.name, f.data, f.mimetype or "application/octet-stream")
        for f in files
        if f.data is not None
    ]


def _link_lines(files: list[FetchedFile]) -> str:
    """Files that stay in Slack, named with Slack's link and why they were not copied."""
    linked = [f for f in files if f.data is None]
    return "".join(
        f"\n\nShared in Slack: [{f.name}]({f.permalink}) (not copied: {f.note})"
        if f.permalink
        else f"\n\nShared in Slack: {f.name} (not copied: {f.note})"
        for f in linked
    )


def _record_files(
    message: SlackMessage, files: list[FetchedFile], stored: list[Attachment]
) -> None:
    copies = iter(stored)
    SlackFile.objects.bulk_create(
        SlackFile(
            slack_message=message,
            slack_file_id=f.file_id,
            name=f.name,
            mimetype=f.mimetype,
            size=f.size,
            permalink=f.permalink[:500],
            attachment=next(copies, None) if f.data is not None else None,
            note=f.note[:200],
        )
        for f in files
    )


def _open_ticket(
    channel: SlackChannel,
    person: SlackUser,
    author: User,
    *,
    ts: str,
    text: str,
    files: list[FetchedFile],
    now: datetime,
) -> Outcome:
    body = (text or "(shared in Slack)") + _link_lines(files)
    ticket = ticket_create(
        actor=author,
        data=NewTicket(subject=subject_of(text), description=body, channel=Channel.SLACK),
        files=_uploads(files),
        now=now,
    )
    thread = SlackThread.objects.create(
        channel=channel, thread_ts=ts, ticket=ticket, created_at=now
    )
    root = SlackMessage.objects.create(
        channel_id=channel.channel_id,
        ts=ts,
        thread=thread,
        slack_user_id=person.slack_user_id,
        text=text[:10_000],
        created_at=now,
    )
    if files:
        stored = list(Attachment.objects.filter(message__ticket=ticket).order_by("id"))
        _record_files(root, files, stored)
    _acknowledge(thread, ticket, person, now)
    return Outcome(EventStatus.CREATED, ticket_id=ticket.id)


def _acknowledge(thread: SlackThread, ticket: Ticket, person: SlackUser, now: datetime) -> None:
    emoji = thread.channel.resolve_emoji
    slack_post_enqueue(
        thread=thread,
        key=f"slack:thread:ack:{ticket.id}",
        text=(
            f"Thanks <@{person.slack_user_id}>, this is ticket *{ticket.number}* "
            f"({ticket.get_priority_display()}). Our team answers here in this thread; "
            f"react with :{emoji}: to the first message once it is solved."
        ),
        heading="",
        now=now,
    )


def _add_reply(
    thread: SlackThread,
    person: SlackUser,
    author: User,
    *,
    ts: str,
    text: str,
    files: list[FetchedFile],
    now: datetime,
) -> Outcome:
    body = text + _link_lines(files)
    uploads = _uploads(files)
    message: Message | None
    if slack_person_is_staff(person):
        message = message_add(
            ticket=thread.ticket, author=author, body=body, files=uploads, now=now
        )
        landed, created = thread.ticket, False
    else:
        reply = ticket_reply(
            ticket=thread.ticket,
            author=author,
            body=body,
            files=uploads,
            channel=Channel.SLACK,
            now=now,
        )
        message, landed, created = reply.message, reply.ticket, reply.created
    recorded = SlackMessage.objects.create(
        channel_id=thread.channel.channel_id,
        ts=ts,
        thread=thread,
        message=message,
        slack_user_id=person.slack_user_id,
        text=text[:10_000],
        created_at=now,
    )
    if files:
        owner = message.id if message is not None else None
        stored = list(
            Attachment.objects.filter(message_id=owner).order_by("id")
            if owner
            else Attachment.objects.filter(message__ticket=landed).order_by("id")
        )
        _record_files(recorded, files, stored)
    status = EventStatus.CREATED if created else EventStatus.ADDED
    return Outcome(status, ticket_id=landed.id)
