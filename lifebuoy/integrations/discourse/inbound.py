"""Discourse forum events -> Community tickets, for topics in the watched categories.

A topic's first post (``post_created`` with ``post_number`` 1) opens the ticket, since it carries
the text; later posts join it. ``topic_created`` carries no text and is acknowledged only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from lifebuoy.notifications.services.external import (
    ExternalPost,
    external_reply_add,
    external_ticket_open,
)
from lifebuoy.tickets.models import Channel

SOURCE = "discourse"


def discourse_event_handle(
    *, event: str, instance: str, payload: dict[str, Any], now: datetime
) -> str:
    if event != "post_created" or "post" not in payload:
        return f"ignored: {event}"
    post = payload["post"]
    category = post.get("category_id")
    if category not in settings.LIFEBUOY_DISCOURSE_CATEGORIES:
        return "ignored: category not watched"
    base = (instance or settings.LIFEBUOY_DISCOURSE_URL).rstrip("/")
    host = base.split("://")[-1]
    topic_id = post["topic_id"]
    external = ExternalPost(
        source=SOURCE,
        key=f"{host}/t/{topic_id}",
        url=f"{base}/t/{post.get('topic_slug', 'topic')}/{topic_id}",
        login=str(post.get("username", "unknown")),
        subject=str(post.get("topic_title", "")),
        body=str(post.get("raw") or ""),
    )
    if post.get("post_number") == 1:
        ticket = external_ticket_open(post=external, channel=Channel.COMMUNITY, now=now)
        return f"ticket {ticket.number}"
    message = external_reply_add(post=external, now=now)
    return "post added" if message else "ignored: no ticket for this topic"
