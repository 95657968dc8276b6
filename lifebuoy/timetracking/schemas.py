from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from lifebuoy.tickets.schemas import PersonOut


class TimeEntryOut(Schema):
    id: int
    ticket_id: int
    agent: PersonOut
    kind: str
    worked_on: date
    started_at: datetime | None
    stopped_at: datetime | None
    seconds: int | None = Field(None, description="Empty while the timer runs.")
    note: str
    is_running: bool


class TicketTimeOut(Schema):
    ticket_id: int
    logged_seconds: int = Field(..., description="Stopped timers and manual entries.")
    logged_hours: float
    running: TimeEntryOut | None = Field(None, description="Your running timer, on any ticket.")
    entries: list[TimeEntryOut]


class TimeEntryAddIn(Schema):
    minutes: int
    worked_on: date | None = Field(None, description="Default: today (UTC).")
    note: str = ""


class RunningOut(Schema):
    running: TimeEntryOut | None
