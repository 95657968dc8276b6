"""A run from an earlier run's state plus the new commits equals a full run, always."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from lifebuoy.diagnostics.engine import incremental
from lifebuoy.diagnostics.engine import snapshot as snapshot_module
from lifebuoy.diagnostics.engine.incremental import StatefulReport, diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import Profile, load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import Report, diagnose
from lifebuoy.diagnostics.engine.snapshot import Events, Recent, commit_key, write_key
from lifebuoy.diagnostics.engine.state import (
    EVENT_NAMES,
    StateError,
    state_decode,
    state_encode,
)
from lifebuoy.diagnostics.engine.tests.gitrepo import git
from lifebuoy.diagnostics.engine.tests.synthetic import History, init_bare

START = int(datetime(2026, 3, 1, tzinfo=UTC).timestamp())
PROFILE = load_profile("dual-trinity")


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def full(path: Path, now: datetime, profile: Profile = PROFILE) -> dict[str, Any]:
    return to_json(diagnose(path, now=now, profile=profile))


def step(
    path: Path, now: datetime, blob: bytes | None, profile: Profile = PROFILE
) -> tuple[StatefulReport, bytes | None]:
    """One poll: the state goes through its stored form, as monitoring keeps it."""
    state = state_decode(blob) if blob is not None else None
    result = diagnose_with_state(path, now=now, profile=profile, state=state)
    return result, state_encode(result.state) if result.state is not None else None


def new_since(path: Path, old: str) -> int:
    return int(git(path, "rev-list", "--count", f"{old}..main").strip())


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    return init_bare(tmp_path / "mirror.git")


def polls(
    mirror: Path, seed: int, rounds: int, first: int = 60, profile: Profile = PROFILE
) -> set[str]:
    """The checks that found something along the way."""
    history = History(mirror, seed=seed, start=START)
    last = history.append(first)
    now_ts = last + 60
    result, blob = step(mirror, at(now_ts), None, profile)
    assert not result.incremental
    assert result.reason == "there is no earlier state"
    assert to_json(result.report) == full(mirror, at(now_ts), profile)
    found = {f.check for f in result.report.findings}
    for _ in range(rounds):
        old = history.tip()
        last = history.append(history.rng.randint(1, 25))
        now_ts = max(now_ts, last + history.rng.choice([0, 30, 600, 3 * 3600]))
        now = at(now_ts)
        result, blob = step(mirror, now, blob, profile)
        assert result.incremental, result.reason
        assert result.new_commits == new_since(mirror, old)
        assert to_json(result.report) == full(mirror, now, profile)
        found |= {f.check for f in result.report.findings}
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_state_plus_new_commits_equals_a_full_run(mirror, seed, monkeypatch):
    def no_full_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the tip was read in full")

    monkeypatch.setattr(incremental, "read_tip_files", no_full_read)
    polls(mirror, seed, rounds=4)


STRICT = load_profile("coordination-folder")


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_the_strict_protocol_checks_stay_equal(mirror, seed):
    """With the strict protocol: stale claims, heartbeat timeouts and C1's emergency limit."""
    found = polls(mirror, seed, rounds=4, profile=STRICT)
    assert "strict_protocol" in found


def test_the_generated_histories_exercise_work_orders_and_headers_in_history(tmp_path):
    found: set[str] = set()
    summaries: list[str] = []
    for seed in (1, 2, 3):
        path = init_bare(tmp_path / f"m{seed}.git")
        found |= polls(path, seed, rounds=3)
        summaries += [f.summary for f in full_report(path).findings]
    assert "work_orders" in found
    assert any(s.startswith("Earlier versions of") for s in summaries)


def full_report(path: Path) -> Report:
    last = int(git(path, "log", "-1", "--format=%at", "main").strip())
    return diagnose(path, now=at(last + 4 * 86400), profile=PROFILE)


@pytest.mark.parametrize("seed", [11, 12])
def test_it_stays_equal_when_the_bounded_lists_overflow(mirror, seed, monkeypatch):
    """Small limits make every list drop items, with ties in time at the boundary."""
    monkeypatch.setattr(snapshot_module, "_writes", lambda limit: Recent(3, write_key))
    monkeypatch.setattr(snapshot_module, "_commits", lambda limit: Recent(2, commit_key))
    polls(mirror, seed, rounds=5, first=80)


def test_a_poll_with_nothing_new_is_incremental_and_equal(mirror):
    history = History(mirror, seed=21, start=START)
    last = history.append(40)
    _, blob = step(mirror, at(last), None)
    later = at(last + 7 * 3600)  # time alone moves agents offline and C3 out of its window
    result, _ = step(mirror, later, blob)
    assert result.incremental
    assert result.new_commits == 0
    assert to_json(result.report) == full(mirror, later)


