"""A customer follows the survey link from their email, chooses a rating and sends it; only
the explicit send records it, and the link then only says thank you."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.surveys.models import Survey
from lifebuoy.surveys.services.sending import csat_send
from lifebuoy.tickets.services import NewTicket, TicketChanges, ticket_create, ticket_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/surveys/[A-Za-z0-9_-]+/\?rating=5)")


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    Queue.objects.get_or_create(slug="tier-2", defaults={"name": "Tier 2", "tier": 2})


def test_a_customer_rates_a_resolved_ticket_from_the_email_link(
    chromium, live_server, seeded, alice, bob
):
    now = timezone.now()
    ticket = ticket_create(
        actor=alice, now=now, data=NewTicket(subject="C3 not validating", description="Since 9.")
    )
    ticket = ticket_update(
        ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now
    )
    assert csat_send(ticket=ticket, now=now)
    survey = Survey.objects.get(ticket=ticket)
    email = ticket.deliveries.get(idempotency_key=f"email:survey:csat:{ticket.id}")
    match = LINK.search(email.payload["text"])
    assert match is not None, email.payload["text"]

    page = chromium.new_context().new_page()  # not signed in: the link is the credential
    page.goto(f"{live_server.url}{match[1]}")
    page.wait_for_selector("text=How satisfied are you")
    assert page.is_checked("input[name=rating][value='5']")  # the email's choice, preselected
    survey.refresh_from_db()
    assert survey.answered_at is None  # opening the link records nothing

    page.check("input[name=rating][value='4']")
    page.fill("textarea[name=comment]", "Quick fix, <b>thanks</b>")
    page.click("button:has-text('Send my answer')")
    page.wait_for_selector("text=Thank you!")
    survey.refresh_from_db()
    assert (survey.rating, survey.comment) == (4, "Quick fix, <b>thanks</b>")

    page.goto(f"{live_server.url}{match[1]}")
    page.wait_for_selector("text=Already answered")
    assert Survey.objects.get(id=survey.id).rating == 4
