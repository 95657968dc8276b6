"""Delivering the outbox: claim, send, record — and the sweep that picks up what was left.

Exactly one worker sends a delivery at a time: a claim is a conditional UPDATE from
``pending`` (and due) to ``sending`` with a fresh claim token, and only the worker whose UPDATE
changed the row goes on. The outcome is recorded with the same token, each record one UPDATE in
autocommit. A record whose database connection was lost (the server restarted, a failover, the
connection ended by an operator) closes it and runs once more on a new one, so a failed send is
back to ``pending`` (or ``failed``) at once instead of waiting for the sweep.

The at-least-once window: the receiver accepted the message and the worker stopped (killed, out
of memory, machine lost) before ``sent`` was recorded. Transports call ``outgoing.accepted`` as
soon as the receiver accepted (the SMTP server's 250 to DATA, before the QUIT), and that records
``sent`` right away: the window is one UPDATE's round trip to the database, about a millisecond.
A worker stopped in it cannot be told apart from one stopped before sending, so after
``LIFEBUOY_OUTBOX_CLAIM_TIMEOUT`` the sweep puts the delivery back to ``pending`` and it is sent
again; so is one whose record failed on a fresh connection too (the database is down). The
second copy carries the same Message-ID (chosen when the delivery was written, never per
attempt), the same subject and body; mail clients and servers that de-duplicate by Message-ID
(Gmail, Thunderbird, Outlook, Dovecot's duplicate filter) show it once. Webhook receivers use
``X-Lifebuoy-Delivery`` the same way. A delivery that is never claimed twice is never sent twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F

from lifebuoy.notifications.models import Delivery, DeliveryKind, DeliveryStatus, WebhookEndpoint
from lifebuoy.notifications.selectors import thread_headers
from lifebuoy.notifications.transport_registry import transport_for
from lifebuoy.notifications.transports import Outgoing, TransportError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def backoff_seconds(attempts: int) -> float:
    """Exponential: base, 2×base, 4×base … capped. ``attempts`` counts the failed tries."""
    base: float = settings.LIFEBUOY_OUTBOX_BACKOFF_SECONDS
    cap: float = settings.LIFEBUOY_OUTBOX_BACKOFF_CAP_SECONDS
    return float(min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Attempt:
    # "sent", "retry", "failed", "skipped" (not due, or another worker has it) or "unrecorded"
    # (accepted by the receiver, but the database could not be told: the sweep sends it again)
    outcome: str
    retry_in: float | None = None


def _reconnecting(statement: Callable[[], T]) -> T:
    """Run one autocommit statement; if the connection was lost, close it and run the statement
    once more on a new one. Every statement given is a conditional UPDATE or a read, so running
    it twice is harmless. Inside a transaction the lost connection took the transaction with it,
    so the error is raised as it is."""
    try:
        return statement()
    except (OperationalError, InterfaceError) as exc:
        if transaction.get_connection().in_atomic_block:
            raise
        logger.warning("Outbox: database connection lost (%s); reconnecting", exc)
        connection.close()
        return statement()


def delivery_claim(*, delivery_id: int, now: datetime) -> Delivery | None:
    """The delivery, if it is due and this worker wins it: one ``UPDATE … RETURNING`` (which
    the ORM cannot express), so claiming the row and reading it are one round trip."""
    ops = connection.ops
    claimed = list(
        Delivery.objects.raw(
            f"UPDATE {ops.quote_name(Delivery._meta.db_table)} "  # noqa: S608  # our own names
            "SET status = %s, claimed_at = %s, claim_token = %s, attempts = attempts + 1 "
            "WHERE id = %s AND status = %s AND next_attempt_at <= %s RETURNING *",
            [
                DeliveryStatus.SENDING.value,
                ops.adapt_datetimefield_value(now),
                uuid.uuid4().hex,
                delivery_id,
                DeliveryStatus.PENDING.value,
                ops.adapt_datetimefield_value(now),
            ],
        )
    )
    return claimed[0] if claimed else None


def _outgoing(delivery: Delivery) -> Outgoing:
    headers = dict(delivery.payload.get("headers", {}))
    secret = ""
    if delivery.kind == DeliveryKind.EMAIL and delivery.ticket_id is not None:
        in_reply_to, references = thread_headers(
            ticket_id=delivery.ticket_id, own_message_id=delivery.message_id
        )
        if in_reply_to:
            headers["In-Reply-To"] = in_reply_to
            headers["References"] = " ".join(references)
    if delivery.kind == DeliveryKind.WEBHOOK:
        endpoint = WebhookEndpoint.objects.filter(id=delivery.payload.get("endpoint")).first()
        if endpoint is None or not endpoint.is_active:
            raise TransportError("The webhook endpoint was removed or disabled.", retryable=False)
        secret = endpoint.secret
    payload = {k: v for k, v in delivery.payload.items() if k not in ("headers", "endpoint")}
    return Outgoing(
        kind=delivery.kind,
        target=delivery.target,
        payload=payload,
        idempotency_key=delivery.idempotency_key,
        message_id=delivery.message_id,
        headers=headers,
        secret=secret,
    )


@dataclass(eq=False)
class _Acceptance:
    """Records "sent" the moment the transport reports the receiver's accept, once."""

    delivery: Delivery
    now: datetime
    outcome: str = ""  # "sent" once recorded, "unrecorded" if the database could not be told

    def __call__(self) -> None:
        if self.outcome:
            return
        try:
            delivery_mark_sent(delivery=self.delivery, now=self.now)
            self.outcome = "sent"
        except DatabaseError:
            # Not a failure to send: the row stays "sending" and the sweep sends it again with
            # the same Message-ID after the claim timeout (the at-least-once window).
            logger.exception("Delivery %s was accepted but could not be recorded", self.delivery.id)
            self.outcome = "unrecorded"


