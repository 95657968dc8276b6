"""The queue's "Next deadline" cell, for every state a ticket's SLA summary can be in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import engines
from django.utils import timezone

from lifebuoy.sla.models import Summary, SummaryState
from lifebuoy.tickets.models import Ticket

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CELL = engines["django"].from_string("{% load sla_tags %}{% deadline_cell t now %}")


def cell(state: str | None, due: datetime | None = None) -> str:
    ticket = Ticket()
    if state is not None:
        ticket.sla_summary = Summary(state=state, next_due_at=due)
    return CELL.render({"t": ticket, "now": NOW})


def td(css: str, title: str, text: str) -> str:
    return f'<td data-label="Next deadline" class="sla sla-{css}" title="{title}">{text}</td>'


def due_tag(iso: str, text: str) -> str:
    return f'<time datetime="{iso}" data-sla-due>{text}</time>'


@pytest.mark.parametrize(
    ("state", "due", "expected"),
    [
        (None, None, td("none", "", "—")),
        (SummaryState.NONE, None, td("none", "No running target", "—")),
        (
            SummaryState.OK,
            NOW + timedelta(hours=2, minutes=7),
            td(
                "ok",
                "On track",
                due_tag("2026-11-24T12:07:00+00:00", "in 2\xa0hours, 7\xa0minutes"),
            ),
        ),
        (
            SummaryState.AT_RISK,
            NOW + timedelta(minutes=20),
            td("at_risk", "At risk", due_tag("2026-11-24T10:20:00+00:00", "in 20\xa0minutes")),
        ),
        (
            SummaryState.AT_RISK,
            NOW - timedelta(hours=1),
            td("breached", "At risk", due_tag("2026-11-24T09:00:00+00:00", "1\xa0hour overdue")),
        ),
        (
            SummaryState.BREACHED,
            NOW - timedelta(hours=1),
            td("breached", "Breached", due_tag("2026-11-24T09:00:00+00:00", "1\xa0hour overdue")),
        ),
        (SummaryState.PAUSED, NOW - timedelta(hours=1), td("paused", "Paused", "paused")),
        (
            SummaryState.GOAL,
            NOW - timedelta(days=4),
            td("goal", "Best-effort goal", "goal passed 4\xa0days ago"),
        ),
        (
            SummaryState.GOAL,
            NOW + timedelta(hours=3),
            td("goal", "Best-effort goal", "goal in 3\xa0hours"),
        ),
    ],
)
def test_the_deadline_cell_shows_the_state_and_the_time_left(state, due, expected):
    assert cell(state, due) == expected


def test_the_deadline_cell_gives_the_due_time_in_the_viewers_zone():
    with timezone.override("Europe/Berlin"):
        shown = cell(SummaryState.OK, NOW + timedelta(hours=1))
    assert 'datetime="2026-11-24T12:00:00+01:00"' in shown
