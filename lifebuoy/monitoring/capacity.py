"""Capacity trends for Managed Services: per week, the repository size, commit volume,
consolidation time and cost, each with a straight-line projection of when it will cross its
threshold (the profile's .git size and slow-consolidation limits; the budget's weekly share).

The projection is an ordinary least-squares line through the weekly values; it says nothing
when the trend is flat or falling, or when there are fewer than three weeks of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from lifebuoy.diagnostics.engine.profiles import ProfileError, load_profile
from lifebuoy.monitoring.models import Deployment, DoctorRun, UsageRecord

MIN_POINTS = 3


@dataclass(frozen=True)
class Trend:
    metric: str
    unit: str
    weeks: list[date]  # the Monday starting each week
    values: list[float | None]
    threshold: float | None
    crossing: date | None  # projected; None without a rising trend or a threshold

    @property
    def latest(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def projected_crossing(
    weeks: list[date], values: list[float | None], threshold: float | None
) -> date | None:
    """Where the least-squares line through the known points reaches ``threshold``."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if threshold is None or len(points) < MIN_POINTS:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    if slope <= 0:
        return None
    intercept = mean_y - slope * mean_x
    at = (threshold - intercept) / slope  # in weeks from weeks[0]
    last = len(values) - 1
    if at <= last:
        return weeks[last]  # already crossed on the trend line
    return weeks[0] + timedelta(days=round(at * 7))


Series = list[float | None]


def _from_runs(deployment: Deployment, index: dict[date, int]) -> tuple[Series, Series, Series]:
    """Per week: the largest .git, the commits that arrived, the slowest consolidation (min)."""
    size: Series = [None] * len(index)
    commits: Series = [None] * len(index)
    consolidation: Series = [None] * len(index)
    runs = DoctorRun.objects.filter(deployment=deployment).order_by("created_at", "id")
    rows = runs.values_list("created_at", "git_size_bytes", "new_commits", "consolidation_seconds")
    for n, (at, git_size, new, waited) in enumerate(rows):
        i = index.get(_monday(at.date()))
        if i is None:
            continue
        if git_size is not None:
            size[i] = max(size[i] or 0, float(git_size))
        if n > 0:  # the first run counts the whole history, not the week's commits
            commits[i] = (commits[i] or 0) + new
        if waited is not None:
            consolidation[i] = max(consolidation[i] or 0, waited / 60)
    return size, commits, consolidation


def _from_usage(deployment: Deployment, index: dict[date, int], first: date) -> Series:
    cost: Series = [None] * len(index)
    usage = UsageRecord.objects.filter(deployment=deployment, day__gte=first)
    for day, amount in usage.values_list("day", "cost"):
        i = index.get(_monday(day))
        if i is not None:
            cost[i] = (cost[i] or 0) + float(amount)
    return cost


def _limits(deployment: Deployment) -> tuple[float | None, float | None, float | None]:
    """The profile's .git size (bytes) and slow consolidation (minutes); the weekly budget."""
    budget = deployment.monthly_budget
    weekly = float(budget * 12 / 52) if budget else None
    try:
        thresholds = load_profile(deployment.profile).thresholds
    except ProfileError:
        return None, None, weekly
    return float(thresholds.git_size), thresholds.consolidation_slow.total_seconds() / 60, weekly


def capacity_trends(*, deployment: Deployment, now: datetime, weeks: int = 12) -> list[Trend]:
    first = _monday(now.date()) - timedelta(weeks=weeks - 1)
    mondays = [first + timedelta(weeks=i) for i in range(weeks)]
    index = {monday: i for i, monday in enumerate(mondays)}
    size, commits, consolidation = _from_runs(deployment, index)
    cost = _from_usage(deployment, index, first)
    size_limit, slow_minutes, weekly_budget = _limits(deployment)
    specs: list[tuple[str, str, Series, float | None]] = [
        ("repository_size", "bytes", size, size_limit),
        ("commit_volume", "commits", commits, None),
        ("consolidation_time", "minutes", consolidation, slow_minutes),
        ("cost", "currency", cost, weekly_budget),
    ]
    return [
        Trend(name, unit, mondays, values, limit, projected_crossing(mondays, values, limit))
        for name, unit, values, limit in specs
    ]
