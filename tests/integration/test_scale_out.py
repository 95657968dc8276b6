"""Scale-out: a real Celery worker process, Redis as broker, PostgreSQL as the database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lifebuoy.diagnostics.engine.tests.gitrepo import RepoBuilder
from lifebuoy.monitoring.models import Deployment, DoctorRun
from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import NewTicket, TicketChanges, ticket_create, ticket_update
from tests.services import POSTGRES_URL, REDIS_URL, redis_reachable, services_required

pytestmark = [
    pytest.mark.services,
    # Restores the migrations' seed rows afterwards and keeps content type ids stable for the
    # transactional tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_and_redis() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL pass of the suite (make test runs both)")
    if not redis_reachable():
        if services_required():
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


def _start_worker(
    data_dir: Path, name: str, *, queues: str = "celery", **extra: str
) -> subprocess.Popen[bytes]:
    """A worker process as on its own machine: its own data directory (mirrors included)."""
    database = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "integration-test-secret-key",
        "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}",
        "CELERY_BROKER_URL": REDIS_URL,
        "LIFEBUOY_DATA_DIR": str(data_dir),
        "LIFEBUOY_AUTOCLOSE_DAYS": "7",
        "LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS": "1",  # the monitored repositories are local
        **extra,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--queues",
            queues,
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def worker(postgres_and_redis: None, tmp_path: Path):
    proc = _start_worker(tmp_path / "data", "one")
    yield proc
    _stop(proc)


@pytest.fixture
def two_workers(postgres_and_redis: None, tmp_path: Path):
    procs = [_start_worker(tmp_path / "data", name) for name in ("one", "two")]
    yield procs
    for proc in procs:
        _stop(proc)


def test_a_worker_on_another_process_does_the_background_job(worker, alice, ted):
    long_ago = timezone.now() - timedelta(days=10)
    ticket = ticket_create(actor=alice, data=NewTicket("Quiet", "resolved long ago"), now=long_ago)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=long_ago)

    producer = Celery(broker=REDIS_URL, set_as_current=False)
    producer.send_task("lifebuoy.tickets.ticket_autoclose_sweep")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and worker.poll() is None:
        if Ticket.objects.get(id=ticket.id).status == Status.CLOSED:
            break
        time.sleep(0.5)
    output = "" if worker.poll() is None else worker.stdout.read().decode()
    assert Ticket.objects.get(id=ticket.id).status == Status.CLOSED, output
    assert ticket.events.filter(action="closed_automatically").count() == 1


def test_due_polls_fan_out_to_the_workers_and_each_deployment_is_polled_once(
    two_workers, settings, tmp_path, acme, alice
):
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = True
    deployments = _deployments(tmp_path, acme, alice, 4)

    producer = Celery(broker=REDIS_URL, set_as_current=False)
    for _ in range(2):  # two beats at once: each deployment is claimed by one of them
        producer.send_task("lifebuoy.monitoring.poll_due_deployments")

    ids = [d.id for d in deployments]
    runs, output = _wait_for_runs(ids, two_workers)
    assert runs == sorted(ids), output
    for deployment in deployments:
        deployment.refresh_from_db()
        assert deployment.last_poll_error == ""
        assert deployment.next_poll_at is not None
        assert deployment.next_poll_at > timezone.now() + timedelta(minutes=50)


def _deployments(tmp_path: Path, org, owner, count: int) -> list[Deployment]:
    made = []
    for n in range(count):
        repo = RepoBuilder(tmp_path / f"customer-{n}")
        repo.commit(f"C1: plan {n}", at=timezone.now() - timedelta(minutes=10))
        data = NewDeployment(name=f"trinity {n}", repository=str(repo.path), owner=owner)
        now = timezone.now()
        made.append(deployment_create(organization=org, data=data, consent=True, now=now))
    return made


def _wait_for_runs(ids: list[int], workers: list[subprocess.Popen[bytes]]) -> tuple[list[int], str]:
    """The deployments polled (one entry per doctor run), once every one was or after 90 s."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and all(w.poll() is None for w in workers):
        if DoctorRun.objects.filter(deployment_id__in=ids).count() >= len(ids):
            break
        time.sleep(0.5)
    time.sleep(1)  # a duplicate poll would have landed by now
    output = "".join(
        w.stdout.read().decode() for w in workers if w.poll() is not None and w.stdout is not None
    )
    runs = DoctorRun.objects.filter(deployment_id__in=ids).values_list("deployment_id", flat=True)
    return sorted(runs), output


@pytest.fixture
def two_mirror_machines(postgres_and_redis: None, tmp_path: Path):
    """Mirrors in two partitions: machine A also takes the default queue (the dispatch)."""
    machines = {
        "a": _start_worker(
            tmp_path / "machine-a",
            "a",
            queues="celery,monitoring-0",
            LIFEBUOY_MONITORING_PARTITIONS="2",
        ),
        "b": _start_worker(
            tmp_path / "machine-b", "b", queues="monitoring-1", LIFEBUOY_MONITORING_PARTITIONS="2"
        ),
    }
    yield machines
    for proc in machines.values():
        _stop(proc)


def test_partitioned_mirrors_each_deployment_is_polled_on_its_own_machine(
    two_mirror_machines, settings, tmp_path, acme, alice
):
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = True
    deployments = _deployments(tmp_path, acme, alice, 4)
    Celery(broker=REDIS_URL, set_as_current=False).send_task(
        "lifebuoy.monitoring.poll_due_deployments"
    )

    ids = [d.id for d in deployments]
    runs, output = _wait_for_runs(ids, list(two_mirror_machines.values()))
    assert runs == sorted(ids), output
    for deployment in deployments:
        deployment.refresh_from_db()
        home, other = ("a", "b") if deployment.id % 2 == 0 else ("b", "a")
        mirror = f"mirrors/{deployment.mirror_path}"
        assert (tmp_path / f"machine-{home}" / mirror / "HEAD").exists()
        assert not (tmp_path / f"machine-{other}" / mirror).exists()
