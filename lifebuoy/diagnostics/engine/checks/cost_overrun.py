"""Spending from usage records: budget use this month, spikes, and cost per task."""

from __future__ import annotations

from datetime import timedelta

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot, UsageRecord

ID = "cost_overrun"
CATEGORY = Category.COST_OVERRUNS
SEVERITY = Severity.WARNING
BUDGET_STEPS = ((1.0, Severity.CRITICAL), (0.8, Severity.WARNING), (0.5, Severity.INFO))


def run(snapshot: RepoSnapshot) -> list[Finding]:
    if snapshot.usage is None:
        return []
    now = snapshot.now
    records = [r for r in snapshot.usage if r.day <= now]
    if not records:
        return [
            Finding(
                ID,
                CATEGORY,
                Severity.INFO,
                "The usage file has no records before the reference time.",
            )
        ]
    findings = [_summary(snapshot, records)]
    findings.extend(_budget(snapshot, records))
    findings.extend(_spike(snapshot, records))
    return findings


def _summary(snapshot: RepoSnapshot, records: list[UsageRecord]) -> Finding:
    now = snapshot.now
    last30 = [r for r in records if r.day > now - timedelta(days=30)]
    cost = sum(r.cost for r in last30)
    by_model: dict[str, float] = {}
    for record in last30:
        by_model[record.model] = by_model.get(record.model, 0.0) + record.cost
    agent_commits = sum(a.recent_commits for a in snapshot.history.agents.values())
    tasks = snapshot.history.tasks_30d
    per_task = f"{cost / tasks:.2f} per assigned task" if tasks else "no tasks were assigned"
    per_commit = (
        f"{cost / agent_commits:.2f} per agent commit" if agent_commits else "no agent commits"
    )
    summary = f"Spent {cost:.2f} in the last 30 days: {per_task}, {per_commit}."
    proof = tuple(
        note(f"{model}: {amount:.2f}")
        for model, amount in sorted(by_model.items(), key=lambda i: -i[1])[:5]
    )
    return Finding(ID, CATEGORY, Severity.INFO, summary, proof)


def _budget(snapshot: RepoSnapshot, records: list[UsageRecord]) -> list[Finding]:
    budget = snapshot.profile.thresholds.monthly_budget
    if budget is None:
        return []
    now = snapshot.now
    month = [r for r in records if (r.day.year, r.day.month) == (now.year, now.month)]
    spent = sum(r.cost for r in month)
    for share, severity in BUDGET_STEPS:
        if spent >= budget * share:
            summary = (
                f"This month's spending ({spent:.2f}) has reached {spent / budget:.0%} of "
                f"the {budget:.2f} budget."
            )
            return [Finding(ID, CATEGORY, severity, summary)]
    return []


def _spike(snapshot: RepoSnapshot, records: list[UsageRecord]) -> list[Finding]:
    now = snapshot.now
    week = sum(r.cost for r in records if r.day > now - timedelta(days=7)) / 7
    before = [r for r in records if now - timedelta(days=35) < r.day <= now - timedelta(days=7)]
    baseline = sum(r.cost for r in before) / 28
    factor = snapshot.profile.thresholds.cost_spike_factor
    if not before or baseline <= 0 or week <= baseline * factor:
        return []
    summary = (
        f"Daily spending in the last 7 days ({week:.2f}) is {week / baseline:.1f}x the "
        f"previous four weeks ({baseline:.2f})."
    )
    return [Finding(ID, CATEGORY, SEVERITY, summary)]
