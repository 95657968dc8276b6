"""Polls on real git repositories: consent, the mirror, the early stop, runs and statuses."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest

from lifebuoy.core.errors import PermissionDenied
from lifebuoy.monitoring.mirror import check_repository, mirrors_root
from lifebuoy.monitoring.models import AgentState, AgentStatusChange, AgentTask, DoctorRun
from lifebuoy.monitoring.services.polling import deployment_poll, poll_due_deployments_inline

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db
CLOUD = ".consciousness/trinity"


def _changes(agent):
    return list(AgentStatusChange.objects.filter(agent=agent))


def _tree_fingerprint(path):
    """Every file under the customer's repository with its bytes, .git included."""
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def test_without_consent_nothing_is_polled(acme, alice, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    deployment = make_deployment(acme, alice, customer_repo.path, consent=False)
    with pytest.raises(PermissionDenied, match="the customer has not allowed read access"):
        deployment_poll(deployment=deployment, now=T0)
    assert poll_due_deployments_inline(now=T0) == 0
    assert not (mirrors_root() / deployment.mirror_path).exists()
    assert not DoctorRun.objects.exists()


def test_the_first_poll_mirrors_and_diagnoses_without_touching_the_customer(
    deployment, customer_repo
):
    customer_repo.commit("C1: plan", {f"{CLOUD}/c1_to_c2.md": "# task"}, at=T0 - timedelta(hours=1))
    head = customer_repo.commit("C2: build", at=T0 - timedelta(minutes=10))
    before = _tree_fingerprint(customer_repo.path)
    result = deployment_poll(deployment=deployment, now=T0)
    assert result.outcome == "diagnosed"
    assert _tree_fingerprint(customer_repo.path) == before
    mirror = mirrors_root() / deployment.mirror_path
    assert (mirror / "HEAD").exists()
    pushurl = subprocess.run(
        ["git", "config", "remote.origin.pushurl"],
        cwd=mirror,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert pushurl.startswith("/dev/null")
    run = DoctorRun.objects.get()
    assert run.head_commit == head
    assert run.new_commits == 2
    assert run.report["schema_version"] == 1
    assert {"agents", "machines", "findings"} <= set(run.report)
    deployment.refresh_from_db()
    assert deployment.last_polled_commit == head
    assert deployment.next_poll_at == T0 + timedelta(hours=1)
    assert AgentTask.objects.filter(deployment=deployment).count() == 1


def test_a_poll_with_nothing_new_stops_early(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    deployment_poll(deployment=deployment, now=T0)
    again = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=1))
    assert again.outcome == "unchanged"
    assert DoctorRun.objects.count() == 1
    customer_repo.commit("C1: more", at=T0 + timedelta(minutes=2))
    third = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=3))
    assert third.outcome == "diagnosed"
    assert third.run is not None
    assert third.run.new_commits == 1


def test_time_alone_re_runs_the_doctor_after_six_hours(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    deployment_poll(deployment=deployment, now=T0)
    assert deployment_poll(deployment=deployment, now=T0 + timedelta(hours=6)).outcome == (
        "diagnosed"
    )


def test_status_changes_are_timed_by_the_git_evidence(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=30))
    deployment_poll(deployment=deployment, now=T0)
    c1 = AgentState.objects.get(deployment=deployment, agent="cloud/C1")
    assert c1.status == "online"
    # Three hours later, with no new commit: the cheap poll turns C1 offline at last seen + 2 h.
    result = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3))
    assert result.outcome == "unchanged"
    change = _changes("cloud/C1")[-1]
    assert (change.old_status, change.new_status) == ("online", "offline")
    assert change.at == T0 + timedelta(minutes=90)
    customer_repo.commit("C1: back", at=T0 + timedelta(hours=4))
    deployment_poll(deployment=deployment, now=T0 + timedelta(hours=4, minutes=5))
    back = _changes("cloud/C1")[-1]
    assert (back.old_status, back.new_status, back.at) == (
        "offline",
        "online",
        T0 + timedelta(hours=4),
    )
    first = _changes("cloud/C1")[0]
    assert (first.old_status, first.new_status, first.at) == ("", "online", T0)


def test_the_due_sweep_polls_each_due_deployment_once(acme, alice, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    make_deployment(acme, alice, customer_repo.path, name="one")
    make_deployment(acme, alice, customer_repo.path, name="two", poll_interval_seconds=60)
    assert poll_due_deployments_inline(now=T0) == 2
    assert poll_due_deployments_inline(now=T0 + timedelta(seconds=30)) == 0
    assert poll_due_deployments_inline(now=T0 + timedelta(seconds=61)) == 1


def test_an_unreachable_repository_is_recorded_not_raised(acme, alice, tmp_path):
    deployment = make_deployment(acme, alice, tmp_path / "missing")
    result = deployment_poll(deployment=deployment, now=T0)
    assert result.outcome == "failed"
    deployment.refresh_from_db()
    assert "clone failed" in deployment.last_poll_error
    assert deployment.next_poll_at == T0 + timedelta(hours=1)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://github.com/acme/trinity.git", True),
        ("git@github.com:acme/trinity.git", True),
        ("/srv/repos/trinity", True),
        ("ext::sh -c touch% /tmp/pwned", False),
        ("--upload-pack=touch /tmp/x", False),
        ("relative/path", False),
    ],
)
def test_only_clone_urls_and_absolute_paths_are_accepted(value, ok):
    assert (check_repository(value) is None) is ok
