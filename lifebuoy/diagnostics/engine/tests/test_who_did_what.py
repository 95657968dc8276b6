"""Who did what: role tokens in more spellings, machine labels, heartbeat files and sweeps."""

from __future__ import annotations

import json

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, agent, ago, checks

BEAT = ".trinity/heartbeat/PC3.json"


@pytest.mark.parametrize(
    ("subject", "expected", "machine"),
    [
        ("C3T1: validated the parser", "cloud/C3", "T1"),
        ("C3T1 MECHANIC: deep scan", "cloud/C3", "T1"),
        ("C2_ARCHITECT: design notes", "cloud/C2", None),
        ("📋 C2 session complete — parser shipped", "cloud/C2", None),
        ("📋 Terminal C1 session complete", "terminal/C1", None),
        ("[PC2] C3: validated", "cloud/C3", "PC2"),
        ("C3 T1: review", "cloud/C3", "T1"),
    ],
)
def test_role_tokens_with_suffixes_and_after_an_emoji_name_their_agent(
    repo, subject, expected, machine
):
    since = repo.commit("Initial notes", {"README.md": "x"}, at=ago(hours=5))
    repo.commit(subject, {"src/a.py": subject}, at=ago(minutes=20))
    report = repo.diagnose_both(since)
    found = agent(report, expected)
    assert (found.status, found.method, found.commits) == ("online", "subject_prefix", 1)
    machines = report.snapshot.history.machines
    assert (list(machines) if machine else []) == ([machine] if machine else [])


@pytest.mark.parametrize(
    "subject", ["C2 session complete", "- C2 session complete", "📋 C12 session", "C12T1: x"]
)
def test_a_role_without_an_emoji_or_colon_names_nobody(repo, subject):
    since = repo.commit("Initial notes", {"README.md": "x"}, at=ago(hours=5))
    repo.commit(subject, {"src/a.py": subject}, at=ago(minutes=20))
    report = repo.diagnose_both(since)
    assert report.snapshot.history.unattributed_commits == 2
    assert all(a.commits == 0 for a in report.snapshot.history.agents.values())


@pytest.mark.parametrize("subject", ["[PC2→HUB] sync status", "[PC2] update", "[PC2 -> HUB] x"])
def test_machine_labels_in_brackets_name_the_machine_not_an_agent(repo, subject):
    since = repo.commit("Initial notes", {"README.md": "x"}, at=ago(hours=5))
    repo.commit(subject, {"hub/status.md": subject}, at=ago(minutes=20))
    report = repo.diagnose_both(since)
    machine = report.snapshot.history.machines["PC2"]
    assert machine.commits == 1
    assert not report.snapshot.history.agents


@pytest.mark.parametrize("profile", ["dual-trinity", "machine-hub", "networked-triad"])
def test_a_heartbeat_file_names_its_machine_by_computer_id_before_hostname(repo, profile):
    beat = {"computer_id": "PC3", "hostname": "desk-7f2a", "status": "online"}
    since = repo.commit("Initial notes", {"README.md": "x"}, at=ago(hours=6))
    repo.commit("daemon: PC3 heartbeat", {BEAT: json.dumps(beat)}, at=ago(hours=5))
    report = repo.diagnose_both(since, profile=profile)
    [finding] = checks(report, "status_contradictions")
    assert finding.summary.startswith(f"{BEAT} says machine PC3 is online")
    assert "desk-7f2a" not in finding.summary
    [stopped] = checks(report, "machine_heartbeats")
    assert "Machine PC3 sent its last heartbeat 5h 00m ago" in stopped.summary


def test_a_recent_heartbeat_in_the_singular_folder_contradicts_nothing(repo):
    beat = {"computer_id": "PC3", "hostname": "desk-7f2a", "status": "online"}
    since = repo.commit("Initial notes", {"README.md": "x"}, at=ago(hours=6))
    repo.commit("daemon: PC3 heartbeat", {BEAT: json.dumps(beat)}, at=ago(minutes=2))
    report = repo.diagnose_both(since)
    assert not checks(report, "status_contradictions")
    assert not checks(report, "machine_heartbeats")
    assert report.snapshot.history.machines["PC3"].heartbeats == 1


def test_a_heartbeat_that_sweeps_other_files_is_reported_and_credits_nobody(repo):
    other = {"computer_id": "PC2", "hostname": "laptop", "status": "online"}
    since = repo.commit("daemon: PC1 heartbeat", {".trinity/heartbeats/PC1.json": "{}"})
    sweep = repo.commit(
        "daemon: PC1 heartbeat",
        {
            ".trinity/heartbeats/PC1.json": '{"beat": 2}',
            f"{CLOUD}/c2_to_c1.md": "# C2 → C1: REPORT\n\nhalf written",
            ".trinity/heartbeats/laptop.json": json.dumps(other),
        },
        at=ago(minutes=1),
    )
    report = repo.diagnose_both(since)
    [finding] = checks(report, "heartbeat_sweeps")
    assert finding.severity.value == "warning"
    assert finding.summary.startswith("1 heartbeat commit(s) of PC1 carried 2 file(s)")
    assert f"{CLOUD}/c2_to_c1.md (Cloud C2)" in finding.summary
    assert ".trinity/heartbeats/laptop.json (machine PC2)" in finding.summary
    assert {e.commit for e in finding.evidence} == {sweep}
    assert finding.solutions
    assert finding.kb_article == "KB-1015"
    assert agent(report, "cloud/C2").status == "never_seen"
    assert report.snapshot.history.heartbeat_commits == 2


def test_a_heartbeat_with_only_its_own_file_is_no_sweep(repo):
    since = repo.commit("daemon: PC1 heartbeat", {".trinity/heartbeats/PC1.json": "{}"})
    repo.commit(
        "daemon: PC1 heartbeat", {".trinity/heartbeats/PC1.json": '{"n": 2}'}, at=ago(minutes=1)
    )
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "done"}, at=ago(seconds=30))
    report = repo.diagnose_both(since)
    assert not checks(report, "heartbeat_sweeps")
    assert agent(report, "cloud/C2").commits == 1
