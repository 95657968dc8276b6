"""Step 4, follow up: the owner's daily check-in, the 24-hour customer-update clock, and closing
a resolved escalation after a quiet period with a final notice.

Each duty is a conditional update on the ticket's EscalationState (the next check-in moves on,
the warned-for deadline is recorded, the final notice time is set) before the message is queued,
so two sweeps at once never send the same reminder twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet

from lifebuoy.escalations.models import EscalationState, Level
from lifebuoy.escalations.selectors import escalated_states, follow_up_for_ticket
from lifebuoy.escalations.services.notify import staff_email
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update

DAY = timedelta(days=1)


@dataclass(frozen=True)
class FollowUpResult:
    checkins: int = 0
    update_warnings: int = 0
    final_notices: int = 0
    closed: int = 0


def _quiet() -> tuple[timedelta, timedelta]:
    quiet = int(getattr(settings, "LIFEBUOY_ESCALATION_QUIET_DAYS", 3))
    grace = int(getattr(settings, "LIFEBUOY_ESCALATION_FINAL_NOTICE_DAYS", 2))
    return timedelta(days=quiet), timedelta(days=grace)


def _checkin(state: EscalationState, now: datetime) -> bool:
    due = state.next_checkin_at
    assert due is not None  # noqa: S101  # filtered by the caller
    following = max(due + DAY, now + DAY - timedelta(minutes=1))
    with transaction.atomic():
        won = EscalationState.objects.filter(ticket_id=state.ticket_id, next_checkin_at=due).update(
            next_checkin_at=following
        )
        if won != 1:
            return False
        ticket = state.ticket
        follow = follow_up_for_ticket(ticket=ticket, now=now)
        due_text = (
            f"{follow.update_due_at:%Y-%m-%d %H:%M} UTC" if follow and follow.update_due_at else "—"
        )
        owner = ticket.owner or ticket.assignee
        if owner is not None:
            staff_email(
                key=f"escalation:checkin:{ticket.id}:{due.isoformat()}",
                user=owner,
                ticket=ticket,
                subject=f"Daily check-in: {ticket.subject_token} escalated to "
                f"{Level(state.level).label}",
                text=f"{ticket.number} “{ticket.subject}” is escalated to "
                f"{Level(state.level).label}. Check in with {ticket.assignee or 'the team'} and "
                f"update the customer by {due_text}.",
                now=now,
            )
        return True


def _warn_overdue(state: EscalationState, due: datetime, now: datetime) -> bool:
    with transaction.atomic():
        previous = state.update_warned_for
        match = (
            Q(update_warned_for__isnull=True) if previous is None else Q(update_warned_for=previous)
        )
        won = EscalationState.objects.filter(match, ticket_id=state.ticket_id).update(
            update_warned_for=due
        )
        if won != 1:
            return False
        ticket = state.ticket
        owner = ticket.owner or ticket.assignee
        if owner is not None:
            staff_email(
                key=f"escalation:update-overdue:{ticket.id}:{due.isoformat()}",
                user=owner,
                ticket=ticket,
                subject=f"Customer update overdue: {ticket.subject_token} {ticket.subject}",
                text=f"The customer of {ticket.number} was due an update by "
                f"{due:%Y-%m-%d %H:%M} UTC. Escalated tickets get one at least every 24 hours.",
                now=now,
            )
        return True


def _final_notice(state: EscalationState, grace: timedelta, now: datetime) -> bool:
    ticket = state.ticket
    author = ticket.owner or ticket.assignee
    if author is None:
        return False
    previous = state.final_notice_at
    with transaction.atomic():
        match = Q(final_notice_at__isnull=True) if previous is None else Q(final_notice_at=previous)
        if (
            EscalationState.objects.filter(match, ticket_id=ticket.id).update(final_notice_at=now)
            != 1
        ):
            return False
        message_add(
            ticket=ticket,
            author=author,
            now=now,
            is_automatic=True,
            body=f"Hello {ticket.requester.display_name},\n\nwe have not heard from you since we "
            f"resolved {ticket.number}, so we take it the fix works. We will close the ticket in "
            f"{grace.days} days; reply to this message if anything is still wrong.\n\n"
            f"Kind regards,\n{author.display_name}\nDual Trinity Support",
        )
        return True


def _close_quiet(state: EscalationState, now: datetime) -> bool:
    ticket = state.ticket
    actor = ticket.owner or ticket.assignee
    if actor is None:
        return False
    with transaction.atomic():
        fresh = Ticket.objects.select_for_update().get(id=ticket.id)
        if fresh.status != Status.RESOLVED:
            return False
        ticket_update(
            ticket=fresh, actor=actor, changes=TicketChanges(status=Status.CLOSED), now=now
        )
        return True


def _overdue(now: datetime) -> QuerySet[EscalationState]:
    """Escalated tickets whose customer has waited a day for a staff update and whose owner
    was not yet warned about this deadline, in SQL so a batch holds only real work."""
    cutoff = now - DAY
    warned = Q(update_warned_for__gte=F("escalated_at") + DAY) & (
        Q(last_update_at__isnull=True) | Q(update_warned_for__gte=F("last_update_at") + DAY)
    )
    return (
        escalated_states()
        .filter(escalated_at__lte=cutoff)
        .filter(Q(last_update_at__isnull=True) | Q(last_update_at__lte=cutoff))
        .exclude(warned)
        .order_by("escalated_at")
    )


def _quiet_resolved(now: datetime, quiet: timedelta, grace: timedelta) -> QuerySet[EscalationState]:
    """Resolved escalations due their final notice, or due to close after it."""
    last = "ticket__last_activity_at"
    needs_notice = Q(**{f"{last}__lte": now - quiet}) & (
        Q(final_notice_at__isnull=True) | Q(final_notice_at__lt=F(last))
    )
    may_close = Q(final_notice_at__lte=now - grace, final_notice_at__gte=F(last))
    return (
        escalated_states(statuses=(Status.RESOLVED,))
        .filter(needs_notice | may_close)
        .select_related("ticket__requester")
        .order_by("ticket_id")
    )


def followup_sweep(*, now: datetime, batch_size: int = 200) -> FollowUpResult:
    """Send due check-ins and overdue warnings; give quiet resolved escalations their final
    notice, and close those still quiet after it."""
    checkins = sum(
        _checkin(state, now)
        for state in EscalationState.objects.filter(
            next_checkin_at__lte=now, ticket__status=Status.ESCALATED
        ).select_related("ticket__owner", "ticket__assignee", "ticket__organization")[:batch_size]
    )
    warnings = 0
    for state in _overdue(now)[:batch_size]:
        last = state.last_update_at  # type: ignore[attr-defined]  # annotated
        due = max(d for d in (state.escalated_at, last) if d is not None) + DAY
        if due <= now and state.update_warned_for != due:
            warnings += _warn_overdue(state, due, now)
    quiet, grace = _quiet()
    notices = closed = 0
    for state in _quiet_resolved(now, quiet, grace)[:batch_size]:
        ticket, notice = state.ticket, state.final_notice_at
        if notice is not None and ticket.last_activity_at <= notice:
            if now >= notice + grace:
                closed += _close_quiet(state, now)
        elif ticket.last_activity_at <= now - quiet:
            notices += _final_notice(state, grace, now)
    return FollowUpResult(checkins, warnings, notices, closed)
