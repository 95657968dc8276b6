"""The transactional outbox: notifications written in the transaction of the event causing them.

The ticket events call ``notifications_on_ticket_created`` and ``notifications_on_message_added``
inside their own transaction. Each notification becomes a Delivery row with a unique
idempotency key, and is handed to Celery only after the commit; if the transaction rolls back,
nothing is sent, and if the broker or the SMTP server is down, the row waits for the sweep.

What is sent:
- a new ticket: an acknowledgement email to the requester; a Slack alert for P1 tickets
  (also when a ticket is raised to P1 later);
- a public reply by staff: the reply, by email, to the requester (unless they are known only
  by a GitHub or forum login) and to each customer CC'd on the ticket, and as a comment on the
  GitHub issue the ticket mirrors;
- both: a signed webhook to each of the organization's active endpoints that wants the event.
Internal notes and customers' own messages never notify the customer.
"""

from __future__ import annotations

import html
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings

from lifebuoy.accounts.models import User
from lifebuoy.core.config_cache import config_cached
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.links import desk_ticket_url, portal_ticket_url
from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.notifications.localtime import reader_time
from lifebuoy.notifications.models import (
    Delivery,
    DeliveryKind,
    ExternalThread,
    MailReference,
    WebhookEndpoint,
)
from lifebuoy.notifications.staff.selectors import ticket_cc_list
from lifebuoy.notifications.tasks import delivery_send as delivery_send_task
from lifebuoy.sla.selectors import sla_first_response_due
from lifebuoy.tickets.models import Channel, Message, Priority, Status, Ticket

ECHO_MARKER = "<!-- lifebuoy -->"  # lets the GitHub webhook recognize our own comments


def new_message_id(ticket_id: int) -> str:
    domain = settings.LIFEBUOY_SUPPORT_EMAIL.rpartition("@")[2] or "lifebuoy.invalid"
    return f"<lifebuoy.{ticket_id}.{uuid.uuid4().hex}@{domain}>"


def delivery_enqueue(
    *,
    kind: str,
    key: str,
    ticket: Ticket | None,
    target: str,
    payload: dict[str, Any],
    now: datetime,
    fresh: bool = False,
) -> Delivery | None:
    """Write one delivery in the caller's transaction; None if ``key`` was already queued.
    ``fresh=True`` when the key names something created in this very transaction (a new
    ticket), so it cannot be queued yet: a plain insert instead of a look-up first.

    An email's Message-ID is chosen here and recorded as part of the ticket's thread, so every
    attempt sends the same Message-ID and the customer's reply finds the ticket.
    """
    message_id = new_message_id(ticket.id if ticket else 0) if kind == DeliveryKind.EMAIL else ""
    defaults = {
        "kind": kind,
        "ticket": ticket,
        "target": target[:500],
        "payload": payload,
        "message_id": message_id,
        "next_attempt_at": now,
        "created_at": now,
    }
    references: list[MailReference] = []
    if message_id and ticket is not None:
        reference = MailReference(
            message_id=message_id,
            ticket=ticket,
            direction=MailReference.Direction.OUTBOUND,
            created_at=now,
        )
        references.append(reference)
    if fresh:  # the reference written by the same statement
        (delivery,) = insert_rows([Delivery(idempotency_key=key, **defaults)], along=references)
    else:
        delivery, created = Delivery.objects.get_or_create(idempotency_key=key, defaults=defaults)
        if not created:
            return None
        insert_rows(references)
    # robust: a broker outage must not fail the committed change; the sweep sends it later.
    enqueue_on_commit(delivery_send_task, delivery.id)
    return delivery


def _footer(ticket: Ticket) -> str:
    confirm = (
        "If the fix works for you, reply with the single word CONFIRMED and we will close the "
        "ticket.\n"
        if ticket.status == Status.RESOLVED
        else ""
    )
    return (
        f"{confirm}Reply to this email to add to {ticket.number}; please keep "
        f"{ticket.subject_token} in the subject.\n"
        f"Follow the ticket online: {portal_ticket_url(ticket.id)}"
    )


def _html(body_html: str, footer_text: str) -> str:
    footer = html.escape(footer_text).replace("\n", "<br>")
    return (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'{body_html}<hr><p style="color:#666;font-size:smaller">{footer}</p></body></html>'
    )


def _email_payload(
    ticket: Ticket, subject: str, text: str, body_html: str, auto_submitted: str = ""
) -> dict[str, Any]:
    # RFC 3834: mark what a machine sent ("auto-replied", "auto-generated"), so no
    # autoresponder answers it.
    headers = {"Auto-Submitted": auto_submitted} if auto_submitted else {}
    footer = _footer(ticket)  # once: its link is a URL reversal
    return {
        "subject": subject,
        "text": f"{text}\n\n-- \n{footer}\n",
        "html": _html(body_html, footer),
        "headers": headers,
    }


