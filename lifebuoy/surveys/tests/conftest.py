"""Tickets resolved through the ticket services, and surveys sent through the real sweep, so a
test holds the link exactly as the customer's email carries it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import Delivery
from lifebuoy.surveys.models import Survey
from lifebuoy.surveys.services.sending import csat_send
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

LINK = re.compile(r"/surveys/([A-Za-z0-9_-]+)/")


def resolved_ticket(
    requester: User, agent: User, when: datetime, *, category: str = "bug", channel: str = "portal"
) -> Ticket:
    """A ticket ``requester`` opened two hours before ``agent`` resolved it at ``when``."""
    ticket = ticket_opened(requester, when - timedelta(hours=2), category=category, channel=channel)
    return ticket_update(
        ticket=ticket, actor=agent, changes=TicketChanges(status="resolved"), now=when
    )


def token_of(delivery: Delivery) -> str:
    match = LINK.search(delivery.payload["text"])
    assert match is not None, delivery.payload["text"]
    return match[1]


def survey_email(survey: Survey) -> Delivery:
    prefix = "email:survey:csat:" if survey.kind == "csat" else "email:survey:nps:"
    return Delivery.objects.get(
        idempotency_key__startswith=prefix, target=survey.contact.email, ticket=survey.ticket
    )


def send_csat(ticket: Ticket, now: datetime) -> tuple[Survey, str]:
    ticket.refresh_from_db()
    assert csat_send(ticket=ticket, now=now)
    survey = Survey.objects.get(ticket=ticket)
    return survey, token_of(survey_email(survey))


@pytest.fixture
def csat_survey(alice: User, ted: User, now: datetime) -> tuple[Survey, str]:
    ticket = resolved_ticket(alice, ted, now - timedelta(days=1))
    return send_csat(ticket, now)
