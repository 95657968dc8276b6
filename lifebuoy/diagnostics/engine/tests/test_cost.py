"""Cost overruns from usage records."""

from __future__ import annotations

import json

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, ago, checks
from lifebuoy.diagnostics.engine.usage import UsageError, load_usage


def write_csv(path, rows):
    lines = ["date,model,input_tokens,output_tokens,cost"]
    lines += [f"{d},{m},{i},{o},{c}" for d, m, i, o, c in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_usage_files_in_csv_and_json_lines(tmp_path):
    csv_file = write_csv(
        tmp_path / "u.csv", [("2026-03-01", "opus", 10, 20, "1.50"), ("not a date", "x", 1, 1, 1)]
    )
    records, problems = load_usage(csv_file)
    assert [r.cost for r in records] == [1.5]
    assert problems[0].what == "u.csv line 3"
    jsonl = tmp_path / "u.jsonl"
    jsonl.write_text(json.dumps({"date": "2026-03-01T10:00:00Z", "model": "m", "cost": 2}) + "\n")
    assert load_usage(jsonl)[0][0].cost == 2.0


def test_unusable_usage_files(tmp_path):
    with pytest.raises(UsageError, match=r"missing\.csv cannot be read"):
        load_usage(tmp_path / "missing.csv")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(UsageError, match="needs a header"):
        load_usage(tmp_path / "bad.csv")


def diagnose_with(repo, tmp_path, rows, profile=None):
    records, _ = load_usage(write_csv(tmp_path / "usage.csv", rows))
    return repo.diagnose(usage=records, profile=profile)


def test_cost_per_task_and_no_usage_means_no_cost_finding(repo, tmp_path):
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2\n"}, at=ago(hours=1))
    report = diagnose_with(
        repo,
        tmp_path,
        [("2026-03-09", "opus", 1, 1, "12.00"), ("2026-03-20", "opus", 1, 1, "99.00")],
    )
    [finding] = checks(report, "cost_overrun")
    assert finding.summary == (
        "Spent 12.00 in the last 30 days: 12.00 per assigned task, 12.00 per agent commit."
    )
    assert not checks(repo.diagnose(), "cost_overrun")


@pytest.mark.parametrize(
    ("spent", "severity"), [("55", "info"), ("85", "warning"), ("120", "critical")]
)
def test_budget_thresholds(repo, tmp_path, spent, severity):
    repo.commit("C1: work", at=ago(hours=1))
    profile = tmp_path / "p.yaml"
    profile.write_text("extends: dual-trinity\nname: p\nthresholds:\n  monthly_budget: 100\n")
    report = diagnose_with(
        repo,
        tmp_path,
        [("2026-03-05", "opus", 1, 1, spent), ("2026-02-20", "opus", 1, 1, "500")],
        profile=str(profile),
    )
    budget = [f for f in checks(report, "cost_overrun") if "budget" in f.summary]
    assert [f.severity.value for f in budget] == [severity]


def test_a_spending_spike(repo, tmp_path):
    repo.commit("C1: work", at=ago(hours=1))
    rows = [(f"2026-02-{day:02d}", "opus", 1, 1, "1") for day in range(5, 28)]
    rows += [("2026-03-08", "opus", 1, 1, "40")]
    spikes = [
        f
        for f in checks(diagnose_with(repo, tmp_path, rows), "cost_overrun")
        if "previous four weeks" in f.summary
    ]
    assert spikes[0].severity.value == "warning"
