"""What the desk says in a ticket's Slack thread, always through the outbox.

- A public reply by staff (typed on the desk, from a macro, or by mail a trusted server vouched
  for) is posted into the thread as the app, under the agent's name. Internal notes never are;
  neither is a message that arrived from Slack itself (no echo).
- A new ticket from Slack is acknowledged in its thread; a resolution by reaction is answered
  there with the CSAT link (``inbound.py`` asks for both).

Each post is an outbox delivery of kind ``slack`` with a key naming its cause, written in the
transaction of that cause; the outbox claims, sends once, honours ``Retry-After`` on 429 and
marks a post that cannot be made ``failed``, which the ticket page shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from lifebuoy.integrations.slack.models import SlackThread
from lifebuoy.integrations.slack.text import to_slack
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Message, Ticket

# Set while a Slack event is being written, so its message is not posted back to Slack.
_arriving: ContextVar[bool] = ContextVar("slack_arriving", default=False)
ORDER_SLACK = events.ORDER_NOTIFICATIONS + 5
TEXT_MAX = 3500  # Slack truncates a section block's text at 3,000 characters, a message at 40k


@contextmanager
def arriving_from_slack() -> Iterator[None]:
    token = _arriving.set(True)
    try:
        yield
    finally:
        _arriving.reset(token)


def slack_thread_for_ticket(*, ticket: Ticket) -> SlackThread | None:
    """The ticket's thread, or (for a follow-up opened by a late reply) its origin's."""
    ids = [ticket.id] + ([ticket.follow_up_of_id] if ticket.follow_up_of_id else [])
    threads = {
        t.ticket_id: t
        for t in SlackThread.objects.select_related("channel").filter(ticket_id__in=ids)
    }
    return next((threads[i] for i in ids if i in threads), None)


def slack_post_enqueue(
    *, thread: SlackThread, key: str, text: str, heading: str, now: datetime, **record: Any
) -> None:
    """Queue one post into ``thread`` (inside the caller's transaction)."""
    body = text[:TEXT_MAX]
    delivery_enqueue(
        kind=DeliveryKind.SLACK,
        key=key,
        ticket=thread.ticket,
        target=thread.channel.channel_id,
        payload={
            "text": f"{heading}: {body}" if heading else body,
            "thread_ts": thread.thread_ts,
            "blocks": [
                {"type": "context", "elements": [{"type": "mrkdwn", "text": heading}]},
                {"type": "section", "text": {"type": "mrkdwn", "text": body or " "}},
            ]
            if heading
            else [{"type": "section", "text": {"type": "mrkdwn", "text": body or " "}}],
            "slack_thread": thread.id,
            **record,
        },
        now=now,
    )


def _attachment_line(message: Message) -> str:
    names = [a.filename for a in message.attachments.all()]
    return f"\n:paperclip: {', '.join(names)} (in the ticket)" if names else ""


def slack_on_message_added(event: events.MessageAdded) -> None:
    message = event.message
    if message.is_internal or event.unverified or _arriving.get():
        return
    if not message.author.is_support_staff:
        return
    thread = slack_thread_for_ticket(ticket=message.ticket)
    if thread is None or not thread.channel.is_active:
        return
    slack_post_enqueue(
        thread=thread,
        key=f"slack:thread:message:{message.id}",
        text=to_slack(message.body) + _attachment_line(message),
        heading=f"*{message.author.display_name}* · support",
        now=event.now,
        message_id=message.id,
    )


def register() -> None:
    events.subscribe(events.MessageAdded, slack_on_message_added, order=ORDER_SLACK)