def test_a_force_push_falls_back_to_a_full_run(mirror):
    history = History(mirror, seed=31, start=START)
    history.append(30)
    base = git(mirror, "rev-parse", "main~10").strip()
    last = history.append(20)
    _, blob = step(mirror, at(last), None)
    last = history.append(5, reset_to=base)  # main rewritten from ten commits back
    result, blob = step(mirror, at(last), blob)
    assert not result.incremental
    assert "rewritten" in result.reason
    assert to_json(result.report) == full(mirror, at(last))
    last = history.append(5)  # and the state taken after the rewrite works again
    result, _ = step(mirror, at(last), blob)
    assert result.incremental
    assert to_json(result.report) == full(mirror, at(last))


def test_a_branch_reset_backwards_falls_back(mirror):
    history = History(mirror, seed=32, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last), None)
    git(mirror, "update-ref", "refs/heads/main", "main~5")
    result, _ = step(mirror, at(last), blob)
    assert not result.incremental
    assert to_json(result.report) == full(mirror, at(last))


def test_a_merge_among_new_commits_falls_back(mirror):
    history = History(mirror, seed=41, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last), None)
    last = history.append(6, merge=True)
    result, _ = step(mirror, at(last), blob)
    assert not result.incremental
    assert result.reason == "the new commits include a merge"
    assert to_json(result.report) == full(mirror, at(last))


def test_a_profile_change_falls_back(mirror, tmp_path):
    history = History(mirror, seed=51, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last), None)
    custom = tmp_path / "strict.yaml"
    custom.write_text("extends: dual-trinity\nname: strict\nthresholds:\n  agent_offline: 30m\n")
    profile = load_profile(str(custom))
    last = history.append(5)
    result, _ = step(mirror, at(last), blob, profile=profile)
    assert not result.incremental
    assert result.reason == "the profile changed"
    assert to_json(result.report) == full(mirror, at(last), profile)


def test_another_engine_version_falls_back(mirror, monkeypatch):
    history = History(mirror, seed=52, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last), None)
    assert blob is not None
    state = state_decode(blob)
    last = history.append(5)
    older = dataclasses.replace(state, version=0)
    result = diagnose_with_state(mirror, now=at(last), profile=PROFILE, state=older)
    assert not result.incremental
    assert result.reason == "the doctor's version changed"
    assert to_json(result.report) == full(mirror, at(last))


def test_a_stored_state_of_another_version_is_refused(mirror):
    history = History(mirror, seed=53, start=START)
    last = history.append(10)
    _, blob = step(mirror, at(last), None)
    assert blob is not None
    data = json.loads(blob)
    data["version"] = 999
    with pytest.raises(StateError, match="written by another version of the doctor"):
        state_decode(json.dumps(data).encode())
    with pytest.raises(StateError, match="the state cannot be read"):
        state_decode(b"not a state")


def test_commits_dated_after_now_fall_back_once_they_are_due(mirror):
    history = History(mirror, seed=61, start=START)
    last = history.append(30)
    early = at(last - 3600)  # the last hour of commits is "after now"
    result, blob = step(mirror, early, None)
    assert result.report.snapshot.history.commits_after_now > 0
    later = at(last + 60)
    result, _ = step(mirror, later, blob)
    assert not result.incremental
    assert "now due" in result.reason
    assert to_json(result.report) == full(mirror, later)


def test_the_reference_time_going_back_falls_back(mirror):
    history = History(mirror, seed=62, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last + 3600), None)
    result, _ = step(mirror, at(last), blob)
    assert not result.incremental
    assert to_json(result.report) == full(mirror, at(last))


def test_usage_records_are_judged_on_a_full_run(mirror):
    history = History(mirror, seed=63, start=START)
    last = history.append(20)
    _, blob = step(mirror, at(last), None)
    assert blob is not None
    result = diagnose_with_state(
        mirror, now=at(last), profile=PROFILE, state=state_decode(blob), usage=[]
    )
    assert not result.incremental


def test_a_late_commit_to_a_file_beyond_the_kept_history_falls_back(mirror):
    history = History(mirror, seed=64, start=START)
    last = history.append(30)
    _, blob = step(mirror, at(last + 30 * 86400), None)  # a month later: edges all dropped
    last = history.append(3)
    now = at(last + 30 * 86400)
    result, _ = step(mirror, now, blob)
    assert not result.incremental
    assert "older than the file history kept" in result.reason
    assert to_json(result.report) == full(mirror, now)


def test_the_state_stops_growing_once_its_lists_are_full(mirror, monkeypatch):
    """Its size depends on agents, files and the list limits, not on the commits read."""
    monkeypatch.setattr(snapshot_module, "_writes", lambda limit: Recent(10, write_key))
    monkeypatch.setattr(snapshot_module, "_commits", lambda limit: Recent(5, commit_key))
    history = History(mirror, seed=71, start=START)
    sizes = []
    blob = None
    for _ in range(5):
        last = history.append(300)
        _, blob = step(mirror, at(last), blob)
        assert blob is not None
        sizes.append(len(blob))
    assert max(sizes[2:]) < min(sizes[2:]) * 1.2, sizes


def test_every_event_list_is_kept():
    assert {f.name for f in dataclasses.fields(Events)} == set(EVENT_NAMES)
