"""What escalation does after a ticket changed: the rules look at it again and a P1 from a 24/7
tier pages on-call (using up the ticket's ``PageDue``, which the page sweep would otherwise
take). Runs in a worker, queued after the commit (``hooks.py``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from lifebuoy.escalations.services.page_due import page_trigger_due
from lifebuoy.escalations.services.rules import rules_evaluate_read, rules_ticket_get

logger = logging.getLogger(__name__)


def ticket_event_followup(*, ticket_id: int, now: datetime) -> None:
    """Both steps look at one read of the ticket, each on its own: a failing rule evaluation
    still lets the page go out."""
    ticket = rules_ticket_get(ticket_id=ticket_id)
    if ticket is None:
        return
    steps: tuple[Callable[..., object], ...] = (rules_evaluate_read, page_trigger_due)
    for step in steps:
        try:
            step(ticket=ticket, now=now)
        except Exception:
            logger.exception(
                "Escalation follow-up %s failed for ticket %s", step.__name__, ticket_id
            )
