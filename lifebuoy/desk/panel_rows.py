"""Which of the ticket page's panels have anything to show, asked in one statement.

Most tickets have no followers, CCs, Slack thread, escalation, logged time, linked articles or
survey, and each of those panels would otherwise spend a query to find that out. The page asks
first, in one round trip of ``EXISTS`` probes (the statement is written once per process), and
a panel known to be empty renders its empty state without reading. PostgreSQL prepares the
statement once per connection (``lifebuoy.core.prepared``): planning fourteen subqueries cost
it more than running them. A row written between the probe and the panels shows on the next
view, as any row written after the page was read does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache

from django.db import connections
from django.db.models import Field, Model

from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.escalations.models import EscalationState, Firing, Page
from lifebuoy.integrations.slack.models import SlackThread
from lifebuoy.kb.models import TicketArticleLink
from lifebuoy.monitoring.models import Deployment
from lifebuoy.notifications.models import Delivery, TicketCc, TicketFollower
from lifebuoy.surveys.models import Survey
from lifebuoy.tickets.models import Attachment, Message, Ticket
from lifebuoy.timetracking.models import EntryKind, TimeEntry


@dataclass(frozen=True)
class PanelRows:
    """True where the ticket has rows (``time``: or the viewer a running timer;
    ``deployments``: its organization an active monitored deployment; ``attachments``: one of
    its messages a file)."""

    tags: bool
    follow_ups: bool
    followers: bool
    ccs: bool
    slack_thread: bool
    escalation: bool
    time: bool
    kb_links: bool
    deliveries: bool
    survey: bool
    deployments: bool
    attachments: bool


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column.")
    return field.column


def _on_ticket(model: type[Model], field: str = "ticket") -> tuple[str, str]:
    """The table and the column that holds the ticket's id."""
    return model._meta.db_table, _column(model, field)


# Each panel's probe: tables whose rows point at the ticket (any of them counts).
_TICKET_PROBES: dict[str, tuple[tuple[str, str], ...]] = {
    "tags": (_on_ticket(Ticket.tags.through),),
    "follow_ups": (_on_ticket(Ticket, "follow_up_of"),),
    "followers": (_on_ticket(TicketFollower),),
    "ccs": (_on_ticket(TicketCc),),
    "slack_thread": (_on_ticket(SlackThread),),
    "escalation": (_on_ticket(EscalationState), _on_ticket(Firing), _on_ticket(Page)),
    "time": (_on_ticket(TimeEntry),),
    "kb_links": (_on_ticket(TicketArticleLink),),
    "deliveries": (_on_ticket(Delivery),),
    "survey": (_on_ticket(Survey),),
}


def _other_probes(quote: Callable[[str], str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Probes that are not "a row of this table names the ticket": (subquery, parameter). All
    names come from the models; the ids are parameters."""
    timer, deployment, attachment, message = (
        TimeEntry._meta,
        Deployment._meta,
        Attachment._meta,
        Message._meta,
    )
    return {
        # The viewer's running timer shows in the panel whichever ticket it runs on.
        "time": (
            (
                f"SELECT 1 FROM {quote(timer.db_table)} "  # noqa: S608
                f"WHERE {quote(_column(TimeEntry, 'agent'))} = %s "
                f"AND {quote(_column(TimeEntry, 'kind'))} = '{EntryKind.TIMER.value}' "
                f"AND {quote(_column(TimeEntry, 'stopped_at'))} IS NULL",
                "viewer",
            ),
        ),
        "deployments": (
            (
                f"SELECT 1 FROM {quote(deployment.db_table)} "  # noqa: S608
                f"WHERE {quote(_column(Deployment, 'organization'))} = %s "
                f"AND {quote(_column(Deployment, 'is_active'))}",
                "organization",
            ),
        ),
        "attachments": (
            (
                f"SELECT 1 FROM {quote(attachment.db_table)} a JOIN {quote(message.db_table)} m "  # noqa: S608
                f"ON m.{quote(message.pk.column)} = a.{quote(_column(Attachment, 'message'))} "
                f"WHERE m.{quote(_column(Message, 'ticket'))} = %s",
                "ticket",
            ),
        ),
    }


@cache
def _statement(using: str) -> tuple[str, tuple[str, ...]]:
    """The probe statement and, per placeholder, whether it takes the ticket, the viewer or the
    organization."""
    quote = connections[using].ops.quote_name
    others = _other_probes(quote)
    columns: list[str] = []
    params: list[str] = []
    for name in (f.name for f in fields(PanelRows)):
        probes = [
            (f"SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s", "ticket")  # noqa: S608
            for table, column in _TICKET_PROBES.get(name, ())
        ]
        probes.extend(others.get(name, ()))
        columns.append(" OR ".join(f"EXISTS ({probe})" for probe, _ in probes))
        params.extend(role for _, role in probes)
    return "SELECT " + ", ".join(f"({c})" for c in columns), tuple(params)


def panel_rows(
    *, ticket_id: int, viewer_id: int, organization_id: int, using: str = "default"
) -> PanelRows:
    sql, roles = _statement(using)
    values = {"ticket": ticket_id, "viewer": viewer_id, "organization": organization_id}
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, [values[role] for role in roles])
        row = cursor.fetchone()
    return PanelRows(*(bool(value) for value in row or ()))
