"""Workers on Redis live through a broker outage: Redis is killed under them and started again,
and they carry on without anyone restarting them.

A Redis of the test's own on a free port of 127.0.0.1 (``redis-server``, no persistence), the
workers ``lifebuoy worker --beat`` starts, holding countdown tasks they took and have not
acknowledged (the case that used to crash kombu's Redis transport while it handed them back).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.services import services_required
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
LIFEBUOY = Path(sys.executable).parent / "lifebuoy"
REDIS_SERVER = shutil.which("redis-server")

# The workers use a desk of their own (an empty data directory), so the test runs the same in
# both passes of the suite.
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None and not services_required(), reason="needs redis-server"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    assert REDIS_SERVER is not None
    proc = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: _answers(port), 10), "redis-server did not start"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def publish(url: str, *, countdown: float | None, count: int = 1) -> None:
    from celery import Celery

    app = Celery("outage-test", broker=url, set_as_current=False)
    with app.producer_or_acquire() as producer:
        for _ in range(count):
            app.send_task(
                "lifebuoy.core.enqueue_batch",
                args=([],),
                countdown=countdown,
                queue="celery",
                producer=producer,
            )


def test_workers_survive_redis_going_away_and_coming_back(tmp_path):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "DATABASE_URL", "LIFEBUOY_CACHE_URL", "DEBUG"))
    }
    env.update(
        LIFEBUOY_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        SECRET_KEY="broker-outage-test-" + "k" * 40,
        CELERY_BROKER_URL=url,
    )
    log = tmp_path / "workers.log"
    with redis_server(port) as redis, log.open("w") as out:
        workers = subprocess.Popen(
            [str(LIFEBUOY), "worker", "--beat", "--concurrency", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            text = lambda: log.read_text(errors="replace")  # noqa: E731
            assert wait_until(lambda: text().count(" ready.") >= 2, 60), text()[-3000:]
            publish(url, countdown=120, count=5)  # taken, held unacknowledged until due
            assert wait_until(lambda: text().count("received") >= 5, 20), text()[-3000:]
            redis.kill()
            redis.wait(timeout=10)
            time.sleep(3)
            with redis_server(port):
                assert wait_until(lambda: "Connected to redis" in text().split("ready.")[-1], 60)
                before = text().count("succeeded in")
                publish(url, countdown=None, count=3)
                assert wait_until(lambda: text().count("succeeded in") >= before + 3, 60), text()[
                    -4000:
                ]
                assert workers.poll() is None
        finally:
            workers.send_signal(signal.SIGTERM)
            workers.wait(timeout=60)
    output = log.read_text(errors="replace")
    assert "exited with status" not in output, "a worker died in the outage"
    assert "AttributeError" not in output