def delivery_attempt(*, delivery_id: int, now: datetime) -> Attempt:
    """Claim the delivery if it is due, send it once, and record what happened."""
    delivery = delivery_claim(delivery_id=delivery_id, now=now)
    if delivery is None:
        return Attempt("skipped")
    accepted = _Acceptance(delivery, now)
    try:
        transport_for(delivery.kind).send(replace(_outgoing(delivery), accepted=accepted))
    except Exception as exc:
        if accepted.outcome:  # the receiver had the message; what failed after cannot undo it
            logger.warning("Delivery %s: error after it was accepted: %s", delivery.id, exc)
            return Attempt(accepted.outcome)
        if isinstance(exc, TransportError):
            return _record_failure(delivery, str(exc), exc.retryable, now, exc.retry_after)
        # A bug in a transport (or a lost database connection) must not leave the row claimed.
        logger.exception("Delivery %s failed unexpectedly", delivery.id)
        # The message stays in the log: the delivery, which customers see, records only the kind.
        return _record_failure(delivery, f"internal error ({type(exc).__name__})", True, now)
    accepted()  # a transport that does not report the accept itself: it returned, so accepted
    return Attempt(accepted.outcome)


def delivery_mark_sent(*, delivery: Delivery, now: datetime) -> bool:
    """One autocommit UPDATE (retried once on a new connection if the connection was lost)."""
    won = _reconnecting(
        lambda: Delivery.objects.filter(
            id=delivery.id, status=DeliveryStatus.SENDING, claim_token=delivery.claim_token
        ).update(status=DeliveryStatus.SENT, sent_at=now, last_error="")
    )
    if won != 1:
        logger.warning("Delivery %s was sent after its claim expired", delivery.id)
    return won == 1


def _record_failure(
    delivery: Delivery,
    error: str,
    retryable: bool,
    now: datetime,
    retry_after: float | None = None,
) -> Attempt:
    """A throttled attempt (the receiver named a ``Retry-After``) comes back exactly then and
    does not count against the attempts: being asked to wait is not a failure to deliver."""
    throttled = retryable and retry_after is not None
    give_up = not retryable or (
        not throttled and delivery.attempts >= settings.LIFEBUOY_OUTBOX_MAX_ATTEMPTS
    )
    cap: float = settings.LIFEBUOY_OUTBOX_BACKOFF_CAP_SECONDS
    delay = (
        min(cap, max(1.0, float(retry_after or 0)))
        if throttled
        else backoff_seconds(delivery.attempts)
    )
    _reconnecting(
        lambda: Delivery.objects.filter(
            id=delivery.id, status=DeliveryStatus.SENDING, claim_token=delivery.claim_token
        ).update(
            status=DeliveryStatus.FAILED if give_up else DeliveryStatus.PENDING,
            next_attempt_at=now + timedelta(seconds=delay),
            claim_token="",
            last_error=error[:2000],
            attempts=F("attempts") - 1 if throttled else F("attempts"),
        )
    )
    logger.warning(
        "Delivery %s (%s) attempt %s failed: %s%s",
        delivery.id,
        delivery.kind,
        delivery.attempts,
        error,
        "; giving up" if give_up else f"; next try in {delay:.0f}s",
    )
    return Attempt("failed") if give_up else Attempt("retry", retry_in=delay)


def outbox_sweep(*, now: datetime, batch_size: int = 500) -> list[int]:
    """Release claims older than the claim timeout, then list due deliveries (oldest first)."""
    stale_before = now - timedelta(seconds=settings.LIFEBUOY_OUTBOX_CLAIM_TIMEOUT)
    released = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale_before
    ).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        claim_token="",
        last_error="The worker stopped before recording the outcome; sending again.",
    )
    if released:
        logger.warning("Outbox sweep released %s stuck deliveries", released)
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:batch_size]
    )


def delivery_retry_failed(*, now: datetime, kind: str = "") -> int:
    """An operator's second chance for deliveries that ran out of attempts."""
    failed = Delivery.objects.filter(status=DeliveryStatus.FAILED)
    if kind:
        failed = failed.filter(kind=kind)
    return failed.update(status=DeliveryStatus.PENDING, next_attempt_at=now, attempts=0)
