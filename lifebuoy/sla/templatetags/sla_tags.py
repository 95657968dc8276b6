"""How a ticket's SLA shows on other apps' pages, so those pages need no SLA code."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import date, timesince_filter, timeuntil_filter
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from lifebuoy.sla.models import Summary, SummaryState
from lifebuoy.tickets.models import Ticket

register = template.Library()

_RUNNING = (SummaryState.OK, SummaryState.AT_RISK)


@register.simple_tag
def deadline_cell(ticket: Ticket, now: datetime) -> SafeString:
    """The queue's "Next deadline" cell, coloured by state. A running deadline that has passed
    shows as breached before the sweep records it. Built here rather than from a template
    because the queue shows it on every row."""
    try:
        summary: Summary | None = ticket.sla_summary
    except ObjectDoesNotExist:
        summary = None
    state = summary.state if summary else ""
    due = summary.next_due_at if summary else None
    late = due is not None and due < now
    return format_html(
        '<td data-label="Next deadline" class="sla sla-{}" title="{}">{}</td>',
        "breached" if late and state in _RUNNING else state or "none",
        summary.get_state_display() if summary else "",
        _deadline_text(state, due, late, now),
    )


def _deadline_text(state: str, due: datetime | None, late: bool, now: datetime) -> str:
    if state == SummaryState.PAUSED:
        return "paused"
    if state == SummaryState.GOAL:
        if late:
            return format_html("goal passed {} ago", timesince_filter(due, now))
        return format_html("goal in {}", timeuntil_filter(due, now))
    if due is None:
        return "—"
    return format_html(
        '<time datetime="{}" data-sla-due>{}</time>',
        date(localtime(due), "c"),
        f"{timesince_filter(due, now)} overdue" if late else f"in {timeuntil_filter(due, now)}",
    )
