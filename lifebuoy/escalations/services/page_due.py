"""Paging that survives a lost task: the intent to page is written with the ticket.

When a ticket is created as, or becomes, an open P1 from a tier a policy covers, a ``PageDue``
row is written in the ticket service's own transaction (``page_due_record``). The follow-up task
queued after the commit pages at once and deletes the row in one transaction
(``page_trigger_due``). If that task never runs (the broker was down when the commit tried to
queue it, or the worker died), the page sweep finds the row ``PAGE_DUE_GRACE`` later and pages
(``page_due_sweep``). A rolled-back change leaves no row, so nothing is paged for it.

Once only, whoever gets there: both sides lock the row before paging and delete it in the same
transaction; the task waits for a sweep holding it, a sweep skips a row a task holds, and
``Page``'s unique (ticket, policy) stops a second page in any case. Both take the row first and
the page second, so neither waits for the other in the opposite order (no deadlock).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from lifebuoy.escalations.models import Page, PageDue
from lifebuoy.escalations.services.oncall import page_trigger, policy_for_ticket
from lifebuoy.tickets.models import OPEN_STATUSES, Priority, Ticket

logger = logging.getLogger(__name__)

# How long the follow-up task has before the sweep pages in its place: a worker normally takes
# the task within a second, so this only decides who pages when the task is late or lost.
PAGE_DUE_GRACE = timedelta(seconds=10)
# When paging from the sweep fails (an error, not a lost race), it tries again this much later.
PAGE_DUE_RETRY = timedelta(minutes=1)


def _may_page(ticket: Ticket) -> bool:
    """What ``page_trigger`` asks first, from the row alone."""
    return ticket.priority == Priority.P1 and ticket.status in OPEN_STATUSES


def page_due_record(*, ticket: Ticket, now: datetime) -> bool:
    """Call inside the transaction that created or changed ``ticket``: write that it is to be
    paged, if it is an open P1 from a covered tier not paged yet. True if it is due (now or
    already). No query at all for a ticket below P1 or closed."""
    if not _may_page(ticket):
        return False
    policy = policy_for_ticket(ticket)
    if policy is None or Page.objects.filter(ticket_id=ticket.id, policy=policy).exists():
        return False
    # A second change before anyone paged keeps the first row (and its time).
    PageDue.objects.bulk_create(
        [PageDue(ticket_id=ticket.id, created_at=now, due_at=now + PAGE_DUE_GRACE)],
        ignore_conflicts=True,
    )
    return True


def page_trigger_due(*, ticket: Ticket, now: datetime) -> Page | None:
    """``page_trigger`` for the follow-up task: also uses up the ticket's ``PageDue``, waiting
    for a sweep that is paging it right now (which then leaves nothing to do here). Nothing
    at all for a ticket below P1 or closed, most of what a worker follows up: a row left from
    when it was one is the sweep's to clear."""
    if not _may_page(ticket):
        return None
    with transaction.atomic():
        due = list(PageDue.objects.select_for_update().filter(ticket_id=ticket.id))
        page = page_trigger(ticket=ticket, now=now)
        if due:
            PageDue.objects.filter(id__in=[row.id for row in due]).delete()
    return page


def page_due_sweep(*, now: datetime, batch_size: int = 100) -> int:
    """Page for every ``PageDue`` whose time has come (its task was lost or is late), oldest
    first; the number of pages started."""
    ids = list(
        PageDue.objects.filter(due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    return sum(_page_due(due_id, now) for due_id in ids)


def _page_due(due_id: int, now: datetime) -> bool:
    """One row in its own transaction: a failure leaves it for a later sweep and spoils no
    other. A row a task holds is skipped (the task pages); one already gone was handled."""
    try:
        with transaction.atomic():
            due = (
                PageDue.objects.select_for_update(skip_locked=True)
                .filter(id=due_id, due_at__lte=now)
                .first()
            )
            if due is None:
                return False
            ticket = Ticket.objects.select_related("organization").filter(id=due.ticket_id)
            found = ticket.first()
            page = page_trigger(ticket=found, now=now) if found is not None else None
            due.delete()
    except Exception:
        logger.exception("Paging from the sweep failed (page due %s); trying again later", due_id)
        PageDue.objects.filter(id=due_id).update(due_at=now + PAGE_DUE_RETRY)
        return False
    if page is None:
        return False
    logger.warning("Paged for ticket %s from the sweep: no follow-up task did", page.ticket_id)
    return True
