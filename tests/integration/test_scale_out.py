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
from lifebuoy.monitoring.models import DoctorRun
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


def _start_worker(tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    database = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "integration-test-secret-key",
        "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}",
        "CELERY_BROKER_URL": REDIS_URL,
        "LIFEBUOY_DATA_DIR": str(tmp_path / "data"),
        "LIFEBUOY_AUTOCLOSE_DAYS": "7",
        "LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS": "1",  # the monitored repositories are local
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
    proc = _start_worker(tmp_path, "one")
    yield proc
    _stop(proc)


@pytest.fixture
def two_workers(postgres_and_redis: None, tmp_path: Path):
    procs = [_start_worker(tmp_path, name) for name in ("one", "two")]
    yield procs
    for proc in procs:
        _stop(proc)


def test_a_worker_on_another_process_does_the_background_job(worker, alice, ted):
    long_ago = timezone.now() - timedelta(days=10)
    ticket = ticket_create(actor=alice, data=NewTicket("Quiet", "resolved long ago"), now=long_ago)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=long_ago)

    producer = Celery(broker=REDIS_URL)
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
    deployments = []
    for n in range(4):
        repo = RepoBuilder(tmp_path / f"customer-{n}")
        repo.commit(f"C1: plan {n}", at=timezone.now() - timedelta(minutes=10))
        data = NewDeployment(name=f"trinity {n}", repository=str(repo.path), owner=alice)
        deployments.append(
            deployment_create(organization=acme, data=data, consent=True, now=timezone.now())
        )

    producer = Celery(broker=REDIS_URL)
    for _ in range(2):  # two beats at once: each deployment is claimed by one of them
        producer.send_task("lifebuoy.monitoring.poll_due_deployments")

    ids = [d.id for d in deployments]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and all(w.poll() is None for w in two_workers):
        if DoctorRun.objects.filter(deployment_id__in=ids).count() >= len(ids):
            break
        time.sleep(0.5)
    time.sleep(1)  # a duplicate poll would have landed by now
    output = "".join(w.stdout.read().decode() for w in two_workers if w.poll() is not None)
    runs = sorted(DoctorRun.objects.filter(deployment_id__in=ids).values_list("deployment_id"))
    assert runs == [(i,) for i in sorted(ids)], output
    for deployment in deployments:
        deployment.refresh_from_db()
        assert deployment.last_poll_error == ""
        assert deployment.next_poll_at is not None
        assert deployment.next_poll_at > timezone.now() + timedelta(minutes=50)
