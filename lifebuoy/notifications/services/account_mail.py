"""Account emails (``accounts.mail``) written to the outbox: plain text, an HTML twin, and no
ticket, so they never join a ticket's mail thread."""

from __future__ import annotations

import html
from datetime import datetime

from lifebuoy.accounts.mail import AccountEmail
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue


def _html(text: str) -> str:
    paragraphs = "".join(
        "<p>" + html.escape(part).replace("\n", "<br>") + "</p>"
        for part in text.strip().split("\n\n")
    )
    return f'<!doctype html><html><body style="font-family:sans-serif">{paragraphs}</body></html>'


def account_email_enqueue(email: AccountEmail, now: datetime) -> None:
    """``accounts.mail``'s sender: one delivery per key (a repeated key queues nothing)."""
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=email.key,
        ticket=None,
        target=email.to,
        payload={
            "subject": email.subject[:200],
            "text": email.text,
            "html": _html(email.text),
            # RFC 3834: a machine sent it, so no autoresponder answers it.
            "headers": {"Auto-Submitted": "auto-generated"},
        },
        now=now,
    )
