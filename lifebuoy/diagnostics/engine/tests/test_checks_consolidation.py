"""Slow consolidation: repository size, consolidations vs placeholders, slow and large tasks."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.checks.consolidation_time import latest_wait
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, HUB, TERMINAL, ago, checks

REAL = "# Master consolidated output\n\n" + "A finding from both trinities.\n" * 30
PLACEHOLDER = "# Master consolidated\n**Timestamp:** Pending\nAWAITING TERMINAL C1 ACTIVATION\n"


def custom_profile(tmp_path, body: str) -> str:
    path = tmp_path / "profile.yaml"
    path.write_text(f"extends: dual-trinity\nname: custom\n{body}")
    return str(path)


def test_a_large_git_directory_is_reported(repo, tmp_path):
    repo.commit("C1: data", {"data.txt": "x" * 200_000}, at=ago(hours=1))
    profile = custom_profile(tmp_path, "thresholds:\n  git_size: 10KB\n")
    [finding] = checks(repo.diagnose(profile=profile), "repo_size")
    assert "above the 10.0 KB" in finding.summary
    assert not checks(repo.diagnose(), "repo_size")


def test_consolidation_durations_are_measured_from_the_last_input(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: REPORT\n"}, at=ago(hours=5))
    repo.commit("C1: to hub", {f"{HUB}/from_cloud/summary.md": "cloud"}, at=ago(hours=4))
    repo.commit(
        "TERMINAL-C1: consolidate", {f"{HUB}/master_consolidated.md": REAL}, at=ago(hours=3)
    )
    [finding] = checks(repo.diagnose(), "consolidation_time")
    assert finding.severity.value == "warning"
    assert "1 of the last 1 consolidations" in finding.summary
    assert "1h 00m after the last input, 2h 00m after the first" in finding.evidence[0].text


def test_a_quick_consolidation_is_on_time(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(minutes=40))
    repo.commit(
        "TERMINAL-C1: consolidate", {f"{HUB}/master_consolidated.md": REAL}, at=ago(minutes=30)
    )
    [finding] = checks(repo.diagnose(), "consolidation_time")
    assert finding.severity.value == "info"


def test_placeholders_and_refactors_are_not_consolidations(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=5))
    repo.commit(
        "Hub setup: consolidation placeholders",
        {f"{HUB}/master_consolidated.md": PLACEHOLDER},
        at=ago(hours=4),
    )
    repo.commit(
        "Refactor: consolidate 42 detectors into one module", {"src/d.py": "x"}, at=ago(hours=3)
    )
    found = checks(repo.diagnose(), "consolidation_time")
    summaries = " ".join(f.summary for f in found)
    assert "1 placeholder write(s)" in summaries
    assert "1 commit(s) that only mention consolidation" in summaries
    assert "waiting" in summaries
    assert "nothing has been consolidated yet" in summaries


def test_reports_waiting_for_consolidation(repo):
    repo.commit(
        "TERMINAL-C1: consolidate", {f"{HUB}/master_consolidated.md": REAL}, at=ago(hours=6)
    )
    repo.commit("C1: to hub", {f"{HUB}/from_cloud/summary.md": "new"}, at=ago(hours=2))
    found = [f for f in checks(repo.diagnose(), "consolidation_time") if "waiting" in f.summary]
    assert found[0].severity.value == "warning"
    assert "2h 00m" in found[0].summary


def test_slow_and_open_tasks(repo):
    task = f"{TERMINAL}/c1_to_c2.md"
    report_file = f"{TERMINAL}/c2_to_c1.md"
    repo.commit("TERMINAL-C1: task 1", {task: "# C1 → C2: TASK\none"}, at=ago(hours=10))
    repo.commit("TERMINAL-C2: done 1", {report_file: "# C2 → C1\n"}, at=ago(hours=7))
    repo.commit("TERMINAL-C1: task 2", {task: "# C1 → C2: TASK\ntwo"}, at=ago(hours=4))
    found = checks(repo.diagnose(), "slow_tasks")
    summaries = " ".join(f.summary for f in found)
    assert "Terminal C2's current task was assigned 4h 00m ago" in summaries
    assert "1 of Terminal C2's last 1 tasks took longer than 2h 00m (longest 3h 00m)" in summaries


def test_quick_tasks_are_fine(repo):
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2\n"}, at=ago(hours=3))
    repo.commit("C2: done", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=2, minutes=30))
    repo.commit("C1: next", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2\nnext"}, at=ago(minutes=20))
    assert not checks(repo.diagnose(), "slow_tasks")


def test_task_size_of_the_current_assignment(repo, tmp_path):
    text = "# C1 → C2: TASK (old)\nold\n\n# C1 → C2: TASK\n" + "".join(
        f"{n}. do step {n} carefully\n" for n in range(1, 41)
    )
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": text}, at=ago(minutes=5))
    [info] = checks(repo.diagnose(), "task_size")
    assert info.severity.value == "info"
    assert "40 steps" in info.summary
    profile = custom_profile(tmp_path, "thresholds:\n  task_size_words: 100\n")
    [big] = checks(repo.diagnose(profile=profile), "task_size")
    assert big.severity.value == "warning"


def test_reports_on_unmerged_branches_wait_for_consolidation(repo):
    repo.commit("C1: base", {"a.txt": "1"}, at=ago(hours=6))
    repo.git("checkout", "-q", "-b", "c2-branch")
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=3))
    repo.git("checkout", "-q", "main")
    assert not checks(repo.diagnose(), "unmerged_reports")
    [finding] = checks(repo.diagnose(profile="per-branch"), "unmerged_reports")
    assert finding.severity.value == "warning"
    assert finding.summary.startswith(
        "c2-branch has 1 report(s) in 1 commit(s) not merged into main"
    )
    repo.git("merge", "-q", "--no-edit", "c2-branch")
    assert not checks(repo.diagnose(profile="per-branch"), "unmerged_reports")


def test_the_latest_wait_is_measured_from_the_input_before_the_latest_consolidation(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: one\n"}, at=ago(hours=9))
    repo.commit(
        "TERMINAL-C1: consolidate", {f"{HUB}/master_consolidated.md": REAL}, at=ago(hours=8)
    )
    assert latest_wait(repo.diagnose().snapshot) == 3600
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: two\n"}, at=ago(hours=5))
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: three\n"}, at=ago(hours=3))
    repo.commit(
        "TERMINAL-C1: consolidate",
        {f"{HUB}/master_consolidated.md": REAL + "more\n"},
        at=ago(hours=2),
    )
    assert latest_wait(repo.diagnose().snapshot) == 3600  # from the third report, not the second
    repo.commit("C1: placeholder", {f"{HUB}/master_consolidated.md": PLACEHOLDER}, at=ago(hours=1))
    assert latest_wait(repo.diagnose().snapshot) == 3600  # a placeholder is not a consolidation


def test_there_is_no_latest_wait_without_a_consolidation(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=2))
    assert latest_wait(repo.diagnose().snapshot) is None
