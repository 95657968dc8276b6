"""Usage and budgets: the provider's usage export (CSV) or JSON lines, the price table, and
budget alerts at 50 %, 80 % and 100 % of the month's budget, each once per month.

One usage row per deployment, day and model: importing the same export again, or posting the
same day again, replaces the row rather than counting it twice. A line without a cost is
priced from the model's entry in the price table.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.diagnostics.engine.timeutil import parse_instant
from lifebuoy.monitoring.models import (
    BudgetAlert,
    Deployment,
    ModelPrice,
    Problem,
    ProblemKind,
    UsageRecord,
)
from lifebuoy.monitoring.selectors import month_start, next_month, usage_cost_between
from lifebuoy.monitoring.services.common import monitoring_actor
from lifebuoy.monitoring.services.problems import Detected, problem_clear, problem_open
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.tickets.services import message_add

THRESHOLDS = (50, 80, 100)
PROBLEM_AT = 80  # percent of the budget from which the overrun is a problem with a ticket
MAX_LINES = 10_000
MAX_ERRORS = 20
MILLION = Decimal(1_000_000)
_ALIASES = {
    "date": ("date", "day", "timestamp", "time", "created_at", "usage_date"),
    "model": ("model", "model_name", "model_id"),
    "input_tokens": ("input_tokens", "input", "prompt_tokens", "tokens_in"),
    "output_tokens": ("output_tokens", "output", "completion_tokens", "tokens_out"),
    "cost": ("cost", "cost_usd", "amount", "usd"),
}


@dataclass(frozen=True)
class UsageLine:
    day: date
    model: str
    input_tokens: int
    output_tokens: int
    cost: Decimal | None


@dataclass
class UsageImport:
    imported: int = 0
    errors: list[str] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)  # thresholds newly crossed


def _value(row: Mapping[str, Any], name: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    return next((lowered[a] for a in _ALIASES[name] if a in lowered), None)


def _line(row: Any) -> UsageLine:
    if not isinstance(row, Mapping):
        raise ValueError("not an object")
    raw_cost = _value(row, "cost")
    cost = None
    if raw_cost not in (None, ""):
        cost = Decimal(str(raw_cost).strip().lstrip("$"))
        if cost < 0:
            raise ValueError("negative cost")
    input_tokens = int(Decimal(str(_value(row, "input_tokens") or 0)))
    output_tokens = int(Decimal(str(_value(row, "output_tokens") or 0)))
    model = str(_value(row, "model") or "").strip()
    if not model or input_tokens < 0 or output_tokens < 0:
        raise ValueError("no model")
    day = parse_instant(str(_value(row, "date") or "")).date()
    return UsageLine(day, model[:100], input_tokens, output_tokens, cost)


def _parse(rows: Iterable[tuple[int, Any]]) -> tuple[list[UsageLine], list[str]]:
    lines: list[UsageLine] = []
    errors: list[str] = []
    for number, row in rows:
        if len(lines) >= MAX_LINES:
            raise ValidationFailed.for_fields({"file": f"Send at most {MAX_LINES:,} lines."})
        try:
            lines.append(_line(row))
        except (ValueError, TypeError, InvalidOperation, ArithmeticError):
            if len(errors) < MAX_ERRORS:
                errors.append(f"line {number}: needs a date, a model and tokens or a cost")
    return lines, errors


def parse_usage_csv(text: str) -> tuple[list[UsageLine], list[str]]:
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    names = {str(n).strip().lower() for n in reader.fieldnames or ()}
    if not names & set(_ALIASES["date"]) or not names & set(_ALIASES["model"]):
        raise ValidationFailed.for_fields({"file": "The CSV needs a header with date and model."})
    return _parse((n + 2, row) for n, row in enumerate(reader))


def parse_usage_jsonl(text: str) -> tuple[list[UsageLine], list[str]]:
    def rows() -> Iterable[tuple[int, Any]]:
        for number, raw in enumerate(text.splitlines(), start=1):
            if raw.strip():
                try:
                    yield number, json.loads(raw)
                except json.JSONDecodeError:
                    yield number, None

    return _parse(rows())


def _price(line: UsageLine, prices: Mapping[str, ModelPrice]) -> Decimal | None:
    if line.cost is not None:
        return line.cost
    price = prices.get(line.model)
    if price is None:
        return None
    return (
        Decimal(line.input_tokens) * price.input_per_million
        + Decimal(line.output_tokens) * price.output_per_million
    ) / MILLION


def _lock(deployment: Deployment) -> None:
    """Serialize budget arithmetic per deployment: without it, two concurrent imports each
    see only their own rows and a threshold their sum crosses is never alerted."""
    Deployment.objects.select_for_update().filter(id=deployment.id).values_list("id").first()


@transaction.atomic
def usage_import(
    *, deployment: Deployment, lines: list[UsageLine], errors: list[str], source: str, now: datetime
) -> UsageImport:
    """Store the lines (replacing the same day and model), then check the budget."""
    _lock(deployment)
    result = UsageImport(errors=list(errors))
    prices = {
        p.model: p for p in ModelPrice.objects.filter(model__in={line.model for line in lines})
    }
    rows: dict[tuple[date, str], UsageRecord] = {}
    for line in lines:
        cost = _price(line, prices)
        if cost is None:
            if len(result.errors) < MAX_ERRORS:
                result.errors.append(f"{line.day} {line.model}: no cost and no price for the model")
            continue
        rows[(line.day, line.model)] = UsageRecord(
            deployment=deployment,
            day=line.day,
            model=line.model,
            input_tokens=line.input_tokens,
            output_tokens=line.output_tokens,
            cost=cost.quantize(Decimal("0.000001")),
            source=source,
            updated_at=now,
        )
    UsageRecord.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["deployment", "day", "model"],
        update_fields=["input_tokens", "output_tokens", "cost", "source", "updated_at"],
    )
    result.imported = len(rows)
    result.alerts = budget_evaluate(deployment=deployment, now=now)
    return result


def model_price_set(
    *, model: str, input_per_million: Decimal, output_per_million: Decimal
) -> ModelPrice:
    if not model.strip() or input_per_million < 0 or output_per_million < 0:
        raise ValidationFailed.for_fields({"model": "A model name and non-negative prices."})
    price, _ = ModelPrice.objects.update_or_create(
        model=model.strip(),
        defaults={"input_per_million": input_per_million, "output_per_million": output_per_million},
    )
    return price


def _alert_once(
    deployment: Deployment, month: date, threshold: int, spent: Decimal, now: datetime
) -> bool:
    try:
        with transaction.atomic():
            BudgetAlert.objects.create(
                deployment=deployment, month=month, threshold=threshold, spent=spent, created_at=now
            )
    except IntegrityError:
        return False  # already alerted this month (perhaps by a concurrent import)
    return True


def _slack_budget(
    deployment: Deployment, month: date, threshold: int, spent: Decimal, now: datetime
) -> None:
    target: str = settings.LIFEBUOY_SLACK_WEBHOOK_URL
    if not target:
        return
    text = (
        f":moneybag: *{deployment.name}* ({deployment.organization.name}) has used {threshold}% "
        f"of its {month:%B %Y} budget: {spent:.2f} of {deployment.monthly_budget:.2f}."
    )
    delivery_enqueue(
        kind=DeliveryKind.SLACK,
        key=f"slack:budget:{deployment.id}:{month:%Y-%m}:{threshold}",
        ticket=None,
        target=target,
        payload={"text": text},
        now=now,
    )


def _budget_problem(deployment: Deployment, threshold: int, spent: Decimal, now: datetime) -> None:
    budget = deployment.monthly_budget
    summary = (
        f"This month's spending ({spent:.2f}) has reached {threshold}% of the {budget:.2f} budget."
    )
    detected = Detected(
        kind=ProblemKind.BUDGET,
        severity="critical" if threshold >= 100 else "warning",
        summary=summary,
    )
    if problem_open(deployment=deployment, detected=detected, now=now) is not None:
        return
    problem = (
        Problem.objects.filter(deployment=deployment, kind=ProblemKind.BUDGET, cleared_at=None)
        .select_related("ticket")
        .first()
    )
    if problem is not None and problem.ticket is not None:
        message_add(
            ticket=problem.ticket,
            author=monitoring_actor(),
            body=summary,
            now=now,
            is_internal=True,
        )


@transaction.atomic
def budget_evaluate(*, deployment: Deployment, now: datetime) -> list[int]:
    """Alert each threshold crossed this month once; clear the problem once back under it."""
    budget = deployment.monthly_budget
    if budget is None:
        return []
    _lock(deployment)
    month = month_start(now.date())
    spent = usage_cost_between(deployment=deployment, start=month, end=next_month(month))
    crossed = [
        t
        for t in THRESHOLDS
        if spent * 100 >= budget * t and _alert_once(deployment, month, t, spent, now)
    ]
    for threshold in crossed:
        _slack_budget(deployment, month, threshold, spent, now)
    if crossed and crossed[-1] >= PROBLEM_AT:
        _budget_problem(deployment, crossed[-1], spent, now)
    if spent * 100 < budget * PROBLEM_AT:
        for problem in Problem.objects.filter(
            deployment=deployment, kind=ProblemKind.BUDGET, cleared_at=None
        ).select_related("ticket", "deployment__owner"):
            problem_clear(
                problem=problem, now=now, reason="Spending is back under 80% of the budget."
            )
    return crossed
