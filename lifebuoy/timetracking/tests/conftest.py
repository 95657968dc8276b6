from __future__ import annotations

import pytest

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.tests.factories import TicketFactory


@pytest.fixture
def ticket(alice: User, now) -> Ticket:
    return TicketFactory(requester=alice, opened_at=now)


@pytest.fixture
def other_ticket(carol: User, now) -> Ticket:
    return TicketFactory(requester=carol, opened_at=now)
