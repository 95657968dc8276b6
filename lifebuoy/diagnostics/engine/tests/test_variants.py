"""The other layout variants from the protocol description, each with its built-in profile."""

from __future__ import annotations

import json

from lifebuoy.diagnostics.engine.tests.gitrepo import agent, ago, checks

FOLDER = ".consciousness/trinity/coordination"


def test_coordination_folder_json_messages(repo):
    task = {"from": "C1", "to": "C2", "type": "task"}
    direct = {"from": "C2", "to": "C3", "type": "deliverable"}
    repo.commit(
        "C1: queue task",
        {f"{FOLDER}/messages/c1_to_c2_0001.json": json.dumps(task)},
        at=ago(hours=3),
    )
    repo.commit(
        "update", {f"{FOLDER}/messages/c2_to_c3_0002.json": json.dumps(direct)}, at=ago(hours=1)
    )
    report = repo.diagnose(profile="coordination-folder")
    assert agent(report, "cloud/C2").method == "channel_file"
    found = checks(report, "protocol_violations")
    assert any("c2_to_c3_0002.json" in f.summary for f in found)
    assert any("from C2 to C3" in e.text for f in found for e in f.evidence)


def test_networked_triad_computer_status_files(repo):
    status = {"computer": "Computer 2", "status": "online", "timestamp": "2026-03-10T11:00:00Z"}
    repo.commit(
        "Computer 2: sync",
        {".consciousness/sync/computer_2_status.json": json.dumps(status)},
        at=ago(hours=5),
    )
    report = repo.diagnose(profile="networked-triad")
    assert [a.agent for a in _agents(report)] == ["triad/C1", "triad/C2", "triad/C3"]
    found = checks(report, "status_contradictions")
    assert any("machine Computer 2 is online" in f.summary for f in found)


def test_machine_hub_heartbeats(repo):
    beat = {"machine": "PC3", "status": "online"}
    repo.commit(
        "daemon: PC3 heartbeat",
        {".trinity/heartbeats/PC3.json": json.dumps(beat)},
        at=ago(minutes=3),
    )
    report = repo.diagnose(profile="machine-hub")
    assert report.snapshot.history.machines["PC3"].heartbeats == 1
    assert not checks(report, "machine_heartbeats")
    assert not checks(report, "status_contradictions")


def _agents(report):
    from lifebuoy.diagnostics.engine.status import agent_statuses

    return agent_statuses(report.snapshot)
