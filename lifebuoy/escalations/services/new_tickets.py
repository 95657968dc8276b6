"""Whether a ticket being created gives escalation anything to do, decided in the request.

Most new tickets match no active rule above the level they are routed to and are not a P1 to
page: their follow-up task would read the ticket, the rules and the firings to do nothing. This
looks at the ticket in memory instead, against the active rules kept in the configuration cache
(a few seconds old at most), and answers whether the follow-up is worth queuing. A rule saved
after the answer still reaches the ticket through the scheduled ``rules_sweep``.
"""

from __future__ import annotations

from datetime import datetime

from lifebuoy.accounts.models import Queue
from lifebuoy.core.config_cache import config_cached
from lifebuoy.escalations.models import Level, Rule
from lifebuoy.escalations.services.rules import Facts, condition_reason
from lifebuoy.tickets.models import Ticket


def _active_rules() -> list[Rule]:
    return config_cached(("escalation-rules",), lambda: list(Rule.objects.filter(is_active=True)))


def _routed_level(ticket: Ticket) -> int:
    """``queue_level`` of a ticket nobody escalated yet, its queue's tier from the cache."""
    queue_id = ticket.queue_id
    if queue_id is None:
        return int(Level.COMMUNITY)

    def tier() -> int | None:
        return Queue.objects.filter(id=queue_id).values_list("tier", flat=True).first()

    found = config_cached(("queue-tier", queue_id), tier)
    if found is None:
        return int(Level.COMMUNITY)
    return max(int(Level.COMMUNITY), min(found, int(Level.ENGINEERING)))


def rules_may_fire_on_new(*, ticket: Ticket, now: datetime) -> bool:
    """True if an active rule's condition holds for the new ``ticket`` and would move it above
    the level it was routed to. A new ticket has no firings, no escalation and no clock at risk
    yet; its tags are known to the instance (no query when it has none)."""
    level = _routed_level(ticket)
    tags = frozenset(tag.name for tag in ticket.tags.all())
    facts = Facts(tags=tags, sla_at_risk=False, now=now)
    return any(
        rule.target_level > level and condition_reason(rule, ticket, facts) is not None
        for rule in _active_rules()
    )
