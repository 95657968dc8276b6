"""Edits and deletions made in Slack, recorded on the message they changed.

The ticket keeps what was received; each change is a row beside the message (the text before
and after) and an entry in the ticket's audit trail in the author's name, so nothing said in
the thread is lost from the ticket when it is edited or deleted there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from lifebuoy.integrations.slack.models import (
    EventStatus,
    SlackChannel,
    SlackMessage,
    SlackMessageChange,
    SlackUser,
)
from lifebuoy.integrations.slack.outcome import Outcome
from lifebuoy.integrations.slack.text import from_slack
from lifebuoy.tickets.services import AuditEntry, ticket_audit_record

EXCERPT = 200


def _on_ticket(channel: SlackChannel, ts: str) -> SlackMessage | None:
    return (
        SlackMessage.objects.select_related("thread", "message")
        .filter(channel_id=channel.channel_id, ts=ts, is_ours=False)
        .first()
    )


def _audit(found: SlackMessage, action: str, text: str, now: datetime) -> None:
    """The ticket's history says who changed which words: the new text of an edit, the text
    a deletion removed."""
    author = SlackUser.objects.filter(slack_user_id=found.slack_user_id).first()
    ticket_id = found.message.ticket_id if found.message is not None else found.thread.ticket_id
    ticket_audit_record(
        entries=[
            AuditEntry(
                ticket_id=ticket_id,
                action=action,
                field="message",
                new=f"“{text[:EXCERPT]}”",
                actor_id=author.user_id if author else None,
            )
        ],
        now=now,
    )


def slack_message_changed(
    *, channel: SlackChannel, event: dict[str, Any], now: datetime
) -> Outcome:
    new: dict[str, Any] = event.get("message") or {}
    found = _on_ticket(channel, str(new.get("ts") or ""))
    if found is None:
        return Outcome(EventStatus.IGNORED, "edit of a message that is on no ticket")
    text = from_slack(str(new.get("text") or ""))
    if text == found.text:
        return Outcome(EventStatus.IGNORED, "edit without a change to the text")
    with transaction.atomic():
        SlackMessageChange.objects.create(
            slack_message=found,
            kind=SlackMessageChange.Kind.EDITED,
            old_text=found.text,
            new_text=text,
            created_at=now,
        )
        SlackMessage.objects.filter(id=found.id).update(text=text[:10_000])
        _audit(found, "edited_in_Slack", text, now)
    return Outcome(EventStatus.RECORDED, "edited", found.thread.ticket_id)


def slack_message_deleted(
    *, channel: SlackChannel, event: dict[str, Any], now: datetime
) -> Outcome:
    previous: dict[str, Any] = event.get("previous_message") or {}
    found = _on_ticket(channel, str(event.get("deleted_ts") or previous.get("ts") or ""))
    if found is None:
        return Outcome(EventStatus.IGNORED, "deletion of a message that is on no ticket")
    with transaction.atomic():
        won = SlackMessage.objects.filter(id=found.id, deleted_at=None).update(deleted_at=now)
        if won != 1:
            return Outcome(EventStatus.IGNORED, "deleted already")
        SlackMessageChange.objects.create(
            slack_message=found,
            kind=SlackMessageChange.Kind.DELETED,
            old_text=found.text,
            created_at=now,
        )
        _audit(found, "deleted_in_Slack", found.text, now)
    return Outcome(EventStatus.RECORDED, "deleted", found.thread.ticket_id)
