"""Git conflicts: markers, unmerged paths, conflict commits, simultaneous edits, protocol."""

from __future__ import annotations

import json

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, ago, checks, git, run_doctor

MARKERS = "intro\n<<<<<<< HEAD\nmine\n=======\ntheirs\n>>>>>>> branch\n"
RULES = "Report\n========\n=========================\n====== six\n<<<<<<<< eight\n=======x\n"


def test_conflict_markers_are_exactly_seven_characters(repo):
    repo.commit("C2: report", {"report.md": RULES, "src/code.py": MARKERS}, at=ago(hours=1))
    [finding] = checks(repo.diagnose(), "conflict_markers")
    assert finding.severity.value == "critical"
    assert [(e.file, e.line) for e in finding.evidence] == [
        ("src/code.py", 2),
        ("src/code.py", 4),
        ("src/code.py", 6),
    ]


def test_rules_of_equals_signs_are_not_markers(repo):
    repo.commit("C2: report", {"report.md": RULES + "=======\t\n"}, at=ago(hours=1))
    assert not checks(repo.diagnose(), "conflict_markers")


def test_unmerged_paths_in_the_work_tree(repo):
    repo.commit("C1: base", {"shared.md": "base\n"}, at=ago(hours=3))
    repo.git("checkout", "-q", "-b", "other")
    repo.commit("C2: theirs", {"shared.md": "theirs\n"}, at=ago(hours=2))
    repo.git("checkout", "-q", "main")
    repo.commit("C3: ours", {"shared.md": "ours\n"}, at=ago(hours=1))
    with pytest.raises(Exception, match="exit status 1"):
        repo.git("merge", "-q", "other")
    [finding] = checks(repo.diagnose(), "unmerged_paths")
    assert finding.evidence[0].file == "shared.md"


def test_commits_mentioning_conflicts(repo):
    repo.commit("C1: resolve merge conflict in status", at=ago(hours=2))
    repo.commit("C2: fix", body="There was a CONFLICT in c2_to_c1.md", at=ago(days=3))
    [finding] = checks(repo.diagnose(), "conflict_commits")
    assert finding.severity.value == "warning"
    assert "2 commit(s) mention conflicts, 1 in the last 24 h" in finding.summary


def test_old_conflict_mentions_are_information(repo):
    repo.commit("C1: resolve conflict", at=ago(days=3))
    [finding] = checks(repo.diagnose(), "conflict_commits")
    assert finding.severity.value == "info"


def test_two_agents_editing_one_file_within_minutes(repo):
    repo.commit("C1: edit plan", {"plan.md": "1"}, at=ago(minutes=30))
    repo.commit("C2: edit plan", {"plan.md": "2"}, at=ago(minutes=25))
    repo.commit("C2: edit other", {"other.md": "1"}, at=ago(minutes=20))
    repo.commit("C3: edit other much later", {"other.md": "2"}, at=ago(minutes=1))
    [finding] = checks(repo.diagnose(), "simultaneous_edits")
    assert "1 time(s)" in finding.summary
    assert {e.file for e in finding.evidence} == {"plan.md"}


def test_heartbeats_sweeping_files_are_not_edits(repo):
    repo.commit("C1: edit plan", {"plan.md": "1"}, at=ago(minutes=30))
    repo.commit("daemon: PC1 heartbeat", {"plan.md": "2"}, at=ago(minutes=29))
    assert not checks(repo.diagnose(), "simultaneous_edits")


def test_protocol_violation_by_channel_file_name(repo):
    repo.commit("C2: deliverables", {f"{CLOUD}/c2_to_c3.md": "# deliverables\n"}, at=ago(hours=1))
    [finding] = checks(repo.diagnose(), "protocol_violations")
    assert finding.severity.value == "critical"
    assert f"{CLOUD}/c2_to_c3.md" in finding.summary


def test_the_deliverables_channel_can_be_allowed(repo, tmp_path):
    repo.commit("C2: deliverables", {f"{CLOUD}/c2_to_c3.md": "# deliverables\n"}, at=ago(hours=1))
    profile = tmp_path / "p.yaml"
    profile.write_text(
        'extends: dual-trinity\nname: p\nallowed_pairs: ["C1->C2", "C2->C1", "C1->C3", '
        '"C3->C1", "C2->C3"]\n'
    )
    assert not checks(repo.diagnose(profile=str(profile)), "protocol_violations")


def test_protocol_violation_by_headers_in_documents(repo):
    note = "# Review notes\n\n**From:** C3 (Validator)\n**To:** C2 (Builder)\n\nPlease fix.\n"
    one_line = "From: CLOUD-C2 … To: C3 — handing over directly\n"
    allowed = "**From:** C1\n**To:** C2\n# C1 → C2: TASK\n"
    repo.commit(
        "C3: notes",
        {
            ".consciousness/notes/review.md": note,
            ".consciousness/handover.md": one_line,
            f"{CLOUD}/c1_to_c2.md": allowed,
        },
        at=ago(hours=1),
    )
    found = checks(repo.diagnose(), "protocol_violations")
    by_file = {f.summary.split(" ")[0]: f for f in found}
    assert set(by_file) == {".consciousness/notes/review.md", ".consciousness/handover.md"}
    assert "C3->C2" in by_file[".consciousness/notes/review.md"].summary
    assert by_file[".consciousness/notes/review.md"].evidence[0].line == 3
    assert "C2->C3" in by_file[".consciousness/handover.md"].summary


def test_protocol_violation_in_json_messages(repo):
    chat = [{"from": "C1", "to": "ALL", "text": "hi"}, {"from": "C3", "to": "C2", "text": "psst"}]
    repo.commit("C3: chat", {".trinity/TRINITY_CHAT.json": json.dumps(chat)}, at=ago(hours=1))
    [finding] = checks(repo.diagnose(), "protocol_violations")
    assert "message 2: from C3 to C2" in finding.evidence[0].text
    assert not checks(repo.diagnose(profile="chat-file"), "protocol_violations")


def test_a_branch_behind_its_upstream(repo, tmp_path):
    repo.commit("C1: one", {"a.txt": "1"}, at=ago(hours=3))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo.path), str(clone))
    repo.commit("C1: two", {"a.txt": "2"}, at=ago(hours=2))
    repo.commit("C1: three", {"a.txt": "3"}, at=ago(hours=1))
    git(clone, "fetch", "-q")
    [finding] = checks(run_doctor(clone), "branch_behind")
    assert finding.summary == "main is 2 commit(s) behind origin/main."
    assert not checks(repo.diagnose(), "branch_behind")


@pytest.mark.parametrize(
    "check",
    [
        "conflict_markers",
        "unmerged_paths",
        "conflict_commits",
        "simultaneous_edits",
        "protocol_violations",
        "channel_writer_mismatch",
        "branch_behind",
    ],
)
def test_a_tidy_repository_has_no_conflict_findings(repo, check):
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2: TASK\n"}, at=ago(hours=2))
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: REPORT\n"}, at=ago(hours=1))
    assert not checks(repo.diagnose(), check)


def test_a_subdirectory_path_reads_the_whole_repository(repo):
    repo.commit("C2: code", {"src/app.py": MARKERS}, at=ago(hours=1))
    report = run_doctor(repo.path / "src")
    [finding] = checks(report, "conflict_markers")
    assert finding.evidence[0].file == "src/app.py"
