"""What processing a Slack event came to: a status of ``EventStatus`` (or ``WAIT``), why, and
the ticket it touched."""

from __future__ import annotations

from dataclasses import dataclass

WAIT = "wait"  # a reply that came before its thread's first message was processed


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""
    ticket_id: int | None = None
