"""Slack events in: stored before Slack is answered, processed by a worker after the commit.

1. ``slack_event_receive`` (the web request, well within Slack's 3 seconds): one insert keyed
   by Slack's ``event_id``. A retry (``X-Slack-Retry-Num``) or a replay finds the row, counts
   the repeat and changes nothing else. The processing task is queued after the commit.
2. ``slack_event_process`` (a worker): claims the row with a conditional update, so one worker
   acts on it, calls ``users.info`` and downloads files outside any transaction, then writes
   the ticket, message or change and the row's outcome in one transaction (``routing.py``).
   A failure leaves the row ``failed`` with its reason; the ``slack_event_retry`` sweep takes
   up rows a stopped worker left and replies that arrived before their thread's first message.
Every event ends as a ticket, a message, a change on a message, or a line with its reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.integrations.slack import routing
from lifebuoy.integrations.slack.models import EventStatus, SlackEvent
from lifebuoy.integrations.slack.outcome import WAIT, Outcome

logger = logging.getLogger(__name__)

CLAIM_SECONDS = 120  # a claim older than this belongs to a worker that stopped
RETRY_COUNTDOWN = 5.0  # seconds before a reply waiting for its thread is tried again
RETRY_COUNTDOWN_CAP = 60.0


@dataclass(frozen=True)
class Received:
    event: SlackEvent | None
    duplicate: bool


def _message_ts(event: dict[str, Any]) -> str:
    if event.get("type") != "message" or event.get("subtype") in (
        "message_changed",
        "message_deleted",
    ):
        return ""
    return str(event.get("ts") or "")[:32]


def _thread_ts(event: dict[str, Any]) -> str:
    ts = _message_ts(event)
    thread_ts = str(event.get("thread_ts") or "")[:32]
    return thread_ts if ts and thread_ts != ts else ""


def slack_event_receive(*, payload: dict[str, Any], now: datetime) -> Received:
    """Keep one verified ``event_callback``; a second delivery of its ``event_id`` is a repeat."""
    event_id = str(payload.get("event_id") or "")[:64]
    if not event_id:
        return Received(None, duplicate=False)
    event = payload.get("event")
    event = event if isinstance(event, dict) else {}
    item = event.get("item")
    channel = event.get("channel") or (item.get("channel") if isinstance(item, dict) else "")
    fields = {
        "event_type": str(event.get("type") or "")[:64],
        "channel_id": str(channel)[:32],
        "message_ts": _message_ts(event),
        "thread_ts": _thread_ts(event),
        "payload": payload,
        "received_at": now,
    }
    try:
        with transaction.atomic():
            row = SlackEvent.objects.create(event_id=event_id, **fields)
            enqueue_on_commit(slack_event_process_task, row.id)
            return Received(row, duplicate=False)
    except IntegrityError:
        SlackEvent.objects.filter(event_id=event_id).update(repeats=F("repeats") + 1)
        return Received(None, duplicate=True)


def _claim(event_id: int, now: datetime) -> SlackEvent | None:
    """The row, if this worker wins it: one ``UPDATE … RETURNING`` (which the ORM cannot
    express), so the claim and the read of what was claimed are one round trip."""
    ops = connection.ops
    stale = now - timedelta(seconds=CLAIM_SECONDS)
    won = list(
        SlackEvent.objects.raw(
            f"UPDATE {ops.quote_name(SlackEvent._meta.db_table)} "  # noqa: S608  # our own names
            "SET claimed_at = %s, attempts = attempts + 1 "
            "WHERE id = %s AND status IN (%s, %s) AND (claimed_at IS NULL OR claimed_at < %s) "
            "RETURNING *",
            [
                ops.adapt_datetimefield_value(now),
                event_id,
                EventStatus.RECEIVED.value,
                EventStatus.FAILED.value,
                ops.adapt_datetimefield_value(stale),
            ],
        )
    )
    return won[0] if won else None


def slack_event_process(*, event_id: int, now: datetime) -> Outcome:
    """Act on one stored event (exactly one worker does; others get ``skipped``)."""
    row = _claim(event_id, now)
    if row is None:
        return Outcome("skipped")
    try:
        outcome = routing.route(row, now)
    except Exception as exc:
        logger.exception("Slack event %s: error while processing", row.event_id)
        SlackEvent.objects.filter(id=row.id).update(
            status=EventStatus.FAILED, reason=f"{type(exc).__name__}: {exc}"[:300], processed_at=now
        )
        return Outcome(EventStatus.FAILED, str(exc))
    if outcome.status == WAIT:
        # The thread's first message is still to be processed; it wakes this reply when done
        # (``slack_waiting_replies_wake``), and the task's own retry is the safety net.
        SlackEvent.objects.filter(id=row.id).update(claimed_at=None)
        return outcome
    if outcome.status == EventStatus.CREATED and row.message_ts and not row.thread_ts:
        slack_waiting_replies_wake(channel_id=row.channel_id, thread_ts=row.message_ts)
    logger.info("Slack event %s: %s %s", row.event_id, outcome.status, outcome.reason)
    return outcome


def slack_event_retry(*, now: datetime, older_than: timedelta, batch_size: int = 200) -> list[int]:
    """Rows still ``received`` after ``older_than``: their task was lost, their worker stopped,
    or they wait for their thread. Failed rows wait for an operator (``outbox_retry``)."""
    cutoff = now - older_than
    return list(
        SlackEvent.objects.filter(status=EventStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )


def slack_event_retry_failed(*, now: datetime) -> int:
    """An operator's second chance for events that failed."""
    return SlackEvent.objects.filter(status=EventStatus.FAILED).update(
        status=EventStatus.RECEIVED, claimed_at=None, attempts=0, reason=""
    )


# Defined here, beside the code that queues it (``slack_event_receive``), which it runs.
@shared_task(name="lifebuoy.slack.slack_event_process", time_limit=120, soft_time_limit=100)
def slack_event_process_task(event_id: int) -> str:
    outcome = slack_event_process(event_id=event_id, now=timezone.now())
    if outcome.status == WAIT:
        tries = SlackEvent.objects.filter(id=event_id).values_list("attempts", flat=True).first()
        wait = min(RETRY_COUNTDOWN_CAP, RETRY_COUNTDOWN * (tries or 1))
        slack_event_process_task.apply_async((event_id,), countdown=wait)
    return outcome.status


def slack_waiting_replies_wake(*, channel_id: str, thread_ts: str) -> None:
    """Queue the replies that arrived before their thread's first message, which now has its
    ticket (after the commit that made it)."""
    waiting = SlackEvent.objects.filter(
        channel_id=channel_id,
        thread_ts=thread_ts,
        status=EventStatus.RECEIVED,
        attempts__gt=0,  # tried and told to wait; the others' own tasks are still queued
    ).values_list("id", flat=True)
    for event_id in waiting:
        enqueue_on_commit(slack_event_process_task, event_id)
