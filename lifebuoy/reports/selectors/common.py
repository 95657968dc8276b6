"""Targets, the Metric value every selector returns, and the filters they share."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Case, Value, When
from django.db.models import IntegerField as IntField

from lifebuoy.accounts.models import PLAN_TIER
from lifebuoy.core.periods import Period
from lifebuoy.tickets.models import Ticket

SLA_ATTAINMENT_TARGET = 0.95
RESOLUTION_TARGET_HOURS: dict[str, float] = {"P1": 4, "P2": 24, "P3": 48, "P4": 7 * 24}
REOPEN_TARGET = 0.05
ESCALATION_TARGET = 0.10
FCR_TARGET = 0.70
CSAT_TARGET = 4.5
NPS_TARGET = 50.0


@dataclass(frozen=True)
class Metric:
    """One number with its target. ``met`` is None when there is nothing to judge."""

    key: str
    label: str
    value: float | None
    target: float | None = None
    comparison: str = ""  # "<", ">" or ">=": how value must compare with target
    unit: str = ""  # "%" (value is a share 0..1), "h", "/5" or ""
    count: int | None = None  # size of the cohort the value is computed on
    note: str = ""
    met: bool | None = field(init=False)

    def __post_init__(self) -> None:
        met: bool | None = None
        if self.value is not None and self.target is not None:
            if self.comparison == "<":
                met = self.value < self.target
            elif self.comparison == ">":
                met = self.value > self.target
            elif self.comparison == ">=":
                met = self.value >= self.target
        object.__setattr__(self, "met", met)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def show(self, value: float | None = None) -> str:
        value = self.value if value is None else value
        if value is None:
            return self.note or "no data"
        if self.unit == "%":
            return f"{value * 100:.1f}%"
        if self.unit == "h":
            return f"{value:.1f} h"
        if self.unit == "/5":
            return f"{value:.2f}/5"
        return f"{value:g}"

    def target_text(self) -> str:
        if self.target is None:
            return "no target"
        return f"{self.comparison} {self.show(self.target)}".replace(">=", "≥")


@dataclass(frozen=True)
class Scope:
    """Which tickets a metric looks at: all of them, one support tier's, or one organization's.

    ``filter`` narrows any queryset whose rows reach a ticket through ``prefix`` (``""`` for
    tickets themselves, ``"ticket__"`` for clocks, messages or surveys of a ticket).
    """

    tier: int | None = None
    organization_id: int | None = None

    @property
    def is_everything(self) -> bool:
        return self.tier is None and self.organization_id is None

    def filter(self, queryset: Any, prefix: str = "") -> Any:
        if self.organization_id is not None:
            queryset = queryset.filter(**{f"{prefix}organization_id": self.organization_id})
        if self.tier is not None:
            plans = [plan for plan, tier in PLAN_TIER.items() if int(tier) == self.tier]
            queryset = queryset.filter(**{f"{prefix}organization__plan__in": plans})
        return queryset


EVERYTHING = Scope()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def sla_metric(key: str, label: str, met: int, decided: int) -> Metric:
    """SLA attainment: the share of decided clocks that were met, against the 95% target."""
    return Metric(
        key=key,
        label=label,
        value=_ratio(met, decided),
        target=SLA_ATTAINMENT_TARGET,
        comparison=">=",
        unit="%",
        count=decided,
    )


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 3600


def _created_in(period: Period) -> Any:
    return Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def _resolved_in(period: Period) -> Any:
    return Ticket.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)


def _tier_of_ticket(prefix: str = "") -> Case:
    """The support tier of the ticket's organization's plan, computed in SQL."""
    by_tier: dict[int, list[str]] = {}
    for plan, tier in PLAN_TIER.items():
        by_tier.setdefault(int(tier), []).append(plan)
    return Case(
        *(
            When(**{f"{prefix}organization__plan__in": plans}, then=Value(tier))
            for tier, plans in sorted(by_tier.items())
        ),
        default=Value(0),
        output_field=IntField(),
    )


# -- Response time ----------------------------------------------------------------------------
