"""Paging for P1 tickets from tiers with 24/7 coverage, through the notifications outbox.

A page walks its policy's levels: each level pages one person (the schedule's on-call person or
a named one) and waits ``timeout_minutes``; the sweep moves an unacknowledged page to the next
level, and after the last level starts over up to ``repeat_count`` more times. Every move is a
conditional update on (status, round, level) plus a unique PageNotice, so concurrent sweeps page
each person once. Acknowledgement (UI, API or a signed link) stops the walk.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied
from lifebuoy.core.links import absolute_url
from lifebuoy.escalations.models import (
    EscalationPolicy,
    Page,
    PageNotice,
    PageStatus,
    PolicyLevel,
)
from lifebuoy.escalations.selectors import oncall_at
from lifebuoy.escalations.services.notify import slack_alert, staff_email
from lifebuoy.tickets.models import OPEN_STATUSES, Priority, Ticket
from lifebuoy.tickets.services import AuditEntry, ticket_audit_record

ACK_SALT = "lifebuoy.escalations.page-ack"
ACK_LINK_MAX_AGE = 24 * 3600


def policy_for_ticket(ticket: Ticket) -> EscalationPolicy | None:
    tier = int(ticket.organization.support_tier)
    for policy in EscalationPolicy.objects.filter(is_active=True).order_by("id"):
        if tier in policy.covered_tiers:
            return policy
    return None


def page_ack_token(*, page: Page, user: User) -> str:
    return signing.dumps({"p": page.id, "u": user.id}, salt=ACK_SALT)


def page_ack_url(*, page: Page, user: User) -> str:
    path = reverse("escalations:ack_link", args=[page_ack_token(page=page, user=user)])
    return absolute_url(path)


def _page_level(page: Page, levels: list[PolicyLevel], now: datetime) -> None:
    """Page the person of the page's current level, once per (round, level)."""
    level = levels[page.level_index]
    user = level.user or (oncall_at(schedule=level.schedule, at=now) if level.schedule else None)
    try:
        with transaction.atomic():
            PageNotice.objects.create(
                page=page, round=page.round, level_index=page.level_index, user=user, sent_at=now
            )
    except IntegrityError:
        return
    page.paged_user, page.ack_due_at = user, now + timedelta(minutes=level.timeout_minutes)
    page.save(update_fields=["paged_user", "ack_due_at"])
    ticket = page.ticket
    who = user.display_name if user else "nobody (no one on call)"
    key = f"page:{page.id}:{page.round}:{page.level_index}"
    ticket_audit_record(entries=[AuditEntry(ticket.id, "paged", "on_call", who)], now=now)
    text = (
        f"P1 {ticket.number} from {ticket.organization.name}: {ticket.subject}. "
        f"Acknowledge within {level.timeout_minutes} minutes or the next level is paged."
    )
    if user is not None:
        staff_email(
            key=key,
            user=user,
            ticket=ticket,
            subject=f"PAGE: P1 {ticket.subject_token} {ticket.subject}",
            text=f"{text}\n\nAcknowledge: {page_ack_url(page=page, user=user)}",
            now=now,
        )
    slack_alert(key=f"slack:{key}", ticket=ticket, text=f":pager: Paging {who}. {text}", now=now)


def page_trigger_for_ticket(*, ticket_id: int, now: datetime) -> Page | None:
    """Page at once for an open P1 whose organization's tier has a 24/7 policy (once)."""
    ticket = Ticket.objects.select_related("organization").filter(id=ticket_id).first()
    return page_trigger(ticket=ticket, now=now) if ticket is not None else None


def page_trigger(*, ticket: Ticket, now: datetime) -> Page | None:
    """``page_trigger_for_ticket`` for a ticket the caller has just read (with its
    organization)."""
    if ticket.priority != Priority.P1 or ticket.status not in OPEN_STATUSES:
        return None
    policy = policy_for_ticket(ticket)
    levels = list(policy.levels.select_related("schedule", "user")) if policy else []
    if policy is None or not levels or Page.objects.filter(ticket=ticket, policy=policy).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                page = Page.objects.create(ticket=ticket, policy=policy, created_at=now)
        except IntegrityError:
            return None
        _page_level(page, levels, now)
        return page


def _advance(page: Page, now: datetime) -> bool:
    levels = list(page.policy.levels.select_related("schedule", "user"))
    index, round_ = page.level_index + 1, page.round
    if index >= len(levels):
        index, round_ = 0, round_ + 1
    same = Page.objects.filter(
        id=page.id, status=PageStatus.TRIGGERED, level_index=page.level_index, round=page.round
    )
    with transaction.atomic():
        if round_ > page.policy.repeat_count:
            if same.update(status=PageStatus.EXHAUSTED, ack_due_at=None) != 1:
                return False
            ticket_audit_record(
                entries=[AuditEntry(page.ticket_id, "page_unacknowledged", "on_call", "")], now=now
            )
            slack_alert(
                key=f"slack:page:{page.id}:exhausted",
                ticket=page.ticket,
                text=f":rotating_light: Nobody acknowledged P1 {page.ticket.number}.",
                now=now,
            )
            return True
        if same.update(level_index=index, round=round_) != 1:
            return False
        page.level_index, page.round = index, round_
        _page_level(page, levels, now)
        return True


def page_sweep(*, now: datetime, batch_size: int = 200) -> int:
    """Move every page whose acknowledgement is overdue to its next level. Returns moves made."""
    due = (
        Page.objects.filter(status=PageStatus.TRIGGERED, ack_due_at__lte=now)
        .select_related("policy", "ticket__organization")
        .order_by("ack_due_at", "id")[:batch_size]
    )
    return sum(_advance(page, now) for page in due)


@transaction.atomic
def page_acknowledge(*, page: Page, actor: User, now: datetime) -> Page:
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff acknowledge pages.")
    won = Page.objects.filter(id=page.id, status=PageStatus.TRIGGERED).update(
        status=PageStatus.ACKNOWLEDGED, acknowledged_by=actor, acknowledged_at=now, ack_due_at=None
    )
    page.refresh_from_db()
    if won != 1 and page.status != PageStatus.ACKNOWLEDGED:
        raise InvalidState("page_closed", "Nobody acknowledged this page in time; it has ended.")
    if won == 1:
        ticket_audit_record(
            entries=[
                AuditEntry(page.ticket_id, "page_acknowledged", "on_call", actor.display_name)
            ],
            now=now,
        )
    return page


def page_acknowledge_by_token(*, token: str, now: datetime) -> Page:
    """The signed link in the page's email: proves who was paged for which page."""
    try:
        data = signing.loads(token, salt=ACK_SALT, max_age=ACK_LINK_MAX_AGE)
    except signing.BadSignature as exc:
        raise NotFound("link_invalid", "This acknowledgement link is invalid or expired.") from exc
    page = Page.objects.filter(id=data.get("p")).first()
    user = User.objects.filter(id=data.get("u"), is_active=True).first()
    if page is None or user is None:
        raise NotFound("link_invalid", "This acknowledgement link is invalid or expired.")
    return page_acknowledge(page=page, actor=user, now=now)
