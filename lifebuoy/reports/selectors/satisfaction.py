"""Satisfaction from the surveys (lifebuoy.surveys): CSAT, NPS and customers' praise.

The cohort of each is the answers submitted in the period (``answered_at`` in ``[start, end)``),
whenever the survey was sent. One query each.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from lifebuoy.core.periods import Period
from lifebuoy.surveys.models import CSAT_MAX, NPS_DETRACTOR, NPS_PROMOTER, Survey, SurveyKind

from .common import CSAT_TARGET, EVERYTHING, NPS_TARGET, Metric, Scope

PRAISE_MAX_CHARS = 280


def _answered_in(kind: str, period: Period, scope: Scope) -> QuerySet[Survey]:
    answers = Survey.objects.filter(
        kind=kind, answered_at__gte=period.start, answered_at__lt=period.end
    )
    return scope.filter(answers)


def csat(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Average rating (1-5) of the CSAT answers submitted in the period."""
    result = _answered_in(SurveyKind.CSAT, period, scope).aggregate(
        average=Avg("rating"), answers=Count("id")
    )
    average = result["average"]
    return Metric(
        key="csat",
        label="CSAT",
        value=None if average is None else float(average),
        target=CSAT_TARGET,
        comparison=">",
        unit="/5",
        count=result["answers"],
    )


def nps(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """% promoters (9-10) minus % detractors (0-6) of the NPS answers submitted in the period,
    from -100 to 100, to one decimal."""
    result = _answered_in(SurveyKind.NPS, period, scope).aggregate(
        answers=Count("id"),
        promoters=Count("id", filter=Q(rating__gte=NPS_PROMOTER)),
        detractors=Count("id", filter=Q(rating__lte=NPS_DETRACTOR)),
    )
    answers = result["answers"]
    value = (
        round(100 * (result["promoters"] - result["detractors"]) / answers, 1) if answers else None
    )
    return Metric(
        key="nps",
        label="NPS",
        value=value,
        target=NPS_TARGET,
        comparison=">",
        count=answers,
    )


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= PRAISE_MAX_CHARS else line[: PRAISE_MAX_CHARS - 1] + "…"


def csat_praise(period: Period, limit: int = 5) -> list[dict[str, Any]]:
    """The latest top-rated (5/5) CSAT answers with a comment submitted in the period, for the
    weekly report's Wins: ticket number, organization and the comment on one line (plain text,
    at most 280 characters)."""
    rows = (
        Survey.objects.filter(
            kind=SurveyKind.CSAT,
            rating=CSAT_MAX,
            answered_at__gte=period.start,
            answered_at__lt=period.end,
        )
        .exclude(comment="")
        .order_by("-answered_at", "-id")
        .values("ticket_id", "organization__name", "comment", "answered_at")[:limit]
    )
    return [
        {
            "ticket_id": row["ticket_id"],
            "number": f"#{row['ticket_id']}",
            "organization": row["organization__name"],
            "comment": _one_line(row["comment"]),
            "answered_at": row["answered_at"],
        }
        for row in rows
    ]
