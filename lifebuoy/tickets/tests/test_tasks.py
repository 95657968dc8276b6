from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import TicketChanges, ticket_update
from lifebuoy.tickets.tasks import ticket_autoclose_sweep

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_autoclose_task_closes_quiet_resolved_tickets(alice, ted, settings):
    settings.LIFEBUOY_AUTOCLOSE_DAYS = 3
    long_ago = timezone.now() - timedelta(days=4)
    ticket = ticket_opened(alice, long_ago)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=long_ago)
    assert ticket_autoclose_sweep() == 1
    assert Ticket.objects.get(id=ticket.id).status == Status.CLOSED
