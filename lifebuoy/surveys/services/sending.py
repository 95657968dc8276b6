"""The sweeps that send surveys, each exactly once however many workers run them.

A survey row and its email are written in one transaction. The row's unique constraints (one
CSAT survey per ticket, one NPS survey per contact and period) decide who wins when two sweeps
pick the same ticket or contact: the second insert waits for the first to commit, then fails,
and that sweep moves on without queueing anything. The email goes through the outbox with a key
naming the same thing, so even a replayed sweep cannot queue it twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.surveys.models import Survey, SurveyKind
from lifebuoy.surveys.periods import NpsPeriod, nps_period_of
from lifebuoy.surveys.selectors import csat_due, nps_due, token_hash
from lifebuoy.surveys.services.emails import csat_email, nps_email, survey_link
from lifebuoy.tickets.models import OPEN_STATUSES, Ticket

# How late a CSAT survey may still go out after its delay (a sweep that was down for a while).
CSAT_SEND_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SweepResult:
    sent: int
    skipped: int  # another sweep got there first, or the ticket changed meanwhile


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=int(settings.LIFEBUOY_SURVEY_EXPIRY_DAYS))


def _write(*, survey: Survey, key: str, payload: Any, ticket: Ticket | None, now: datetime) -> bool:
    """Insert ``survey`` and queue its email, or nothing if its subject already has one."""
    try:
        with transaction.atomic():
            survey.save(force_insert=True)
            delivery_enqueue(
                kind=DeliveryKind.EMAIL,
                key=key,
                ticket=ticket,
                target=survey.contact.email,
                payload=payload,
                now=now,
            )
    except IntegrityError:
        return False
    return True


def _still_resolved(ticket: Ticket) -> bool:
    """The ticket was not reopened (nor resolved again) since the sweep read it."""
    current = Ticket.objects.filter(id=ticket.id).values("status", "resolved_at").first()
    return (
        current is not None
        and current["status"] not in OPEN_STATUSES
        and current["resolved_at"] == ticket.resolved_at
    )


def csat_send(*, ticket: Ticket, now: datetime) -> bool:
    """Send the ticket's CSAT survey; False if it has one already or was reopened meanwhile."""
    if not _still_resolved(ticket):
        return False
    token, expires_at = secrets.token_urlsafe(32), _expiry(now)
    survey = Survey(
        kind=SurveyKind.CSAT,
        token_hash=token_hash(token),
        contact=ticket.requester,
        organization_id=ticket.organization_id,
        ticket=ticket,
        resolved_at=ticket.resolved_at,
        sent_at=now,
        expires_at=expires_at,
    )
    return _write(
        survey=survey,
        key=f"email:survey:csat:{ticket.id}",
        payload=csat_email(ticket=ticket, token=token, expires_at=expires_at),
        ticket=ticket,
        now=now,
    )


def csat_sweep(*, now: datetime, batch_size: int = 200) -> SweepResult:
    """Survey the requesters of tickets resolved ``LIFEBUOY_CSAT_DELAY_HOURS`` ago."""
    if not (settings.LIFEBUOY_CSAT_ENABLED and settings.LIFEBUOY_NOTIFY_EMAIL):
        return SweepResult(0, 0)
    delay = timedelta(hours=float(settings.LIFEBUOY_CSAT_DELAY_HOURS))
    tickets = list(csat_due(now=now, delay=delay, window=CSAT_SEND_WINDOW)[:batch_size])
    sent = sum(csat_send(ticket=ticket, now=now) for ticket in tickets)
    return SweepResult(sent, len(tickets) - sent)


def nps_send(*, contact: User, period: NpsPeriod, now: datetime) -> bool:
    """Send ``contact`` the NPS survey about ``period``; False if they have it already."""
    assert contact.organization_id is not None  # noqa: S101  # nps_due picks customers only
    token, expires_at = secrets.token_urlsafe(32), _expiry(now)
    survey = Survey(
        kind=SurveyKind.NPS,
        token_hash=token_hash(token),
        contact=contact,
        organization_id=contact.organization_id,
        period_start=period.start,
        period_label=period.label,
        sent_at=now,
        expires_at=expires_at,
    )
    payload = nps_email(
        contact=contact, period_label=period.label, token=token, expires_at=expires_at
    )
    return _write(
        survey=survey,
        key=f"email:survey:nps:{contact.id}:{period.start.isoformat()}",
        payload=payload,
        ticket=None,
        now=now,
    )


def nps_sweep(*, now: datetime, batch_size: int = 500) -> SweepResult:
    """Survey the customers who opened a ticket in the NPS period that ended last."""
    if not (settings.LIFEBUOY_NPS_ENABLED and settings.LIFEBUOY_NOTIFY_EMAIL):
        return SweepResult(0, 0)
    period = nps_period_of(now, int(settings.LIFEBUOY_NPS_PERIOD_MONTHS)).previous()
    contacts = list(nps_due(period=period)[:batch_size])
    sent = sum(nps_send(contact=contact, period=period, now=now) for contact in contacts)
    return SweepResult(sent, len(contacts) - sent)


def csat_link_create(*, ticket: Ticket, now: datetime) -> str | None:
    """The ticket's CSAT survey as a link for another channel (a Slack thread) instead of an
    email; None when it has a survey already. The sweep then sends it no email."""
    if not settings.LIFEBUOY_CSAT_ENABLED or ticket.resolved_at is None:
        return None
    token = secrets.token_urlsafe(32)
    survey = Survey(
        kind=SurveyKind.CSAT,
        token_hash=token_hash(token),
        contact=ticket.requester,
        organization_id=ticket.organization_id,
        ticket=ticket,
        resolved_at=ticket.resolved_at,
        sent_at=now,
        expires_at=_expiry(now),
    )
    try:
        with transaction.atomic():
            survey.save(force_insert=True)
    except IntegrityError:
        return None
    return survey_link(token)
