"""Shared helpers for the SLA tests: instants in local zones, changes to tickets, clocks.

Tickets are opened with ``lifebuoy.tickets.tests.factories.ticket_opened``, through the real
service, so their clocks start as in production."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lifebuoy.sla.models import Clock
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, ticket_update

BERLIN = ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def change(ticket: Ticket, agent, at: datetime, **changes) -> Ticket:
    return ticket_update(ticket=ticket, actor=agent, changes=TicketChanges(**changes), now=at)


def clock_of(ticket: Ticket, kind: str) -> Clock:
    """The ticket's latest clock of ``kind``."""
    return Clock.objects.filter(ticket=ticket, kind=kind).latest("started_at", "id")
