"""Every branch against the default one, and the repository with no layout at all."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.diagnostics.engine import repo as repo_module
from lifebuoy.diagnostics.engine.incremental import diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import diagnose
from lifebuoy.diagnostics.engine.state import state_decode, state_encode
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, NOW, agent, ago, checks


def branchy(repo) -> str:
    """main with c2 (two old commits of its own), c3 (one fresh commit) and an unrelated
    gh-pages; returns main's tip before its last three commits."""
    repo.commit("C1: plan", {"README.md": "x"}, at=ago(days=20))
    repo.git("checkout", "-q", "-b", "c2")
    repo.commit("C2: parser", {"src/parser.py": "1"}, at=ago(days=12))
    repo.commit("C2: lexer", {"src/lexer.py": "1"}, at=ago(days=10))
    repo.git("checkout", "-q", "main")
    since = repo.commit("C1: more plans", {"PLAN.md": "1"}, at=ago(days=9))
    repo.git("checkout", "-q", "-b", "c3")
    repo.commit("C3: checks", {"tests/t.py": "1"}, at=ago(hours=1))
    repo.git("checkout", "-q", "--orphan", "gh-pages")
    repo.git("rm", "-rfq", ".")
    repo.commit("Site", {"index.html": "<p>docs</p>"}, at=ago(days=30))
    repo.git("checkout", "-q", "main")
    for n in range(3):
        repo.commit(f"C1: step {n}", {"PLAN.md": str(n)}, at=ago(hours=5 - n))
    return since


def summaries(report) -> list[str]:
    return [f.summary for f in checks(report, "branches")]


def test_each_branch_is_described_and_stale_or_unrelated_ones_are_told_apart(repo):
    since = branchy(repo)
    report = repo.diagnose_both(since)
    assert summaries(report) == [
        "c2 has 2 commit(s) not in main and no activity for 10d 0h (limit 7d 0h): stale work "
        "waiting to be merged, 4 commit(s) behind.",
        "3 branch(es) besides main: c2 (2 ahead, 4 behind, last active 10d 0h ago); c3 (1 ahead, "
        "3 behind, last active 1h 00m ago); gh-pages (unrelated, last active 30d 0h ago).",
        "gh-pages shares no history with main (there is no merge-base): an unrelated history, "
        "not work waiting to be merged; last active 30d 0h ago.",
    ]
    stale = checks(report, "branches")[0]
    assert stale.severity.value == "warning"
    assert stale.evidence[0].commit == repo.git("rev-parse", "c2").strip()


def test_a_branch_fast_forwarded_into_main_is_no_longer_ahead(repo):
    since = branchy(repo)
    repo.git("checkout", "-q", "c3")
    repo.git("rebase", "-q", "main")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "c3")
    report = repo.diagnose_both(since)
    assert "c3 (0 ahead, 0 behind" in summaries(report)[1]


def test_a_poll_works_branches_out_without_asking_git(repo, monkeypatch):
    since = branchy(repo)
    profile = load_profile()
    tip = repo.head()
    repo.git("update-ref", "refs/heads/main", since)
    first = diagnose_with_state(repo.path, now=NOW, profile=profile, state=None)
    repo.git("update-ref", "refs/heads/main", tip)
    assert first.state is not None

    def no_git(*args: object) -> None:
        raise AssertionError("git was asked about a branch")

    monkeypatch.setattr(repo_module.Repo, "start_divergence", no_git)
    poll = diagnose_with_state(
        repo.path, now=NOW, profile=profile, state=state_decode(state_encode(first.state))
    )
    monkeypatch.undo()
    assert poll.incremental
    assert to_json(poll.report) == to_json(diagnose(repo.path, now=NOW, profile=profile))


def test_one_branch_only_has_no_branch_findings(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=3))
    repo.commit("C1: more", {"PLAN.md": "x"}, at=ago(hours=2))
    assert not summaries(repo.diagnose_both(since))


def test_an_unrelated_branch_holds_no_reports_waiting_for_a_merge(repo):
    repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=9))
    repo.git("checkout", "-q", "--orphan", "import")
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=5))
    repo.git("checkout", "-q", "main")
    report = diagnose(repo.path, now=NOW, profile=load_profile("per-branch"))
    assert not checks(report, "unmerged_reports")
    assert any("import shares no history with main" in s for s in summaries(report))


def plain_project(repo) -> str:
    since = repo.commit("Initial commit", {"README.md": "# Tool\n"}, at=ago(days=3))
    repo.commit("Add the parser", {"src/parser.py": "x = 1\n"}, at=ago(days=2))
    repo.commit("Fix a typo", {"README.md": "# A tool\n"}, at=ago(days=1))
    return since


def test_a_repository_without_any_layout_gets_one_note_and_exit_0(repo):
    since = plain_project(repo)
    report = repo.diagnose_both(since)
    [finding] = report.findings
    assert (finding.check, finding.severity.value) == ("layout", "info")
    assert finding.summary == "No Dual Trinity layout found; choose a profile."
    assert "coordination-folder" in finding.evidence[1].text
    result = CliRunner().invoke(
        build(), ["doctor", str(repo.path), "--now", NOW.isoformat(), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["check"] for f in data["findings"]] == ["layout"]
    assert data["summary"] == {"worst": "info", "critical": 0, "warning": 0, "info": 1}


def test_a_repository_with_any_agent_is_judged_as_usual(repo):
    since = plain_project(repo)
    repo.commit("C1: plan", {"PLAN.md": "x"}, at=ago(minutes=30))
    report = repo.diagnose_both(since)
    assert not checks(report, "layout")
    assert agent(report, "cloud/C1").status == "online"
    assert any("never appears" in f.summary for f in checks(report, "agent_activity"))


def test_a_branch_whose_tip_main_reached_is_behind_by_what_came_after(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=5))
    repo.git("checkout", "-q", "-b", "c2")
    repo.commit("C2: parser", {"src/parser.py": "1"}, at=ago(hours=4))
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--ff-only", "c2")
    repo.commit("C1: next", {"PLAN.md": "1"}, at=ago(hours=3))
    report = repo.diagnose_both(since)
    assert summaries(report) == [
        "1 branch(es) besides main: c2 (0 ahead, 1 behind, last active 4h 00m ago)."
    ]
