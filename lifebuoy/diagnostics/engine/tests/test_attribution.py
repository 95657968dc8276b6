from __future__ import annotations

import pytest

from lifebuoy.diagnostics.engine.attribution import Attributor
from lifebuoy.diagnostics.engine.git_types import RawCommit
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, TERMINAL, agent, ago


def attribute(subject: str, body: str = "", files: tuple[str, ...] = (), author=("x", "y")):
    profile = load_profile()
    attributor = Attributor(profile, PathClassifier(profile))
    commit = RawCommit("0" * 40, (), author[0], author[1], 0, subject, body, files)
    return attributor.attribute(commit)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("C3 MECHANIC: fix the parser", "cloud/C3"),
        ("CLOUD-C2: report delivered", "cloud/C2"),
        ("TERMINAL-C2: report delivered", "terminal/C2"),
        ("C1: new task", "cloud/C1"),
        ("C1 MECHANIC: sync", "cloud/C1"),
        ("[C1] assign work", "cloud/C1"),
        ("[CP1C2] build step", "cloud/C2"),
        ("CP1 C3 Cloud: review", "cloud/C3"),
        ("C2_ARCHITECT: design", "cloud/C2"),
        ("C1→C3: please validate", "cloud/C1"),
        ("C1->C3: please validate", "cloud/C1"),
        ("C3 BOOT: online", "cloud/C3"),
        ("ODB (C2): database work", "cloud/C2"),
        ("🏆 C3 Deep Scan: all good", "cloud/C3"),
        ("✅🚀 C2: shipped", "cloud/C2"),
        ("Terminal C3: validated", "terminal/C3"),
    ],
)
def test_it_attributes_subject_prefixes(subject, expected):
    result = attribute(subject)
    assert result.agent == expected
    assert result.method == "subject_prefix"


@pytest.mark.parametrize(
    ("subject", "machine"),
    [
        ("T1: sync files", "T1"),
        ("PC1: update", "PC1"),
        ("CP1: update", "CP1"),
        ("Computer 2: status", "Computer 2"),
    ],
)
def test_it_treats_machine_tokens_as_machines_not_agents(subject, machine):
    result = attribute(subject)
    assert result.agent is None
    assert result.machine == machine


@pytest.mark.parametrize("subject", ["C12: not an agent", "Update README", "PC12 status"])
def test_it_leaves_other_subjects_unattributed(subject):
    assert attribute(subject).agent is None


def test_it_reads_body_signatures_when_the_subject_says_nothing():
    result = attribute("Auto-commit: 2026-03-10 11:00", "Did things.\n\nEXECUTED BY CLOUD-C3")
    assert (result.agent, result.method) == ("cloud/C3", "body_signature")


def test_it_attributes_by_channel_file_ownership():
    result = attribute("update", files=(f"{TERMINAL}/c2_to_c1.md", "src/app.py"))
    assert (result.agent, result.method) == ("terminal/C2", "channel_file")


def test_channel_files_of_two_agents_decide_nothing():
    result = attribute("update", files=(f"{CLOUD}/c2_to_c1.md", f"{CLOUD}/c1_to_c2.md"))
    assert result.agent is None


def test_a_heartbeat_never_attributes_its_swept_payload():
    result = attribute("daemon: PC1 heartbeat", files=(f"{CLOUD}/c2_to_c1.md",))
    assert (result.agent, result.method, result.machine) == (None, "heartbeat", "PC1")


def test_the_trinity_comes_from_the_files_when_the_subject_has_none():
    result = attribute("C2: report", files=(f"{TERMINAL}/c2_to_c1.md",))
    assert result.agent == "terminal/C2"


def test_the_author_map_is_opt_in(tmp_path):
    profile_file = tmp_path / "p.yaml"
    profile_file.write_text(
        "extends: dual-trinity\nname: mine\n"
        "attribution:\n  author_map:\n    alice@example.com: terminal/C1\n"
    )
    profile = load_profile(str(profile_file))
    attributor = Attributor(profile, PathClassifier(profile))
    commit = RawCommit("0" * 40, (), "Alice", "alice@example.com", 0, "tidy up", "", ())
    result = attributor.attribute(commit)
    assert (result.agent, result.method) == ("terminal/C1", "author_map")
    assert attribute("tidy up", author=("Alice", "alice@example.com")).agent is None


def test_the_deciding_method_is_reported_per_agent(repo):
    repo.commit("CLOUD-C2: report", at=ago(minutes=30))
    repo.commit("Auto-commit", body="EXECUTED BY CLOUD-C3", at=ago(minutes=20))
    repo.commit("x", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2: TASK\n"}, at=ago(minutes=10))
    report = repo.diagnose()
    assert agent(report, "cloud/C2").method == "subject_prefix"
    assert agent(report, "cloud/C3").method == "body_signature"
    assert agent(report, "cloud/C1").method == "channel_file"
    assert agent(report, "cloud/C1").status == "online"
