"""What a customer turned off on their profile is not emailed: support's replies and the
"please confirm" of a resolution (as requester or CC), and satisfaction surveys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.notifications.models import Delivery
from lifebuoy.notifications.staff.following import ticket_cc_add
from lifebuoy.surveys.services.sending import csat_sweep
from lifebuoy.surveys.tests.conftest import resolved_ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def _emailed(ticket_id: int) -> list[str]:
    deliveries = Delivery.objects.filter(ticket_id=ticket_id, kind="email")
    return sorted(
        d.target for d in deliveries if not d.idempotency_key.startswith("email:ticket-created")
    )


@pytest.mark.parametrize("who_opts_out", ["nobody", "alice", "carol"])
def test_replies_and_resolutions_skip_who_turned_them_off(who_opts_out, alice, carol, ted, now):
    ticket = ticket_opened(alice, now, subject="Hub stuck")
    ticket_cc_add(ticket=ticket, actor=ted, email=carol.email, now=now)
    for person in (alice, carol):
        if person.email.startswith(who_opts_out):
            person.email_ticket_updates = False
            person.save(update_fields=["email_ticket_updates"])
    message_add(ticket=ticket, author=ted, body="Try a restart.", now=now)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    everyone = {"alice@acme.example": 2, "carol@acme.example": 1}  # a reply each, alice resolved
    expected = {a: n for a, n in everyone.items() if not a.startswith(who_opts_out)}
    got = _emailed(ticket.id)
    assert {a: got.count(a) for a in set(got)} == expected


def test_a_customer_who_turned_surveys_off_is_not_surveyed(alice, carol, ted, now):
    alice.email_surveys = False
    alice.save(update_fields=["email_surveys"])
    resolved_ticket(alice, ted, now - timedelta(days=2))
    resolved_ticket(carol, ted, now - timedelta(days=2))
    assert csat_sweep(now=now).sent == 1
    surveyed = Delivery.objects.filter(idempotency_key__startswith="email:survey:")
    assert list(surveyed.values_list("target", flat=True)) == ["carol@acme.example"]
