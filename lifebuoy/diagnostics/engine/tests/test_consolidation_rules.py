"""What counts as a consolidation, and which inputs feed it."""

from __future__ import annotations

from datetime import datetime

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, HUB, TERMINAL, ago, checks, git

REAL = "# Master consolidated output\n\n" + "A finding from both trinities.\n" * 30
MASTER = f"{HUB}/master_consolidated.md"


def merge(repo, *branches: str, at: datetime) -> str:
    stamp = f"{int(at.timestamp())} +0000"
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    git(repo.path, "merge", "-q", "--no-ff", "--no-edit", *branches, env=env)
    return repo.head()


def agents_on_branches(repo) -> None:
    repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=6))
    repo.git("checkout", "-q", "-b", "c2")
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: built\n"}, at=ago(hours=3))
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", "c3")
    repo.commit("C3: review", {f"{CLOUD}/c3_to_c1.md": "# C3 → C1: ok\n"}, at=ago(minutes=140))
    repo.git("checkout", "-q", "main")


def summaries(report) -> list[str]:
    return [f.summary for f in checks(report, "consolidation_time")]


def test_a_merge_announced_by_the_next_commit_is_a_consolidation_at_the_merge(repo):
    agents_on_branches(repo)
    merged = merge(repo, "c2", "c3", at=ago(hours=2))
    assert repo.git("log", "-1", "--format=%s").startswith("Merge branches 'c2' and 'c3'")
    repo.commit("C1: all branches converged", {"NOTES.md": "done"}, at=ago(minutes=110))
    report = repo.diagnose_both(merged)  # the poll reads the announcement after the merge
    [finding] = checks(report, "consolidation_time")
    assert finding.summary == "The last 1 consolidations were on time."
    [proof] = finding.evidence
    assert proof.commit == merged
    assert proof.text.startswith("20m after the last input, 1h 00m after the first")


def test_a_merge_nobody_announces_is_no_consolidation(repo):
    agents_on_branches(repo)
    merged = merge(repo, "c2", "c3", at=ago(hours=2))
    repo.commit("C1: tidy up", {"NOTES.md": "done"}, at=ago(minutes=110))
    assert summaries(repo.diagnose_both(merged)) == [
        "2 report(s) have been waiting up to 3h 00m and nothing has been consolidated yet."
    ]


def test_a_rename_with_no_content_change_is_not_a_consolidation(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: built\n"}, at=ago(hours=5))
    since = repo.commit("TERMINAL-C1: draft", {f"{HUB}/draft.md": REAL}, at=ago(hours=4))
    repo.git("mv", f"{HUB}/draft.md", MASTER)
    repo.commit("TERMINAL-C1: consolidated", at=ago(hours=3))
    found = summaries(repo.diagnose_both(since))
    assert found == [
        "1 report(s) have been waiting up to 5h 00m and nothing has been consolidated yet.",
        "0 placeholder write(s) to consolidation files and 0 commit(s) that only mention "
        "consolidation were not counted as consolidations; nor were 1 rename(s) of a file into "
        "a consolidation file with no change to its content.",
    ]


def test_a_rename_that_changes_the_content_is_a_consolidation(repo):
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: built\n"}, at=ago(hours=5))
    since = repo.commit("TERMINAL-C1: draft", {f"{HUB}/draft.md": REAL}, at=ago(hours=4))
    repo.commit(
        "TERMINAL-C1: consolidated",
        {f"{HUB}/draft.md": None, MASTER: REAL + "And one more finding.\n"},
        at=ago(hours=3),
    )
    assert summaries(repo.diagnose_both(since)) == [
        "1 of the last 1 consolidations took longer than 30m after their last input."
    ]


def test_an_input_written_with_the_consolidation_is_not_its_input(repo):
    since = repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: a\n"}, at=ago(hours=3))
    both = repo.commit(
        "TERMINAL-C1: consolidate",
        {f"{TERMINAL}/c2_to_c1.md": "# C2 → C1: b\n", MASTER: REAL},
        at=ago(hours=2),
    )
    report = repo.diagnose_both(since)
    durations, waiting = checks(report, "consolidation_time")
    assert durations.evidence[0].commit == both
    assert durations.evidence[0].text.startswith("1h 00m after the last input, 1h 00m after")
    assert waiting.summary == (
        "1 report(s) have been waiting up to 2h 00m since the last consolidation."
    )
    assert [e.commit for e in waiting.evidence] == [both, both]


def test_an_input_pushed_after_the_consolidation_is_not_its_input(repo):
    since = repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: a\n"}, at=ago(hours=4))
    repo.commit("TERMINAL-C1: consolidate", {MASTER: REAL}, at=ago(hours=2))
    late = repo.commit(  # authored before the consolidation, committed on top of it
        "C2: late report", {f"{TERMINAL}/c2_to_c1.md": "# C2 → C1: b\n"}, at=ago(hours=3)
    )
    report = repo.diagnose_both(since)
    durations, waiting = checks(report, "consolidation_time")
    assert durations.evidence[0].text.startswith("2h 00m after the last input, 2h 00m after")
    assert waiting.evidence[-1].commit == late


def test_an_input_on_a_branch_never_merged_feeds_no_consolidation(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=6))
    repo.git("checkout", "-q", "-b", "c2")
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: built\n"}, at=ago(hours=3))
    repo.git("checkout", "-q", "main")
    repo.commit("TERMINAL-C1: consolidate", {MASTER: REAL}, at=ago(hours=1))
    report = repo.diagnose_both(since, profile="per-branch", incremental=False)
    assert not checks(report, "consolidation_time")
    [unmerged] = checks(report, "unmerged_reports")
    assert unmerged.summary.startswith("c2 has 1 report(s) in 1 commit(s) not merged into main")


def test_an_input_merged_before_the_consolidation_feeds_it(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=6))
    repo.git("checkout", "-q", "-b", "c2")
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: built\n"}, at=ago(hours=3))
    repo.git("checkout", "-q", "main")
    merge(repo, "c2", at=ago(hours=2))
    repo.commit("TERMINAL-C1: consolidate", {MASTER: REAL}, at=ago(hours=1))
    report = repo.diagnose_both(since, profile="per-branch", incremental=False)
    assert summaries(report) == [
        "1 of the last 1 consolidations took longer than 30m after their last input."
    ]
    assert not checks(report, "unmerged_reports")