def _acknowledgement(ticket: Ticket) -> dict[str, Any]:
    name = html.escape(ticket.requester.display_name)
    due = sla_first_response_due(ticket=ticket)
    when = (
        f": by {reader_time(reader=ticket.requester, at=due)}" if due is not None else ""
    )  # in the requester's own zone
    text = (
        f"Hello {ticket.requester.display_name},\n\n"
        f"we have received your request “{ticket.subject}” and opened ticket {ticket.number} "
        f"({ticket.get_priority_display()}). An engineer will get back to you within the "
        f"response time of your support plan{when}."
    )
    body_html = (
        f"<p>Hello {name},</p><p>we have received your request "
        f"“{html.escape(ticket.subject)}” and opened ticket <strong>{ticket.number}</strong> "
        f"({html.escape(ticket.get_priority_display())}). An engineer will get back to you "
        f"within the response time of your support plan{html.escape(when)}.</p>"
    )
    subject = f"{ticket.subject_token} {ticket.subject}"
    return _email_payload(ticket, subject, text, body_html, "auto-replied")


def _slack_p1(ticket: Ticket) -> dict[str, Any]:
    url = desk_ticket_url(ticket.id)
    line = f"P1 {ticket.number} from {ticket.organization.name}: {ticket.subject}"
    return {
        "text": f"{line} <{url}|Open in Lifebuoy>",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":rotating_light: *New P1* <{url}|{ticket.number}> "
                    f"from *{ticket.organization.name}*\n{ticket.subject}",
                },
            }
        ],
    }


def _webhook_payload(
    event: str, ticket: Ticket, now: datetime, message: Message | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "event": event,
        "occurred_at": now.isoformat(),
        "ticket": {
            "id": ticket.id,
            "number": ticket.number,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "url": portal_ticket_url(ticket.id),
        },
    }
    if message is not None:
        data["message"] = {"id": message.id, "body": message.body, "author": str(message.author)}
    return data


def _webhooks(event: str, ticket: Ticket, now: datetime, message: Message | None = None) -> None:
    org_id = ticket.organization_id
    endpoints = config_cached(
        ("webhook-endpoints", org_id),
        lambda: list(WebhookEndpoint.objects.filter(organization_id=org_id)),
    )
    for endpoint in endpoints:
        if endpoint.wants(event):
            ref = message.id if message is not None else ticket.id
            delivery_enqueue(
                kind=DeliveryKind.WEBHOOK,
                key=f"webhook:{endpoint.id}:{event}:{ref}",
                ticket=ticket,
                target=endpoint.url,
                payload={**_webhook_payload(event, ticket, now, message), "endpoint": endpoint.id},
                now=now,
            )


def slack_target() -> str:
    """Where Slack alerts go: the incoming webhook, else the bot's channel, else nowhere."""
    if settings.LIFEBUOY_SLACK_WEBHOOK_URL:
        return str(settings.LIFEBUOY_SLACK_WEBHOOK_URL)
    if settings.LIFEBUOY_SLACK_BOT_TOKEN and settings.LIFEBUOY_SLACK_CHANNEL:
        return str(settings.LIFEBUOY_SLACK_CHANNEL)
    return ""


def _mailable(address: str) -> bool:
    """People known only by a GitHub or forum login have a reserved .invalid address."""
    return not address.endswith(".invalid")


def _wants_updates(person: User) -> bool:
    """A customer is emailed support's replies unless they turned it off on their profile
    (staff requesters, e.g. of a logged call, always are)."""
    return _mailable(person.email) and (not person.is_customer or person.email_ticket_updates)


def _github_comment(ticket: Ticket, message: Message, now: datetime) -> None:
    thread = ExternalThread.objects.filter(ticket=ticket, source="github").first()
    if thread is None or not settings.LIFEBUOY_GITHUB_TOKEN:
        return
    repo, _, number = thread.key.rpartition("#")
    url = f"{settings.LIFEBUOY_GITHUB_API_URL.rstrip('/')}/repos/{repo}/issues/{number}/comments"
    delivery_enqueue(
        kind=DeliveryKind.GITHUB,
        key=f"github:message:{message.id}",
        ticket=ticket,
        target=url,
        payload={"body": f"{message.body}\n\n{ECHO_MARKER}"},
        now=now,
    )


