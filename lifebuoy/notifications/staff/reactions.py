"""Who among the staff hears about what happened on a ticket (the subscribers and the
escalations app call these, inside the transaction of the change).

- a customer's reply: the ticket's owner, its assignee and its followers;
- an assignment: the new assignee (also a new ticket routed straight to someone);
- a mention in an internal note: each active member of staff it names (``mentions.py``);
- an SLA target at risk or breached: the ticket's owner and assignee;
- an escalation handed to someone: that person.
Never the person who did it. Mail that did not prove its sender (``unverified``) notifies
nobody, as it moves nothing else on the ticket.
"""

from __future__ import annotations

from datetime import datetime

from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import NotificationKind
from lifebuoy.notifications.staff.mentions import mentioned_staff
from lifebuoy.notifications.staff.selectors import ticket_change_actor, ticket_follower_list
from lifebuoy.notifications.staff.services import excerpt_of, notification_send
from lifebuoy.sla.events import SlaEvent, SlaEventKind
from lifebuoy.tickets.models import Message, Ticket


def _about(ticket: Ticket) -> str:
    return f"{ticket.number} {ticket.subject}"


def notifications_on_customer_reply(*, message: Message, now: datetime) -> None:
    if message.is_internal or message.unverified or message.author.is_support_staff:
        return
    ticket = message.ticket
    notification_send(
        recipients=[ticket.owner, ticket.assignee, *ticket_follower_list(ticket_id=ticket.id)],
        kind=NotificationKind.CUSTOMER_REPLIED,
        ticket=ticket,
        actor=message.author,
        text=f"{message.author.display_name} replied on {_about(ticket)}",
        excerpt=excerpt_of(message.body) or "(attachments only)",
        cause=f"message:{message.id}",
        now=now,
    )


def notifications_on_mentions(*, message: Message, now: datetime) -> None:
    """Only internal notes mention: a public reply's ``@`` is for the customer to read."""
    if not message.is_internal or not message.author.is_support_staff:
        return
    ticket = message.ticket
    notification_send(
        recipients=mentioned_staff(message.body),
        kind=NotificationKind.MENTIONED,
        ticket=ticket,
        actor=message.author,
        text=f"{message.author.display_name} mentioned you on {_about(ticket)}",
        excerpt=excerpt_of(message.body),
        cause=f"message:{message.id}",
        now=now,
    )


def notifications_on_assignment(
    *, ticket: Ticket, assignee: User | None, now: datetime, on_creation: bool = False
) -> None:
    """``on_creation``: the new ticket was routed straight to ``assignee`` (its organization's
    named engineer). Who did it is read from the audit entry of the change."""
    if assignee is None:
        return
    action, field = ("created", "") if on_creation else ("changed", "assignee")
    actor_id = ticket_change_actor(ticket_id=ticket.id, action=action, field=field, at=now)
    actor = User.objects.filter(id=actor_id).first() if actor_id is not None else None
    by = f" by {actor.display_name}" if actor is not None else ""
    notification_send(
        recipients=[assignee],
        kind=NotificationKind.ASSIGNED,
        ticket=ticket,
        actor=actor,
        text=f"{_about(ticket)} was assigned to you{by}",
        cause=f"ticket:{ticket.id}:{now.isoformat()}",
        now=now,
    )


SLA_WORDS = {SlaEventKind.AT_RISK: "at risk", SlaEventKind.BREACHED: "breached"}


def notifications_on_sla_staff(event: SlaEvent) -> None:
    """Runs in the SLA event's own transaction, after the sweep's commit."""
    ticket = Ticket.objects.select_related("owner", "assignee").filter(id=event.ticket_id).first()
    if ticket is None or event.kind not in SLA_WORDS:
        return
    target = event.clock_kind.replace("_", " ")
    due = f"{event.due_at:%Y-%m-%d %H:%M} UTC"
    notification_send(
        recipients=[ticket.owner, ticket.assignee],
        kind=NotificationKind.SLA,
        ticket=ticket,
        actor=None,
        text=f"SLA {SLA_WORDS[event.kind]}: {target} on {_about(ticket)} (due {due})",
        cause=f"{event.kind}:{event.clock_id}",
        now=event.occurred_at,
    )


def notification_escalation_assigned(
    *,
    ticket: Ticket,
    assignee: User | None,
    actor: User | None,
    level: str,
    reason: str,
    step_id: int,
    now: datetime,
) -> None:
    """An escalation handed ``ticket`` to ``assignee`` at ``level``; ``actor`` is None for a
    rule. Called by the escalations app in the escalation's transaction."""
    notification_send(
        recipients=[assignee],
        kind=NotificationKind.ESCALATION,
        ticket=ticket,
        actor=actor,
        text=f"{_about(ticket)} was escalated to {level} and assigned to you",
        excerpt=excerpt_of(reason),
        cause=f"step:{step_id}",
        now=now,
    )
