"""What escalation does after a ticket changed: the rules look at it again and a P1 from a 24/7
tier pages on-call. Runs in a worker, queued after the commit (``hooks.py``)."""

from __future__ import annotations

import logging
from datetime import datetime

from lifebuoy.escalations.services.oncall import page_trigger_for_ticket
from lifebuoy.escalations.services.rules import rules_evaluate_ticket

logger = logging.getLogger(__name__)


def ticket_event_followup(*, ticket_id: int, now: datetime) -> None:
    """Each step on its own: a failing rule evaluation still lets the page go out."""
    for step in (rules_evaluate_ticket, page_trigger_for_ticket):
        try:
            step(ticket_id=ticket_id, now=now)
        except Exception:
            logger.exception(
                "Escalation follow-up %s failed for ticket %s", step.__name__, ticket_id
            )
