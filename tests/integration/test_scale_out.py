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


@pytest.fixture
def worker(postgres_and_redis: None, tmp_path: Path):
    database = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "SECRET_KEY": "integration-test-secret-key",
        "DATABASE_URL": POSTGRES_URL.rsplit("/", 1)[0] + f"/{database}",
        "CELERY_BROKER_URL": REDIS_URL,
        "LIFEBUOY_DATA_DIR": str(tmp_path),
        "LIFEBUOY_AUTOCLOSE_DAYS": "7",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


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
