"""The channel's resolve reaction (✅ ``white_check_mark`` unless the lead chose another) by the
ticket's requester, on any message of its thread: the ticket is resolved as by the customer's
own confirmation (``ticket_confirm_resolved``: SLA clocks stop, the desk sees who resolved it),
and the app answers in the thread with the resolution and the CSAT survey's link."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from lifebuoy.core.links import portal_ticket_url
from lifebuoy.integrations.slack.models import (
    EventStatus,
    SlackChannel,
    SlackMessage,
    SlackThread,
    SlackUser,
)
from lifebuoy.integrations.slack.outbound import arriving_from_slack, slack_post_enqueue
from lifebuoy.integrations.slack.outcome import Outcome
from lifebuoy.integrations.slack.people import slack_author_for
from lifebuoy.surveys.services.sending import csat_link_create
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import ticket_confirm_resolved


def _thread_of(channel: SlackChannel, ts: str) -> SlackThread | None:
    found = SlackMessage.objects.filter(channel_id=channel.channel_id, ts=ts).first()
    if found is not None:
        return SlackThread.objects.select_related("ticket", "channel").get(id=found.thread_id)
    return (
        SlackThread.objects.select_related("ticket", "channel")
        .filter(channel=channel, thread_ts=ts)
        .first()
    )


def slack_reaction_resolve(
    *, channel: SlackChannel, event: dict[str, Any], now: datetime
) -> Outcome:
    item: dict[str, Any] = event.get("item") or {}
    if event.get("reaction") != channel.resolve_emoji:
        return Outcome(EventStatus.IGNORED, f"reaction :{event.get('reaction')}: resolves nothing")
    thread = _thread_of(channel, str(item.get("ts") or ""))
    if thread is None:
        return Outcome(EventStatus.IGNORED, "reaction on a message that is on no ticket")
    ticket = thread.ticket
    reactor = (
        SlackUser.objects.select_related("user")
        .filter(slack_user_id=str(event.get("user") or ""))
        .first()
    )
    author = (
        slack_author_for(person=reactor, organization=ticket.organization, create=False)
        if reactor is not None
        else None
    )
    if reactor is None or author is None or author.id != ticket.requester_id:
        return Outcome(EventStatus.IGNORED, "reaction by someone other than the requester")
    if not ticket.is_open:
        return Outcome(EventStatus.IGNORED, "the ticket is not open", ticket.id)
    with transaction.atomic(), arriving_from_slack():
        ticket = ticket_confirm_resolved(ticket=ticket, actor=author, now=now)
        _answer(thread, ticket, reactor, now)
    return Outcome(EventStatus.RESOLVED, ticket_id=ticket.id)


def _answer(thread: SlackThread, ticket: Ticket, reactor: SlackUser, now: datetime) -> None:
    link = csat_link_create(ticket=ticket, now=now)
    survey = f"\nHow did we do? <{link}|Rate our support> (one click)." if link else ""
    slack_post_enqueue(
        thread=thread,
        key=f"slack:thread:resolved:{ticket.id}:{int(now.timestamp())}",
        text=(
            f"<@{reactor.slack_user_id}> marked ticket *{ticket.number}* resolved. "
            f"Thanks! A new message in this thread reopens it "
            f"(<{portal_ticket_url(ticket.id)}|ticket page>).{survey}"
        ),
        heading="",
        now=now,
    )
