"""REST handlers for time tracking, under the ticket they belong to; staff only (customers get
the same 404 as for a missing ticket)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest

from . import selectors, services
from .models import TimeEntry
from .schemas import RunningOut, TicketTimeOut, TimeEntryAddIn, TimeEntryOut

router = Router(tags=["time tracking"])
running_router = Router(tags=["time tracking"])


@router.get("/{ticket_id}/time", response=TicketTimeOut)
def ticket_time_api(request: AuthedRequest, ticket_id: int) -> dict[str, Any]:
    ticket = selectors.time_ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    time = selectors.time_for_ticket(ticket=ticket, viewer=request.auth, now=timezone.now())
    return {
        "ticket_id": ticket.id,
        "logged_seconds": time.logged_seconds,
        "logged_hours": round(time.logged_seconds / 3600, 2),
        "running": time.running,
        "entries": time.entries,
    }


@router.post("/{ticket_id}/time/start", response={201: TimeEntryOut})
def time_timer_start_api(request: AuthedRequest, ticket_id: int) -> Status[TimeEntry]:
    ticket = selectors.time_ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    entry = services.time_timer_start(ticket=ticket, agent=request.auth, now=timezone.now())
    return Status(201, entry)


@router.post("/{ticket_id}/time/stop", response=TimeEntryOut)
def time_timer_stop_api(request: AuthedRequest, ticket_id: int) -> TimeEntry:
    ticket = selectors.time_ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return services.time_timer_stop(ticket=ticket, agent=request.auth, now=timezone.now())


@router.post("/{ticket_id}/time/entries", response={201: TimeEntryOut})
def time_entry_add_api(
    request: AuthedRequest, ticket_id: int, payload: TimeEntryAddIn
) -> Status[TimeEntry]:
    ticket = selectors.time_ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    now = timezone.now()
    data = services.ManualTime(
        minutes=payload.minutes, worked_on=payload.worked_on or now.date(), note=payload.note
    )
    entry = services.time_entry_add(ticket=ticket, agent=request.auth, data=data, now=now)
    return Status(201, entry)


@router.delete("/{ticket_id}/time/entries/{entry_id}", response={204: None})
def time_entry_remove_api(request: AuthedRequest, ticket_id: int, entry_id: int) -> Status[None]:
    """Remove an entry: your own, or anyone's for support leads and admins."""
    entry = selectors.time_entry_get_for_user(
        user=request.auth, ticket_id=ticket_id, entry_id=entry_id
    )
    services.time_entry_remove(entry=entry, actor=request.auth, now=timezone.now())
    return Status(204, None)


@running_router.get("/running", response=RunningOut)
def time_running_api(request: AuthedRequest) -> dict[str, Any]:
    """Your running timer, if any (customers never have one)."""
    return {"running": selectors.time_running_for_agent(agent=request.auth)}
