"""Read-only by construction, and robust against the repositories found in the wild."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from lifebuoy.diagnostics.engine.git_types import GitError, UnreadableRepositoryError
from lifebuoy.diagnostics.engine.repo import Repo
from lifebuoy.diagnostics.engine.tests.gitrepo import (
    CLOUD,
    HUB,
    RepoBuilder,
    agent,
    ago,
    checks,
    git,
    run_doctor,
)


def fingerprint(root: Path) -> dict[str, str]:
    """Every file and directory under root (including .git) with a hash of its bytes."""
    seen = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            seen[os.path.relpath(os.path.join(folder, name), root)] = "dir"
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
            stat = os.lstat(path)
            seen[os.path.relpath(path, root)] = f"{digest}:{stat.st_mode}:{stat.st_mtime_ns}"
    return seen


def busy_repository(repo: RepoBuilder) -> RepoBuilder:
    repo.commit("C1: task", {f"{CLOUD}/c1_to_c2.md": "# C1 → C2: TASK\nDo it\n"}, at=ago(hours=5))
    repo.commit("C2: report", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1: REPORT\n"}, at=ago(hours=4))
    repo.commit("C3: talk", {f"{CLOUD}/c3_to_c2.md": "**From:** C3\n**To:** C2\n"}, at=ago(hours=3))
    repo.commit(
        "C1: merge", {"notes.md": "<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n"}, at=ago(hours=2)
    )
    repo.commit(
        "daemon: PC1 heartbeat",
        {f"{HUB}/master_consolidated.md": "real output\n" * 20},
        at=ago(hours=1),
    )
    return repo


def test_the_repository_is_byte_for_byte_unchanged(repo, tmp_path):
    busy_repository(repo)
    (repo.path / "untracked.txt").write_text("local change")
    (repo.path / "notes.md").write_text("edited in the work tree")
    before = fingerprint(repo.path)
    report = run_doctor(repo.path, usage=None)
    assert report.findings
    assert fingerprint(repo.path) == before


def test_a_bare_repository_is_unchanged_too(repo, tmp_path):
    busy_repository(repo)
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(bare))
    before = fingerprint(bare)
    report = run_doctor(bare)
    assert report.snapshot.is_bare
    assert not report.snapshot.has_work_tree
    assert checks(report, "conflict_markers")
    assert fingerprint(bare) == before


def test_only_read_only_subcommands_may_run(repo):
    opened = Repo.open(repo.path)
    for command in ("fetch", "gc", "pull", "commit", "update-ref", "reset", "config"):
        with pytest.raises(GitError, match=f"Refusing to run git {command}: not read-only"):
            opened.run(command)


def test_a_path_that_is_not_a_repository_is_unreadable(tmp_path):
    with pytest.raises(UnreadableRepositoryError, match="cannot be read as a git repository"):
        Repo.open(tmp_path)
    with pytest.raises(UnreadableRepositoryError, match="does not exist"):
        Repo.open(tmp_path / "missing")


def test_a_repository_with_no_commits(repo):
    report = repo.diagnose()
    assert report.snapshot.history.commits_read == 0
    assert any("no commits" in n.reason for n in report.snapshot.not_read)
    assert [f.severity.value for f in report.findings] == ["info"]
    assert not report.has_problems


def test_a_shallow_clone_says_what_it_cannot_see(repo, tmp_path):
    for hour in range(6, 0, -1):
        repo.commit(f"C2: step {hour}", {"work.txt": str(hour)}, at=ago(hours=hour))
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{repo.path}", str(shallow))
    report = run_doctor(shallow)
    assert report.snapshot.is_shallow
    assert report.snapshot.history.commits_read == 2
    assert any("shallow" in n.reason for n in report.snapshot.not_read)


def test_missing_objects_are_reported_not_fatal(repo):
    repo.commit("C1: big file", {"big.bin.txt": "x" * 5000, "ok.md": "=======\n"}, at=ago(hours=1))
    blob = repo.git("rev-parse", "HEAD:big.bin.txt").strip()
    (repo.path / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    report = repo.diagnose()
    assert agent(report, "cloud/C1").status == "online"
    missing = [n for n in report.snapshot.not_read if "big.bin.txt" in n.what]
    assert len(missing) == 1
    assert checks(report, "conflict_markers")


def test_missing_trees_stop_the_history_but_not_the_doctor(repo):
    repo.commit("C2: old", {"a/old.txt": "1"}, at=ago(hours=3))
    repo.commit("C1: new", {"b/new.txt": "2"}, at=ago(hours=1))
    tree = repo.git("rev-parse", "HEAD~1:a").strip()
    (repo.path / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    report = repo.diagnose()
    assert agent(report, "cloud/C1").status == "online"
    assert any("history" in n.what for n in report.snapshot.not_read)


def test_branches_with_unrelated_histories(repo):
    repo.commit("C1: main work", {"a.txt": "1"}, at=ago(hours=3))
    repo.git("checkout", "-q", "--orphan", "c2-work")
    repo.git("rm", "-q", "-rf", ".")
    repo.commit("C2: separate history", {"b.txt": "2"}, at=ago(hours=1))
    repo.git("checkout", "-q", "main")
    only_main = repo.diagnose()
    assert agent(only_main, "cloud/C2").status == "never_seen"
    everything = repo.diagnose(scope=_scope(all_branches=True))
    assert agent(everything, "cloud/C2").status == "online"
    assert set(everything.snapshot.tips) == {"main", "c2-work"}
    one = repo.diagnose(scope=_scope(branch="c2-work"))
    assert agent(one, "cloud/C1").status == "never_seen"


def _scope(**kwargs):
    from lifebuoy.diagnostics.engine.build import Scope

    return Scope(**kwargs)


def test_history_streams_newest_first_and_can_stop_early(repo):
    for hour in range(5, 0, -1):
        repo.commit(f"C2: step {hour}", {f"f{hour}.txt": "x"}, at=ago(hours=hour))
    opened = Repo.open(repo.path)
    stream = opened.iter_log(["HEAD"])
    first = next(stream)
    assert first.subject == "C2: step 1"
    assert first.files == ("f1.txt",)
    stream.close()
    assert opened.log_error is None
    assert [c.subject for c in opened.iter_log(["HEAD"])][-1] == "C2: step 5"


def test_the_refs_listed_alongside_open_are_the_branches(repo):
    repo.commit("C1: plan", {"plan.md": "x"}, at=ago(hours=1))
    repo.git("branch", "feature")
    opened = Repo.open(repo.path)
    first, again = opened.refs(), opened.refs()  # the second asks git afresh
    assert first == again
    assert set(first.branches) == {"main", "feature"}
    assert first.head_branch == "main"


def test_a_git_started_and_left_is_stopped_when_its_block_ends(repo):
    repo.commit("C1: plan", {"plan.md": "x"}, at=ago(hours=1))
    opened = Repo.open(repo.path)
    with (
        pytest.raises(RuntimeError, match="the reader failed"),
        opened.grep("^x", ["HEAD"]) as pending,
    ):
        raise RuntimeError("the reader failed")
    assert pending._process.returncode is not None  # reaped, not left running
    with opened.grep("^x", ["HEAD"]) as pending:
        assert "plan.md" in pending.result(check=False).text
