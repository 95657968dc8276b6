"""A monitoring poll starts as few git processes as it can, and still answers like a full run."""

from __future__ import annotations

from typing import Any

from lifebuoy.diagnostics.engine import repo as repo_module
from lifebuoy.diagnostics.engine.incremental import diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import diagnose
from lifebuoy.diagnostics.engine.state import state_decode, state_encode
from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, NOW, ago, checks

CONFLICTED = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n"


def test_a_poll_finds_markers_in_its_one_object_read_without_git_grep(repo, monkeypatch):
    repo.commit("C1: plan", {"notes/a.md": CONFLICTED, "notes/b.md": "fine\n"}, at=ago(hours=3))
    repo.commit("C2: work", {f"{CLOUD}/c2_to_c1.md": "# C2 → C1\n"}, at=ago(hours=2))
    profile = load_profile()
    tip = repo.head()
    first = diagnose_with_state(repo.path, now=NOW, profile=profile, state=None)
    assert first.state is not None
    repo.commit(
        "C2: more",
        {
            "notes/a.md": "resolved\n",  # a marker goes
            "notes/c.md": CONFLICTED + "=======\r\n",  # markers come (not the CRLF one)
            "assets/logo.bin": "\0" + CONFLICTED,  # binary: never searched
        },
        at=ago(hours=1),
    )
    assert repo.head() != tip
    started: list[str] = []
    original = repo_module.Repo.start

    def counting(self: Any, *args: str, **kwargs: Any) -> Any:
        started.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(repo_module.Repo, "start", counting)
    poll = diagnose_with_state(
        repo.path, now=NOW, profile=profile, state=state_decode(state_encode(first.state))
    )
    monkeypatch.undo()
    assert poll.incremental
    assert "grep" not in started
    assert sorted(started) == ["cat-file", "for-each-ref", "ls-files", "rev-parse"]
    full = diagnose(repo.path, now=NOW, profile=profile)
    assert to_json(poll.report) == to_json(full)
    [markers] = checks(full, "conflict_markers")
    assert {(e.file, e.line) for e in markers.evidence} == {
        ("notes/c.md", 2),
        ("notes/c.md", 4),
        ("notes/c.md", 6),
    }


def test_positions_stay_right_when_those_of_dropped_events_are_forgotten(tmp_path, monkeypatch):
    """The stream positions of events that left their bounded lists are forgotten as the
    history is read (memory stays flat); what is kept still pairs inputs like before."""
    from lifebuoy.diagnostics.engine import collect
    from lifebuoy.diagnostics.engine import snapshot as snapshot_module
    from lifebuoy.diagnostics.engine.snapshot import Recent, commit_key, write_key
    from lifebuoy.diagnostics.engine.tests.synthetic import init_bare
    from lifebuoy.diagnostics.engine.tests.test_incremental import polls

    monkeypatch.setattr(snapshot_module, "_writes", lambda limit: Recent(4, write_key))
    monkeypatch.setattr(snapshot_module, "_commits", lambda limit: Recent(3, commit_key))
    monkeypatch.setattr(collect, "PROGRESS_EVERY", 5)
    monkeypatch.setattr(collect, "INDEX_PRUNE", 6)
    found = polls(init_bare(tmp_path / "m.git"), seed=13, rounds=4, first=120)
    assert "consolidation_time" in found
