"""Usage records, the price table, budget alerts once per month, cost per task."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connections

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.monitoring.models import AgentTask, BudgetAlert, Problem, UsageRecord
from lifebuoy.monitoring.selectors import cost_summary, cost_this_month
from lifebuoy.monitoring.services.usage import (
    budget_evaluate,
    model_price_set,
    parse_usage_csv,
    parse_usage_jsonl,
    usage_import,
)
from lifebuoy.notifications.models import Delivery
from tests.concurrency import threaded_db_test

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db

CSV = """date,model,input_tokens,output_tokens,cost_usd
2026-11-02,claude-sonnet,1000000,200000,6.00
2026-11-03,claude-sonnet,500000,100000,
not-a-date,claude-sonnet,1,1,1
"""


def _import(deployment, text, now=T0, kind="csv"):
    parse = parse_usage_csv if kind == "csv" else parse_usage_jsonl
    lines, errors = parse(text)
    return usage_import(deployment=deployment, lines=lines, errors=errors, source=kind, now=now)


def _spend(deployment, amount, day="2026-11-05", now=T0):
    return _import(deployment, f'{{"date": "{day}", "model": "m", "cost": {amount}}}', now, "jsonl")


def test_a_csv_export_is_imported_and_priced(deployment):
    model_price_set(
        model="claude-sonnet", input_per_million=Decimal(3), output_per_million=Decimal(15)
    )
    result = _import(deployment, CSV)
    assert result.imported == 2
    assert result.errors == ["line 4: needs a date, a model and tokens or a cost"]
    priced = UsageRecord.objects.get(day=date(2026, 11, 3))
    assert priced.cost == Decimal("3.000000")  # 0.5 M x 3 + 0.1 M x 15


def test_importing_the_same_export_twice_does_not_double_count(deployment):
    model_price_set(
        model="claude-sonnet", input_per_million=Decimal(3), output_per_million=Decimal(15)
    )
    _import(deployment, CSV)
    _import(deployment, CSV)
    assert UsageRecord.objects.count() == 2
    assert cost_this_month(deployment=deployment, now=T0).cost == Decimal(9)


def test_a_line_without_cost_or_price_is_reported(deployment):
    result = _import(
        deployment, '{"date": "2026-11-02", "model": "unknown", "input_tokens": 5}', kind="jsonl"
    )
    assert result.imported == 0
    assert "no price" in result.errors[0]


def test_a_csv_without_a_header_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        parse_usage_csv("1,2,3\n")
    assert "needs a header with date and model" in refused.value.extra["fields"]["file"]


def test_budget_thresholds_alert_once_each_per_month(acme, alice, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, budget="100")
    assert _spend(deployment, 49).alerts == []
    assert _spend(deployment, 50).alerts == [50]
    assert _spend(deployment, 60).alerts == []
    assert _spend(deployment, 85).alerts == [80]
    assert budget_evaluate(deployment=deployment, now=T0) == []
    [problem] = Problem.objects.filter(kind="budget")
    assert problem.severity == "warning"
    assert problem.ticket is not None
    assert problem.ticket.category == "cost_overruns"
    assert _spend(deployment, 120).alerts == [100]
    assert problem.ticket.messages.filter(body__contains="100%").count() == 1
    assert Problem.objects.filter(kind="budget").count() == 1
    keys = set(Delivery.objects.filter(kind="slack").values_list("idempotency_key", flat=True))
    assert {f"slack:budget:{deployment.id}:2026-11:{t}" for t in (50, 80, 100)} <= keys
    # December: a new month, spending starts again; the problem clears.
    december = T0 + timedelta(days=10)
    assert budget_evaluate(deployment=deployment, now=december) == []
    problem.refresh_from_db()
    assert problem.cleared_at == december
    assert _spend(deployment, 55, day="2026-12-04", now=december).alerts == [50]
    assert BudgetAlert.objects.filter(deployment=deployment).count() == 4


def test_spending_past_every_threshold_at_once_alerts_all_three(acme, alice, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, budget="10")
    assert _spend(deployment, 11).alerts == [50, 80, 100]
    assert Problem.objects.get(kind="budget").severity == "critical"


def test_cost_per_task(deployment):
    _spend(deployment, 30)
    AgentTask.objects.bulk_create(
        AgentTask(deployment=deployment, commit=f"{n:040d}", path="c1_to_c2.md", assigned_at=T0)
        for n in range(4)
    )
    summary = cost_summary(deployment=deployment, start=date(2026, 11, 1), end=date(2026, 12, 1))
    assert (summary.cost, summary.tasks, summary.cost_per_task) == (Decimal(30), 4, Decimal("7.5"))
    empty = cost_summary(deployment=deployment, start=date(2026, 10, 1), end=date(2026, 11, 1))
    assert empty.cost_per_task is None


@threaded_db_test
def test_concurrent_imports_alert_each_threshold_once(acme, alice, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, budget="100")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def post(day):
        try:
            barrier.wait()
            _spend(deployment, 90, day=day)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(d,)) for d in ("2026-11-05", "2026-11-06")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(BudgetAlert.objects.values_list("threshold", flat=True)) == [50, 80, 100]
    assert Problem.objects.filter(kind="budget").count() == 1
