"""REST handlers for SLAs: a ticket's clocks, through the ticket gate."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.tickets.selectors import ticket_get_for_user

from . import selectors
from .schemas import TicketSlaOut

router = Router(tags=["sla"])


@router.get("/{ticket_id}/sla", response=TicketSlaOut)
def ticket_sla_api(request: AuthedRequest, ticket_id: int) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    clocks = selectors.sla_clock_list_for_user(user=request.auth, ticket=ticket, now=timezone.now())
    return {"ticket_id": ticket.id, "clocks": clocks}
