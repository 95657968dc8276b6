"""What survey emails and lead alerts say. Pure functions of their inputs: payloads for the
outbox (``subject``, ``text``, ``html``, ``headers``), snapshotted when the delivery is written."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.links import absolute_url, desk_ticket_url
from lifebuoy.notifications.localtime import reader_time
from lifebuoy.surveys.models import CSAT_MAX, CSAT_MIN, NPS_MAX, NPS_MIN, Survey, SurveyKind
from lifebuoy.tickets.models import Ticket

# RFC 3834: a machine sent it, so autoresponders stay quiet.
_HEADERS = {"Auto-Submitted": "auto-generated"}
NPS_QUESTION = "How likely are you to recommend Dual Trinity to a friend or colleague?"
CSAT_QUESTION = "How satisfied are you with the support you received?"


def survey_link(token: str, rating: int | None = None) -> str:
    link = absolute_url(reverse("surveys:answer", args=[token]))
    return link if rating is None else f"{link}?rating={rating}"


def _payload(subject: str, paragraphs: list[str], token: str, scale: range) -> dict[str, Any]:
    ratings_text = "\n".join(f"  {n}: {survey_link(token, n)}" for n in scale)
    text = "\n\n".join(paragraphs[:-1]) + f"\n\n{ratings_text}\n\n{paragraphs[-1]}\n"
    buttons = " ".join(
        f'<a href="{html.escape(survey_link(token, n))}" style="display:inline-block;'
        f'padding:6px 10px;border:1px solid #888;border-radius:4px;text-decoration:none">{n}</a>'
        for n in scale
    )
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:-1])
    return {
        "subject": subject,
        "text": text,
        "html": '<!doctype html><html><body style="font-family:sans-serif">'
        f"{body}<p>{buttons}</p><p>{html.escape(paragraphs[-1])}</p></body></html>",
        "headers": dict(_HEADERS),
    }


def _closing(expires_at: datetime, reader: User) -> str:
    until = reader_time(reader=reader, at=expires_at)  # in the reader's own time zone
    return (
        "Choosing a number opens a short page where you confirm it and may add a comment; "
        f"nothing is recorded until you send it. The link works once, until "
        f"{until}.\n\nThank you,\nDual Trinity Support"
    )


def csat_email(*, ticket: Ticket, token: str, expires_at: datetime) -> dict[str, Any]:
    name = ticket.requester.display_name
    paragraphs = [
        f"Hello {name},",
        f"we resolved ticket {ticket.number} “{ticket.subject}”. {CSAT_QUESTION}",
        f"Choose from {CSAT_MIN} (very dissatisfied) to {CSAT_MAX} (very satisfied):",
        _closing(expires_at, ticket.requester),
    ]
    subject = f"How did we do? {ticket.subject_token} {ticket.subject}"
    return _payload(subject, paragraphs, token, range(CSAT_MIN, CSAT_MAX + 1))


def nps_email(
    *, contact: User, period_label: str, token: str, expires_at: datetime
) -> dict[str, Any]:
    paragraphs = [
        f"Hello {contact.display_name},",
        f"thank you for working with Dual Trinity Support in {period_label}. {NPS_QUESTION}",
        f"Choose from {NPS_MIN} (not at all likely) to {NPS_MAX} (extremely likely):",
        _closing(expires_at, contact),
    ]
    return _payload(
        "One question about Dual Trinity Support", paragraphs, token, range(NPS_MIN, NPS_MAX + 1)
    )


def follow_up_alert_text(survey: Survey) -> str:
    scale = "5" if survey.kind == SurveyKind.CSAT else "10"
    about = (
        f"ticket {survey.ticket.number} “{survey.ticket.subject}”"
        if survey.ticket is not None
        else f"NPS for {survey.period_label}"
    )
    comment = f"\nComment: {survey.comment}" if survey.comment else ""
    return (
        f"{survey.contact.display_name} ({survey.organization.name}) rated {about} "
        f"{survey.rating}/{scale}.{comment}"
    )


def follow_up_email(*, survey: Survey) -> dict[str, Any]:
    link = absolute_url(reverse("surveys:follow_ups"))
    ticket_link = desk_ticket_url(survey.ticket_id) if survey.ticket_id else ""
    text = f"{follow_up_alert_text(survey)}\n\nFollow up: {link}\n"
    if ticket_link:
        text += f"The ticket: {ticket_link}\n"
    return {
        "subject": f"Low {survey.get_kind_display()} rating from {survey.organization.name}",
        "text": text,
        "html": "<p>" + html.escape(text).replace("\n", "<br>") + "</p>",
        "headers": dict(_HEADERS),
    }
