"""The mirror's fetch: refs read without git give exactly ``git show-ref --head``, the
fetched objects are complete, and housekeeping runs only when git's thresholds say so."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from lifebuoy.monitoring import mirror
from lifebuoy.monitoring.mirror import mirror_state, mirror_sync, mirrors_root

from .conftest import T0


def _show_ref(path):
    done = subprocess.run(
        ["git", "show-ref", "--head"], cwd=path, capture_output=True, text=True, check=False
    )
    return done.stdout


def test_the_refs_read_from_files_are_what_git_lists(customer_repo):
    customer_repo.commit("C1: plan", at=T0)
    customer_repo.git("tag", "-a", "v1", "-m", "release")  # packed with a peeled line
    customer_repo.git("branch", "feature/x")
    state = mirror_sync(repository=str(customer_repo.path), location="m.git")
    path = mirrors_root() / "m.git"
    assert mirror._ref_listing(path) == _show_ref(path)
    customer_repo.commit("C2: build", at=T0 + timedelta(minutes=1))
    customer_repo.git("branch", "-D", "feature/x")
    customer_repo.git("tag", "v2")
    moved = mirror_sync(repository=str(customer_repo.path), location="m.git")
    assert mirror._ref_listing(path) == _show_ref(path)  # now loose refs over packed ones
    assert "feature/x" not in _show_ref(path)  # pruned
    assert moved.refs_digest != state.refs_digest
    assert moved.head == customer_repo.git("rev-parse", "HEAD").strip()
    fsck = subprocess.run(
        ["git", "fsck", "--connectivity-only"], cwd=path, capture_output=True, check=False
    )
    assert fsck.returncode == 0, fsck.stderr


def test_an_empty_repository_and_an_unexpected_ref_fall_back_to_git(customer_repo):
    empty = mirror_sync(repository=str(customer_repo.path), location="m.git")
    assert empty.head == ""
    customer_repo.commit("C1: plan", at=T0)
    state = mirror_sync(repository=str(customer_repo.path), location="m.git")
    path = mirrors_root() / "m.git"
    (path / "refs" / "heads" / "odd").write_text("ref: refs/heads/nowhere\n")
    assert mirror._ref_listing(path) is None
    assert mirror_state(path).head == state.head


@pytest.mark.parametrize(("limit", "due"), [(0, True), (50, False)])
def test_housekeeping_runs_only_past_the_pack_limit(customer_repo, monkeypatch, limit, due):
    customer_repo.commit("C1: plan", at=T0)
    mirror_sync(repository=str(customer_repo.path), location="m.git")
    customer_repo.commit("C2: build", at=T0 + timedelta(minutes=1))
    calls: list[list[str]] = []
    real = mirror._git_start

    def spy(args, **kwargs):
        calls.append(args)
        return real(args, **kwargs)

    monkeypatch.setattr(mirror, "GC_AUTO_PACK_LIMIT", limit)
    monkeypatch.setattr(mirror, "_git_start", spy)
    mirror_sync(repository=str(customer_repo.path), location="m.git")
    assert (["maintenance", "run", "--auto", "--quiet"] in calls) is due
    assert "--no-auto-maintenance" in calls[0]


def test_work_done_during_the_fetch_is_returned_and_its_error_leaves_a_whole_mirror(
    customer_repo,
):
    customer_repo.commit("C1: plan", at=T0)
    first, value = mirror.mirror_sync_while(
        repository=str(customer_repo.path), location="m.git", work=lambda: 42
    )
    assert value == 42
    assert first.head == customer_repo.git("rev-parse", "HEAD").strip()
    customer_repo.commit("C2: build", at=T0 + timedelta(minutes=1))

    def broken() -> None:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        mirror.mirror_sync_while(repository=str(customer_repo.path), location="m.git", work=broken)
    path = mirrors_root() / "m.git"
    assert not list(path.rglob("*.lock"))  # git was let finish, not killed half-way
    assert mirror_state(path).head == customer_repo.git("rev-parse", "HEAD").strip()


def test_a_failed_fetch_names_the_command_and_git_s_specific_reason(customer_repo, tmp_path):
    customer_repo.commit("C1: plan", at=T0)
    mirror_sync(repository=str(customer_repo.path), location="m.git")
    customer_repo.path.rename(tmp_path / "gone")
    with pytest.raises(mirror.MirrorError) as failure:
        mirror_sync(repository=str(customer_repo.path), location="m.git")
    message = str(failure.value)
    assert message.startswith("git fetch failed: fatal: ")
    assert "does not appear to be a git repository" in message
