"""Scope triage: out-of-scope requests get the handoff reply and are closed or handed off."""

from __future__ import annotations

import pytest

from lifebuoy.core.errors import InvalidState, PermissionDenied
from lifebuoy.escalations.services.triage import scope_triage
from lifebuoy.tickets.models import Message, Status
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("category", "team", "tag"),
    [
        ("custom_development", "Professional Services", "handoff-professional-services"),
        ("third_party", "vendor of that third-party software", "handoff-third-party-vendor"),
        ("training", "Training team", "handoff-training"),
        ("non_technical", "Sales team", "handoff-sales"),
    ],
)
def test_out_of_scope_is_handed_off_with_the_template(alice, bob, now, category, team, tag):
    ticket = ticket_opened(alice, now, category=category)
    ticket = scope_triage(ticket=ticket, actor=bob, close=False, now=now)
    reply = Message.objects.get(ticket=ticket, is_internal=False)
    assert team in reply.body
    assert "outside what Dual Trinity Support covers" in reply.body
    assert ticket.status == Status.PENDING
    assert tag in {t.name for t in ticket.tags.all()}


def test_out_of_scope_can_be_closed(alice, bob, now):
    ticket = ticket_opened(alice, now, category="training")
    ticket = scope_triage(ticket=ticket, actor=bob, close=True, now=now)
    assert ticket.status == Status.CLOSED


def test_in_scope_tickets_are_not_triaged_away(alice, bob, now):
    ticket = ticket_opened(alice, now, category="bug")
    with pytest.raises(InvalidState, match="Bug is within support scope"):
        scope_triage(ticket=ticket, actor=bob, close=True, now=now)


def test_customers_cannot_triage(alice, now):
    ticket = ticket_opened(alice, now, category="training")
    with pytest.raises(PermissionDenied, match="Only support staff triage tickets"):
        scope_triage(ticket=ticket, actor=alice, close=True, now=now)
