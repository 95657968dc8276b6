"""Agent not responding: activity, heartbeats, status contradictions, unanswered messages."""

from __future__ import annotations

import json

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, TERMINAL, agent, ago, checks

STATUS_TABLE = """# Trinity status
| Agent | Role | Status | Current Task |
|-------|------|--------|--------------|
| C1 | Coordinator | 🟢 ONLINE | planning |
| C2 | Builder | 🟢 ONLINE | building |
| C3 | Validator | 🟡 STANDBY | - |
"""


def test_online_offline_and_never_seen_agents(repo):
    repo.commit("C1: plan", at=ago(minutes=30))
    proof = repo.commit("C2: build", at=ago(hours=3))
    report = repo.diagnose()
    assert agent(report, "cloud/C1").status == "online"
    assert agent(report, "cloud/C2").status == "offline"
    assert agent(report, "cloud/C3").status == "never_seen"
    summaries = [f.summary for f in checks(report, "agent_activity")]
    assert any("Cloud C2" in s and "silent for 3h 00m" in s for s in summaries)
    assert any("Cloud C3" in s and "never appears" in s for s in summaries)
    assert not any("Cloud C1 " in s for s in summaries)
    offline = next(f for f in checks(report, "agent_activity") if "Cloud C2" in f.summary)
    assert offline.evidence[0].commit == proof
    assert "subject_prefix" in offline.evidence[0].text


def test_heartbeats_prove_machines_alive_not_agents(repo):
    repo.commit("daemon: PC1 heartbeat", {f"{CLOUD}/c2_to_c1.md": "swept"}, at=ago(minutes=2))
    report = repo.diagnose()
    assert agent(report, "cloud/C2").status == "never_seen"
    assert not checks(report, "machine_heartbeats")
    assert report.snapshot.history.machines["PC1"].heartbeats == 1


def test_a_stopped_heartbeat_is_reported(repo):
    repo.commit("daemon: PC2 heartbeat", at=ago(minutes=45))
    [finding] = checks(repo.diagnose(), "machine_heartbeats")
    assert "PC2" in finding.summary
    assert "45m" in finding.summary


def test_a_status_table_claiming_online_is_contradicted(repo):
    repo.commit("C1: status", {f"{CLOUD}/trinity_status.md": STATUS_TABLE}, at=ago(minutes=5))
    repo.commit("C2: old work", at=ago(hours=9))
    report = repo.diagnose()
    found = checks(report, "status_contradictions")
    assert len(found) == 1
    assert "Cloud C2" in found[0].summary
    assert found[0].evidence[0].line == 5


def test_an_honest_status_table_is_fine(repo):
    repo.commit("C2: work", at=ago(minutes=10))
    repo.commit("C1: status", {f"{CLOUD}/trinity_status.md": STATUS_TABLE}, at=ago(minutes=5))
    assert not checks(repo.diagnose(), "status_contradictions")


def test_heartbeat_json_contradictions_and_future_claims(repo):
    beat = {"machine": "PC1", "status": "online", "timestamp": "2026-03-10T18:00:00Z"}
    repo.commit(
        "daemon: PC1 heartbeat", {".trinity/heartbeats/PC1.json": json.dumps(beat)}, at=ago(hours=2)
    )
    found = checks(repo.diagnose(), "status_contradictions")
    summaries = " ".join(f.summary for f in found)
    assert "machine PC1 is online" in summaries
    assert "later than the commit" in summaries


def test_a_live_machine_with_online_json_is_fine(repo):
    beat = {"machine": "PC1", "status": "online", "timestamp": "2026-03-10T11:59:00Z"}
    repo.commit(
        "daemon: PC1 heartbeat",
        {".trinity/heartbeats/PC1.json": json.dumps(beat)},
        at=ago(minutes=1),
    )
    assert not checks(repo.diagnose(), "status_contradictions")


def test_unanswered_messages(repo):
    repo.commit("C2: last words", at=ago(hours=8))
    repo.commit("C1: task", {f"{TERMINAL}/c1_to_c2.md": "# C1 → C2: TASK\n"}, at=ago(hours=5))
    repo.commit("TERMINAL-C2: earlier", at=ago(hours=6))
    [finding] = checks(repo.diagnose(), "unanswered_messages")
    assert "Terminal C2" in finding.summary
    assert finding.evidence[0].file == f"{TERMINAL}/c1_to_c2.md"


def test_answered_and_fresh_messages_are_fine(repo):
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2: TASK\n"}, at=ago(hours=5))
    repo.commit("C2: on it", at=ago(hours=4))
    repo.commit("C1: validate", {f"{CLOUD}/c1_to_c3.md": "# C1 → C3\n"}, at=ago(minutes=10))
    assert not checks(repo.diagnose(), "unanswered_messages")


def test_machines_without_heartbeats_are_judged_on_their_commits(repo):
    repo.commit("T1: sync files", at=ago(minutes=40))
    repo.commit("Computer 2: status", at=ago(hours=3))
    from lifebuoy.diagnostics.engine.status import machine_statuses

    statuses = {m.machine: m.status for m in machine_statuses(repo.diagnose().snapshot)}
    assert statuses == {"T1": "online", "Computer 2": "offline"}
