"""Messages anywhere in the tree, several addressees, work queues, reports that never arrived."""

from __future__ import annotations

import json

from lifebuoy.diagnostics.engine.tests.gitrepo import ago, checks

QUEUE = ".consciousness/trinity/coordination/work_queue"


def violations(report) -> list[str]:
    return [f.summary for f in checks(report, "protocol_violations")]


def test_headers_in_a_root_level_briefing_are_read(repo):
    since = repo.commit("C1: plan", {"README.md": "# Project\n"}, at=ago(hours=3))
    brief = "# Hand-over\n\nFrom: C3 (validator)\nTo: C2\n\nThe parser fails on empty input.\n"
    repo.commit("C3: notes", {"BRIEFING.md": brief}, at=ago(hours=2))
    [finding] = checks(repo.diagnose_both(since), "protocol_violations")
    assert finding.summary == (
        "BRIEFING.md carries messages between agents that must not talk directly (C3->C2)."
    )
    assert (finding.evidence[0].file, finding.evidence[0].line) == ("BRIEFING.md", 3)


def test_allowed_headers_and_vendored_markdown_are_no_violation(repo):
    since = repo.commit("C1: plan", {"README.md": "# Project\n"}, at=ago(hours=3))
    direct = "**From:** C3\n**To:** C2\n"
    repo.commit(
        "C1: notes",
        {
            "BRIEFING.md": "**From:** C1\n**To:** C2\n\nBuild the parser.\n",
            "node_modules/some-lib/README.md": direct,
            "vendor/tool/NOTES.md": direct,
        },
        at=ago(hours=2),
    )
    assert not violations(repo.diagnose_both(since))


def test_each_forbidden_addressee_of_a_message_is_a_violation(repo):
    since = repo.commit("C1: plan", {"README.md": "# Project\n"}, at=ago(hours=3))
    text = (
        "# Report\n\n**From:** C2\n**To:** C1, C3 (validator)\n\nDone.\n\n"
        "# Review\n\n**From:** C3\n**To:** Cloud-C1 & Cloud-C2\n\nApproved.\n"
    )
    repo.commit("C2: report", {"docs/handover.md": text}, at=ago(hours=2))
    [finding] = checks(repo.diagnose_both(since), "protocol_violations")
    assert finding.summary.endswith("must not talk directly (C2->C3, C3->C2).")
    assert [e.line for e in finding.evidence] == [3, 10]


def test_several_allowed_addressees_are_no_violation(repo):
    since = repo.commit("C1: plan", {"README.md": "# Project\n"}, at=ago(hours=3))
    text = "**From:** C1\n**To:** C2, C3 **Status:** sent to C3 via C2\n"
    repo.commit("C1: assign", {"docs/assignments.md": text}, at=ago(hours=2))
    assert not violations(repo.diagnose_both(since))


def order(status: str, name: str) -> str:
    return json.dumps({"id": name, "status": status, "title": "build the parser"})


def test_an_order_still_open_that_the_coordinator_declared_complete_is_a_finding(repo):
    since = repo.commit(
        "C1: queue work",
        {
            f"{QUEUE}/pending/WO-0042.json": order("PENDING", "WO-0042"),
            f"{QUEUE}/active/wo_0043.json": order("IN_PROGRESS", "WO-0043"),
            f"{QUEUE}/pending/WO-0044.json": order("PENDING", "WO-0044"),
        },
        at=ago(hours=5),
    )
    done = repo.commit(
        "C1: WO-42 and WO-43 complete", {"CHANGELOG.md": "parser\n"}, at=ago(hours=2)
    )
    repo.commit("C2: WO-0044 done", {"src/x.py": "x"}, at=ago(hours=1))  # not the coordinator
    report = repo.diagnose_both(since, profile="coordination-folder")
    found = checks(report, "work_queue")
    assert [f.summary for f in found] == [
        f"Work order wo_0043 is still IN_PROGRESS in {QUEUE}/active/wo_0043.json, but C1 declared "
        "it complete 2h 00m ago.",
        f"Work order WO-0042 is still PENDING in {QUEUE}/pending/WO-0042.json, but C1 declared "
        "it complete 2h 00m ago.",
    ]
    assert all(f.evidence[1].commit == done for f in found)
    assert found[0].severity.value == "warning"


def test_an_order_moved_to_completed_or_never_declared_done_is_fine(repo):
    since = repo.commit(
        "C1: queue work",
        {
            f"{QUEUE}/pending/WO-0042.json": order("PENDING", "WO-0042"),
            f"{QUEUE}/pending/WO-0050.json": order("PENDING", "WO-0050"),
        },
        at=ago(hours=5),
    )
    repo.commit(
        "C1: WO-0042 complete",
        {
            f"{QUEUE}/pending/WO-0042.json": None,
            f"{QUEUE}/completed/WO-0042.json": order("COMPLETED", "WO-0042"),
        },
        at=ago(hours=2),
    )
    assert not checks(repo.diagnose_both(since, profile="coordination-folder"), "work_queue")


def test_reports_on_a_branch_the_coordinator_never_merged_are_found(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=9))
    repo.git("checkout", "-q", "-b", "c2-work")
    repo.commit("C2: build finished", {"reports/BUILD_REPORT.md": "ok"}, at=ago(hours=4))
    repo.commit("C2 → C1: parser ready for review", {"src/p.py": "x"}, at=ago(hours=3))
    repo.commit("C2: tidy", {"src/q.py": "x"}, at=ago(hours=2))
    repo.git("checkout", "-q", "main")
    report = repo.diagnose_both(since, profile="per-branch", incremental=False)
    [finding] = checks(report, "unmerged_reports")
    assert finding.summary == (
        "c2-work has 2 report(s) in 3 commit(s) not merged into main; the oldest is 4h 00m ago."
    )
    assert [e.file for e in finding.evidence] == ["reports/BUILD_REPORT.md", None]
    repo.git("merge", "-q", "--no-edit", "c2-work")
    assert not checks(repo.diagnose(profile="per-branch"), "unmerged_reports")


def test_a_report_on_the_current_branch_missing_from_the_coordinators_branch(repo):
    since = repo.commit("C1: plan", {"README.md": "x"}, at=ago(hours=9))
    repo.git("branch", "c1")
    sync = ".consciousness/sync/sync_log.md"
    repo.commit("C2: nightly sync", {sync: "synced"}, at=ago(hours=3))
    repo.commit("C2: refactor", {"src/x.py": "x"}, at=ago(hours=2))
    report = repo.diagnose_both(since, profile="per-branch", incremental=False)
    [finding] = checks(report, "unmerged_reports")
    assert finding.summary.startswith("main has 1 report(s) in 2 commit(s) not merged into c1")
    assert finding.evidence[0].file == ".consciousness/sync/sync_log.md"
