from __future__ import annotations

import pytest

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create


@pytest.fixture
def ticket(alice: User, now) -> Ticket:
    return ticket_create(actor=alice, data=NewTicket("Hub stuck", "It is stuck."), now=now)


@pytest.fixture
def other_ticket(carol: User, now) -> Ticket:
    return ticket_create(actor=carol, data=NewTicket("Slow sync", "It is slow."), now=now)
