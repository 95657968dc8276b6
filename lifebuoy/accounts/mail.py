"""Emails about a person's account (a password reset, an invitation, a change of address).

They leave through the outbox like every other email, but the outbox lives in
``notifications``, above this app: ``notifications`` registers its writer here from its
``AppConfig.ready()`` (``account_email_sender_set``), and the account services hand it each
email inside their own transaction, so an email is queued exactly when the change is
committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string


@dataclass(frozen=True)
class AccountEmail:
    """``key`` names what the email is about, so the same email is never queued twice."""

    key: str
    to: str
    subject: str
    text: str


AccountEmailSender = Callable[[AccountEmail, datetime], None]
_sender: list[AccountEmailSender] = []


def account_email_sender_set(sender: AccountEmailSender) -> None:
    """Called once from the outbox's app: where account emails are written."""
    _sender[:] = [sender]


def account_email_queue(*, email: AccountEmail, now: datetime) -> None:
    """Queue ``email`` in the caller's transaction."""
    if not _sender:
        raise ImproperlyConfigured("No outbox is registered for account emails.")
    _sender[0](email, now)


def account_email_render(
    *, key: str, to: str, subject: str, template: str, context: dict[str, object]
) -> AccountEmail:
    """An email whose text is the template ``accounts/email/<template>.txt``."""
    text = render_to_string(f"accounts/email/{template}.txt", context).strip() + "\n"
    return AccountEmail(key=key, to=to, subject=subject, text=text)
