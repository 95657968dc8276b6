"""Polls continue from the last run's engine state and read only the new commits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lifebuoy.diagnostics.engine.incremental import StatefulReport, diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import diagnose
from lifebuoy.diagnostics.engine.state import EngineState, state_decode
from lifebuoy.monitoring.mirror import mirrors_root
from lifebuoy.monitoring.models import DoctorRun
from lifebuoy.monitoring.services import polling
from lifebuoy.monitoring.services.polling import deployment_poll

from .conftest import T0

pytestmark = pytest.mark.django_db
CLOUD = ".consciousness/trinity"


def _full_report(deployment, now):
    mirror = mirrors_root() / deployment.mirror_path
    return to_json(diagnose(mirror, now=now, profile=load_profile(deployment.profile)))


def _history(repo, start, count):
    for n in range(count):
        role = ("C1", "C2", "C3")[n % 3]
        channel = {"C1": "c1_to_c2.md", "C2": "c2_to_c1.md", "C3": "c3_to_c1.md"}[role]
        repo.commit(
            f"{role}: step {n}",
            {f"{CLOUD}/{channel}": f"# {role} message {n}\n"},
            at=start + timedelta(minutes=n),
        )


@pytest.fixture(autouse=True)
def fresh_cache():
    polling._states.clear()
    yield
    polling._states.clear()


def test_the_second_poll_reads_only_the_new_commits(deployment, customer_repo):
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    first = deployment_poll(deployment=deployment, now=T0)
    assert first.run is not None
    assert not first.run.is_incremental
    assert first.run.full_run_reason == "there is no earlier state"
    _history(customer_repo, T0, 4)
    now = T0 + timedelta(minutes=10)
    second = deployment_poll(deployment=deployment, now=now)
    assert second.run is not None
    assert second.run.is_incremental
    assert second.run.new_commits == 4
    assert second.run.report == _full_report(deployment, now)
    # The state is written behind: the full run's stays stored, this process has the newer one.
    kept = DoctorRun.objects.filter(engine_state__isnull=False).values_list("id", flat=True)
    assert list(kept) == [first.run.id]
    assert polling._states[deployment.id][0] == second.run.id


def test_the_state_is_stored_again_six_hours_later_and_only_once(deployment, customer_repo):
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    deployment_poll(deployment=deployment, now=T0)
    _history(customer_repo, T0 + timedelta(minutes=1), 2)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=5))
    _history(customer_repo, T0 + timedelta(minutes=50), 2)
    later = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=6, minutes=1))
    assert later.run is not None
    assert later.run.is_incremental
    kept = DoctorRun.objects.filter(engine_state__isnull=False).values_list("id", flat=True)
    assert list(kept) == [later.run.id]


def test_a_new_worker_continues_from_the_stored_state(deployment, customer_repo):
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    deployment_poll(deployment=deployment, now=T0)
    _history(customer_repo, T0, 3)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=5))
    polling._states.clear()  # another process: nothing in memory, the stored state is older
    _history(customer_repo, T0 + timedelta(minutes=6), 3)
    now = T0 + timedelta(minutes=10)
    result = deployment_poll(deployment=deployment, now=now)
    assert result.run is not None
    assert result.run.is_incremental
    assert result.run.new_commits == 3
    assert result.run.report == _full_report(deployment, now)


def test_a_force_push_makes_a_full_run_that_says_why(deployment, customer_repo):
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    deployment_poll(deployment=deployment, now=T0)
    customer_repo.git("reset", "-q", "--hard", "HEAD~3")
    customer_repo.commit("C2: rewritten", at=T0 + timedelta(minutes=1))
    now = T0 + timedelta(minutes=5)
    result = deployment_poll(deployment=deployment, now=now)
    assert result.run is not None
    assert not result.run.is_incremental
    assert "rewritten" in result.run.full_run_reason
    assert result.run.new_commits == 1
    assert result.run.report == _full_report(deployment, now)


def test_an_unusable_stored_state_means_a_full_run(deployment, customer_repo):
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    deployment_poll(deployment=deployment, now=T0)
    polling._states.clear()
    DoctorRun.objects.update(engine_state=b"garbage")
    customer_repo.commit("C1: next", at=T0 + timedelta(minutes=1))
    result = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=5))
    assert result.outcome == "diagnosed"
    assert result.run is not None
    assert not result.run.is_incremental
    assert result.run.engine_state is not None


def test_a_worker_decodes_the_stored_state_once_and_only_when_it_may_need_it(
    deployment, customer_repo, monkeypatch
):
    decoded: list[bytes] = []

    def counting(blob: bytes) -> EngineState:
        decoded.append(blob)
        return state_decode(blob)

    monkeypatch.setattr(polling, "state_decode", counting)
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    deployment_poll(deployment=deployment, now=T0)
    polling._states.clear()  # another process from here on
    # The last poll found commits, so this one decodes while it fetches; nothing moved, and
    # the decoded state is kept for the next poll.
    idle = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=1))
    assert idle.outcome == "unchanged"
    assert len(decoded) == 1
    _history(customer_repo, T0 + timedelta(minutes=2), 3)
    now = T0 + timedelta(minutes=5)
    moved = deployment_poll(deployment=deployment, now=now)
    assert moved.run is not None
    assert moved.run.is_incremental
    assert moved.run.report == _full_report(deployment, now)
    assert len(decoded) == 1  # not again
    # A worker without the state, after an idle poll, waits for the fetch before decoding.
    polling._states.clear()
    deployment_poll(deployment=deployment, now=now + timedelta(minutes=1))
    assert len(decoded) == 2  # speculating: the poll before had found commits
    polling._states.clear()
    idle_again = deployment_poll(deployment=deployment, now=now + timedelta(minutes=2))
    assert idle_again.outcome == "unchanged"
    assert len(decoded) == 2  # the poll before found nothing: no speculation
    customer_repo.commit("C1: later", at=now + timedelta(minutes=2))
    later = now + timedelta(minutes=3)
    after_idle = deployment_poll(deployment=deployment, now=later)
    assert after_idle.run is not None
    assert after_idle.run.is_incremental
    assert after_idle.run.report == _full_report(deployment, later)
    assert len(decoded) == 3  # decoded after the fetch, once it was needed


def test_the_state_is_stored_again_once_enough_commits_were_read(
    deployment, customer_repo, monkeypatch
):
    monkeypatch.setattr(polling, "STORE_STATE_COMMITS", 5)
    _history(customer_repo, T0 - timedelta(hours=2), 6)
    first = deployment_poll(deployment=deployment, now=T0)
    _history(customer_repo, T0 + timedelta(minutes=1), 3)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=5))

    def kept() -> list[int]:
        return list(
            DoctorRun.objects.filter(engine_state__isnull=False).values_list("id", flat=True)
        )

    assert first.run is not None
    assert kept() == [first.run.id]  # 3 commits behind: not yet
    _history(customer_repo, T0 + timedelta(minutes=6), 3)
    third = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=10))
    assert third.run is not None
    assert kept() == [third.run.id]  # 6 behind the stored one: written, the old one cleared
    polling._states.clear()  # another worker reads only what came after it
    read: list[int | None] = []

    def spy(*args: Any, **kwargs: Any) -> StatefulReport:
        result = diagnose_with_state(*args, **kwargs)
        read.append(result.new_commits)
        return result

    monkeypatch.setattr(polling, "diagnose_with_state", spy)
    _history(customer_repo, T0 + timedelta(minutes=11), 2)
    fourth = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=15))
    assert fourth.run is not None
    assert fourth.run.is_incremental
    assert read == [2]
