"""The ticket page's requester panel: who asked, their organization and plan, the time where
they are, their other open tickets, and how the organization's deployments are doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from lifebuoy.accounts.models import Organization, User
from lifebuoy.accounts.timezones import zone_parse
from lifebuoy.monitoring.selectors import (
    DeploymentHealth,
    deployment_health_list_for_organization,
)
from lifebuoy.tickets.models import OPEN_STATUSES, Ticket
from lifebuoy.tickets.selectors import ticket_visible

OTHER_TICKETS_SHOWN = 5
OTHER_TICKETS_COUNTED = 100  # beyond this the panel says "more than 100": a requester with
# thousands of tickets would otherwise cost a count of all of them on every page view


@dataclass(frozen=True)
class RequesterPanel:
    requester: User
    organization: Organization
    zone: tzinfo  # where the requester is: their own zone, else their organization's
    now: datetime
    other_open: list[Ticket]  # the newest few
    other_open_count: int
    deployments: list[DeploymentHealth]

    @property
    def more_open(self) -> str:
        """How many other open tickets the panel does not list ("" for none)."""
        if self.other_open_count > OTHER_TICKETS_COUNTED:
            return f"more than {OTHER_TICKETS_COUNTED - len(self.other_open)}"
        unlisted = self.other_open_count - len(self.other_open)
        return str(unlisted) if unlisted else ""

    @property
    def open_in_all(self) -> str:
        if self.other_open_count > OTHER_TICKETS_COUNTED:
            return f"more than {OTHER_TICKETS_COUNTED}"
        return str(self.other_open_count)


def requester_panel(
    *, user: User, ticket: Ticket, now: datetime, deployments: bool = True
) -> RequesterPanel:
    """The panel for ``ticket`` as ``user`` (staff) sees it. Other tickets are the requester's
    open ones in the ticket's organization that ``user`` may see. ``deployments=False``: the
    caller knows the organization has no active deployment, so none is read."""
    others = (
        ticket_visible(user=user)
        .filter(
            requester_id=ticket.requester_id,
            organization_id=ticket.organization_id,
            status__in=OPEN_STATUSES,
        )
        .exclude(id=ticket.id)
        .order_by("-last_activity_at", "-id")
    )
    shown = list(others.only("id", "subject", "status", "priority")[: OTHER_TICKETS_SHOWN + 1])
    count = len(shown)
    if count > OTHER_TICKETS_SHOWN:
        count = others.order_by().values("id")[: OTHER_TICKETS_COUNTED + 1].count()
    return RequesterPanel(
        requester=ticket.requester,
        organization=ticket.organization,
        zone=zone_parse(ticket.requester.timezone)
        or zone_parse(ticket.organization.timezone)
        or UTC,
        now=now,
        other_open=shown[:OTHER_TICKETS_SHOWN],
        other_open_count=count,
        deployments=deployment_health_list_for_organization(organization=ticket.organization)
        if deployments
        else [],
    )
