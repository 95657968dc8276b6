"""Times in mail to a customer are written in their zone: their profile's, else their
organization's (Acme: Berlin), never the server's UTC."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.escalations.services.escalate import EscalationRequest, escalation_escalate
from lifebuoy.escalations.tests.helpers import checklist, owned_by, staff
from lifebuoy.notifications.models import Delivery
from lifebuoy.surveys.services.emails import csat_email
from lifebuoy.tickets.models import Message
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_acknowledgement_says_when_to_expect_an_answer_in_the_customers_zone(alice, now):
    ticket = ticket_opened(alice, now, subject="Outage", priority="P1")  # due 14:00 UTC
    ack = Delivery.objects.get(idempotency_key=f"email:ticket-created:{ticket.id}")
    assert (
        "response time of your support plan: by Tue 24 Nov 2026, 15:00 CET."
        in (ack.payload["text"])
    )
    assert "by Tue 24 Nov 2026, 15:00 CET" in ack.payload["html"]


def test_a_customers_own_zone_wins_over_the_organizations(alice, now):
    alice.timezone = "America/New_York"
    alice.save(update_fields=["timezone"])
    ticket = ticket_opened(alice, now, subject="Outage", priority="P1")
    ack = Delivery.objects.get(idempotency_key=f"email:ticket-created:{ticket.id}")
    assert "by Tue 24 Nov 2026, 09:00 EST." in ack.payload["text"]


def test_the_escalation_notice_gives_the_next_update_in_the_customers_zone(alice, bob, now):
    ticket = owned_by(ticket_opened(alice, now, priority="P1"), bob, now)
    staff("t3@lifebuoy.test", queue="tier-3")
    escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(checklist=checklist(), reason="Senior eyes"),
        now=now + timedelta(minutes=30),
    )
    notice = Message.objects.filter(ticket=ticket, is_internal=False).last()
    assert notice is not None
    assert "CET at the latest" in notice.body
    assert "UTC" not in notice.body


def test_a_survey_link_expires_at_a_time_in_the_customers_zone(alice, now):
    ticket = ticket_opened(alice, now)
    email = csat_email(ticket=ticket, token="t", expires_at=now + timedelta(days=14))
    assert "The link works once, until Tue 08 Dec 2026, 11:00 CET." in email["text"]
