from __future__ import annotations

from datetime import datetime

from ninja import Schema


class PauseOut(Schema):
    started_at: datetime
    ended_at: datetime | None


class ClockInternalOut(Schema):
    """Staff only: how the deadline was set and what happened to it."""

    state: str
    colour: str
    policy: str
    policy_version: int
    priority: str
    calendar: str
    pauses: list[PauseOut]
    minutes_used: int
    minutes_left: int | None
    at_risk_at: datetime | None
    at_risk_notified_at: datetime | None
    breached_at: datetime | None
    explanation: str

    @staticmethod
    def resolve_pauses(obj: object) -> list[dict[str, datetime | None]]:
        pauses: list[tuple[datetime, datetime | None]] = getattr(obj, "pauses", [])
        return [{"started_at": start, "ended_at": end} for start, end in pauses]


class ClockOut(Schema):
    kind: str
    kind_label: str
    status: str  # in_progress, paused, done
    is_goal: bool
    target_minutes: int
    hours: str  # calendar (24/7) or business
    target_text: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    internal: ClockInternalOut | None


class TicketSlaOut(Schema):
    ticket_id: int
    clocks: list[ClockOut]
