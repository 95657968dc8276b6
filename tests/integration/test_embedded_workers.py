"""The embedded default keeps up with its own work: real workers on the SQLite broker.

A new desk (``lifebuoy setup`` and the demo, as ``make run`` does) in a data directory of its
own; the workers are the ones ``lifebuoy serve`` starts beside its web server. The demo's
backlog is gone well within 30 seconds of their start, and the scheduler's SLA scan runs on
time while 5,000 bulk tasks wait in the queue behind it.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from tests.waiting import wait_until

# The desk under test is the embedded default whatever database the suite runs on: once is enough.
pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="runs on its own embedded desk (the SQLite pass)"
)
ROOT = Path(__file__).resolve().parents[2]
LIFEBUOY = Path(sys.executable).parent / "lifebuoy"
SCAN = "lifebuoy.sla.sla_breach_scan"
LINE = re.compile(
    r"^\[(?P<at>[\d-]+ [\d:,]+): INFO/.*?(?P<what>Sending due task|Task) "
    r".*?(?P<name>lifebuoy\.[\w.]+)"
)


class Desk:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CELERY_", "DATABASE_URL", "LIFEBUOY_CACHE_URL", "DEBUG"))
        }
        self.env.update(
            LIFEBUOY_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="config.settings.dev",
            SECRET_KEY="embedded-workers-test-" + "k" * 40,
            LIFEBUOY_SLA_SCAN_SECONDS="2",
        )

    def cli(self, *args: str) -> None:
        done = subprocess.run(
            [str(LIFEBUOY), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=240,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    def queued(self, queue: str) -> int:
        db = sqlite3.connect(self.data_dir / "broker.sqlite3", timeout=30)
        try:
            return int(
                db.execute("SELECT count(*) FROM message WHERE queue = ?", (queue,)).fetchone()[0]
            )
        finally:
            db.close()

    def publish(self, task: str, count: int) -> None:
        from celery import Celery
        from kombu.transport import TRANSPORT_ALIASES

        TRANSPORT_ALIASES.setdefault("sqlite", "lifebuoy.core.sqlite_broker:Transport")
        app = Celery(
            "test",
            broker="sqlite://",
            broker_transport_options={"database": str(self.data_dir / "broker.sqlite3")},
            set_as_current=False,
        )
        at = datetime.now().astimezone().isoformat()
        with app.producer_or_acquire() as producer:
            for k in range(count):
                app.send_task(task, args=(10_000_000 + k, at), queue="celery", producer=producer)

    @contextmanager
    def workers(self) -> Iterator[Path]:
        log = self.data_dir / "workers.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(LIFEBUOY), "worker", "--beat", "--concurrency", "1"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                yield log
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=60)


def lines(log: Path) -> list[tuple[datetime, str, str]]:
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match and (match["what"] != "Task" or "succeeded in" in line):
            at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")  # noqa: DTZ007
            found.append((at, "sent" if match["what"] != "Task" else "done", match["name"]))
    return found


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    desk = Desk(tmp_path_factory.mktemp("embedded-desk"))
    started = time.monotonic()
    desk.cli("setup", "--demo-if-empty")
    print(f"setup with the demo: {time.monotonic() - started:.1f} s")  # noqa: T201
    return desk


def test_the_demo_s_backlog_is_gone_within_seconds_of_the_workers_start(desk: Desk):
    assert desk.queued("celery") > 0, "the demo queued nothing: nothing to measure"
    with desk.workers() as log:
        assert wait_until(lambda: desk.queued("celery") + desk.queued("periodic") == 0, 30), (
            f"{desk.queued('celery')} tasks still queued 30 s after the workers started"
        )
        assert any(state == "done" for _, state, _ in lines(log))


def test_the_sla_scan_runs_on_time_behind_five_thousand_bulk_tasks(desk: Desk):
    desk.publish("lifebuoy.escalations.ticket_event_followup", 5_000)
    with desk.workers() as log:
        assert wait_until(lambda: any(n == SCAN and s == "done" for _, s, n in lines(log)), 60)
        still_queued = desk.queued("celery")
        assert still_queued > 1_000, "the bulk work was done before the scan: it proves nothing"
        assert wait_until(lambda: sum(n == SCAN and s == "done" for _, s, n in lines(log)) >= 3, 30)
    seen = lines(log)
    sent = [at for at, state, name in seen if name == SCAN and state == "sent"]
    done = [at for at, state, name in seen if name == SCAN and state == "done"]
    waits = [(end - begin).total_seconds() for begin, end in zip(sent, done, strict=False)]
    assert len(waits) >= 3
    assert max(waits) < 2.0, f"an SLA scan waited behind bulk work: {waits}"
    # Each worker told the desk it was alive, with the queues it serves.
    db = sqlite3.connect(desk.data_dir / "lifebuoy.sqlite3")
    try:
        beats = db.execute("SELECT name, queues FROM core_processheartbeat WHERE kind = 'worker'")
        queues = {q for _, q in beats.fetchall()}
    finally:
        db.close()
    assert queues == {"celery", "periodic"}
