"""Our own posts in a ticket's Slack thread, recorded once Slack accepted them."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from lifebuoy.integrations.slack.models import SlackMessage

logger = logging.getLogger(__name__)


def slack_post_record(
    *, thread_id: int, channel_id: str, ts: str, text: str, message_id: int | None
) -> None:
    """Remember a post's ``ts`` (a reaction to it then finds the ticket). Best effort: the
    post is made, and a failure here must not make the outbox send it again."""
    if not ts:
        return
    try:
        with transaction.atomic():
            SlackMessage.objects.create(
                channel_id=channel_id,
                ts=ts,
                thread_id=thread_id,
                message_id=message_id,
                text=text[:10_000],
                is_ours=True,
                created_at=timezone.now(),
            )
    except IntegrityError:
        logger.info("Slack post %s/%s was recorded already", channel_id, ts)
    except Exception:
        logger.exception("Could not record Slack post %s/%s", channel_id, ts)
