"""Reopens, first contact resolution, handle time, KB deflection (satisfaction is in
``satisfaction``)."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, Sum

from lifebuoy.accounts.models import STAFF_ROLES
from lifebuoy.core.periods import Period
from lifebuoy.kb.models import Outcome, SuggestionRecord
from lifebuoy.kb.selectors import DeflectionRate, kb_deflection_rate

from .common import (
    EVERYTHING,
    FCR_TARGET,
    REOPEN_TARGET,
    Metric,
    Scope,
    _created_in,
    _ratio,
    _resolved_in,
)


def reopen_rate(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Of the tickets created in the period and resolved at least once, the share reopened."""
    counts = scope.filter(_created_in(period)).aggregate(
        resolved=Count("id", filter=Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )
    return Metric(
        key="reopen_rate",
        label="Reopen rate",
        value=_ratio(counts["reopened"], counts["resolved"]),
        target=REOPEN_TARGET,
        comparison="<",
        unit="%",
        count=counts["resolved"],
    )


# -- Volume -----------------------------------------------------------------------------------


def first_contact_resolution(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Of the tickets resolved in the period, the share resolved with exactly one public agent
    reply and never reopened."""
    counts = (
        scope.filter(_resolved_in(period))
        .annotate(
            agent_replies=Count(
                "messages",
                filter=Q(messages__is_internal=False, messages__author__role__in=STAFF_ROLES),
            )
        )
        .aggregate(
            total=Count("id"),
            fcr=Count("id", filter=Q(agent_replies=1, reopen_count=0)),
        )
    )
    return Metric(
        key="first_contact_resolution",
        label="First contact resolution",
        value=_ratio(counts["fcr"], counts["total"]),
        target=FCR_TARGET,
        comparison=">",
        unit="%",
        count=counts["total"],
    )


def kb_deflection(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Scoped to a tier or organization, only the attempts of that organization's people."""
    if scope.is_everything:
        rate = kb_deflection_rate(since=period.start, until=period.end)
    else:
        records = SuggestionRecord.objects.filter(
            created_at__gte=period.start, created_at__lt=period.end
        )
        counts = scope.filter(records).aggregate(
            deflected=Count("id", filter=Q(outcome=Outcome.DEFLECTED)),
            submitted=Count("id", filter=Q(outcome=Outcome.SUBMITTED)),
        )
        rate = DeflectionRate(deflected=counts["deflected"], submitted=counts["submitted"])
    return Metric(
        key="kb_deflection_rate",
        label="Knowledge-base deflection rate",
        value=rate.rate,
        unit="%",
        count=rate.attempts,
    )


def average_handle_time(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Of the tickets resolved in the period with time logged, the average total logged time per
    ticket in hours. Logged time is stopped timers and manual entries; running timers count only
    once stopped."""
    counts = (
        scope.filter(_resolved_in(period))
        .annotate(logged=Sum("time_entries__seconds"))
        .filter(logged__gt=0)
        .aggregate(n=Count("id"), avg=Avg("logged"))
    )
    return Metric(
        key="average_handle_time",
        label="Average handle time",
        value=float(counts["avg"]) / 3600 if counts["avg"] is not None else None,
        unit="h",
        count=counts["n"],
        note="no target; shown for its trend",
    )