def _slack_p1_alert(ticket: Ticket, now: datetime) -> None:
    """One alert per ticket that is or becomes P1 (the key makes a second one a no-op)."""
    if ticket.priority == Priority.P1 and slack_target():
        delivery_enqueue(
            kind=DeliveryKind.SLACK,
            key=f"slack:p1:{ticket.id}",
            ticket=ticket,
            target=slack_target(),
            payload=_slack_p1(ticket),
            now=now,
        )


def notifications_on_resolved(*, ticket: Ticket, now: datetime) -> None:
    """Call inside the transaction that resolves a ticket: the customer is asked to confirm the
    fix (the footer says how), which is what closes the ticket."""
    if ticket.channel == Channel.MONITORING or not settings.LIFEBUOY_NOTIFY_EMAIL:
        return
    if not _wants_updates(ticket.requester):
        return
    text = (
        f"Hello {ticket.requester.display_name},\n\n"
        f"we have marked ticket {ticket.number} “{ticket.subject}” as resolved. Please check that "
        "everything works as it should; the ticket closes once you confirm, and any other reply "
        "reopens it."
    )
    body_html = "".join(f"<p>{html.escape(part)}</p>" for part in text.split("\n\n"))
    subject = f"Resolved: {ticket.subject_token} {ticket.subject}"
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=f"email:resolved:{ticket.id}:{now.isoformat()}",
        ticket=ticket,
        target=ticket.requester.email,
        payload=_email_payload(ticket, subject, text, body_html, "auto-generated"),
        now=now,
    )


def notifications_on_priority_change(*, ticket: Ticket, now: datetime) -> None:
    """Call inside ticket_update's transaction when the priority changed."""
    _slack_p1_alert(ticket, now)


def notifications_on_ticket_created(*, ticket: Ticket, now: datetime) -> None:
    """Call inside ticket_create's transaction. Tickets opened by monitoring get no "we have
    received your request" email: nobody sent one, and monitoring tells the owner itself."""
    if (
        ticket.channel != Channel.MONITORING
        and settings.LIFEBUOY_NOTIFY_EMAIL
        and _mailable(ticket.requester.email)
    ):
        delivery_enqueue(
            kind=DeliveryKind.EMAIL,
            key=f"email:ticket-created:{ticket.id}",
            ticket=ticket,
            target=ticket.requester.email,
            payload=_acknowledgement(ticket),
            now=now,
            fresh=True,
        )
    _slack_p1_alert(ticket, now)
    _webhooks("ticket.created", ticket, now)


def notifications_on_message_added(
    *, message: Message, now: datetime, is_automatic: bool = False
) -> None:
    """Call inside message_add's transaction. Internal notes never leave the desk; automatic
    notices are marked ``Auto-Submitted`` so customers' autoresponders do not answer them."""
    if message.is_internal:
        return
    ticket = message.ticket
    if message.author.is_support_staff and message.body:
        _github_comment(ticket, message, now)
    if message.author.is_support_staff and settings.LIFEBUOY_NOTIFY_EMAIL:
        _staff_reply_mail(ticket, message, now, is_automatic=is_automatic)
    _webhooks("message.created", ticket, now, message)


def _staff_reply_mail(
    ticket: Ticket, message: Message, now: datetime, *, is_automatic: bool
) -> None:
    """A staff reply goes out by mail with its attachments (looked up only here: a customer's
    reply, most of what arrives, needs none of this)."""
    files = list(message.attachments.values_list("id", flat=True))
    if not (message.body or files):
        return
    payload = _email_payload(
        ticket,
        f"Re: {ticket.subject_token} {ticket.subject}",
        message.body,
        message.body_html,
        "auto-generated" if is_automatic else "",
    )
    _reply_emails(message, {**payload, "attachments": files}, now)


def _reply_emails(message: Message, payload: dict[str, Any], now: datetime) -> None:
    """A public reply to the requester, and a copy to each customer CC'd on the ticket (one
    delivery each, keyed by message and person, so each gets it once)."""
    ticket = message.ticket
    if _wants_updates(ticket.requester):
        delivery_enqueue(
            kind=DeliveryKind.EMAIL,
            key=f"email:message:{message.id}",
            ticket=ticket,
            target=ticket.requester.email,
            payload=payload,
            now=now,
        )
    for person in ticket_cc_list(ticket_id=ticket.id):
        if _wants_updates(person) and person.id != ticket.requester_id:
            delivery_enqueue(
                kind=DeliveryKind.EMAIL,
                key=f"email:message:{message.id}:cc:{person.id}",
                ticket=ticket,
                target=person.email,
                payload=payload,
                now=now,
            )
