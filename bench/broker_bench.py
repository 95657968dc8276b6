"""How fast the desk's own workers drain the demo's backlog, on the embedded broker and on Redis.

    python bench/broker_bench.py [--tickets 300] [--brokers sqlite,redis,filesystem] [--concurrency 1]

For each broker, in a fresh data directory with the embedded SQLite database: ``lifebuoy setup``,
``lifebuoy demo`` (which queues the demo's acknowledgement emails, escalation follow-ups and SLA
events, as ``make run`` does on a new desk), then the workers ``lifebuoy serve`` runs beside
its web server (``lifebuoy worker --beat``: a bulk worker and the periodic worker with the
scheduler). Measured from the workers' start: when the queues are empty, how many tasks ran
(the workers' log), tasks per second, CPU per task of every worker process, and how late the
first SLA breach scan ran behind the backlog (the scan is scheduled every
``--sla-scan-seconds``). Then, on the same desk, 3,000 escalation follow-ups (the commonest task;
most find nothing to do) queued with the workers stopped, and the rate at which they drain once
started, with the CPU per task less that of an idle start. Redis uses database 9 of
127.0.0.1:6379, emptied first; ``filesystem`` is kombu's file-system transport, the embedded
default before the SQLite broker (give it a --limit: it is slow).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIFEBUOY = Path(sys.executable).parent / "lifebuoy"
REDIS_URL = "redis://127.0.0.1:6379/9"
SUCCEEDED = re.compile(r"^\[(?P<at>[\d-]+ [\d:,]+): INFO/.*Task (?P<name>\S+)\[.*succeeded in")
SENT = re.compile(r"^\[(?P<at>[\d-]+ [\d:,]+): INFO/.*Sending due task \S+ \((?P<name>\S+)\)")
QUEUES = ("celery", "periodic")
SCAN = "lifebuoy.sla.sla_breach_scan"


@dataclass
class Run:
    """One start of the workers: until their queues stayed empty for a second."""

    seconds: float  # from the workers' start to empty queues
    ready: float  # from the workers' start until both said they were ready
    cpu: float  # every worker process, start-up included
    done: list[tuple[datetime, str]]
    scan_waits: list[float]

    @property
    def histogram(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for _, name in self.done:
            counts[name] = counts.get(name, 0) + 1
        return counts


def _environment(broker: str, data_dir: str, sla_scan: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CELERY_", "DATABASE_URL", "LIFEBUOY_CACHE_URL"))
    }
    env.update(
        LIFEBUOY_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="0",
        SECRET_KEY="broker-benchmark-only-" + "k" * 40,
        LIFEBUOY_SLA_SCAN_SECONDS=str(sla_scan),
    )
    if broker == "redis":
        env["CELERY_BROKER_URL"] = REDIS_URL
    elif broker == "filesystem":  # kombu's own, the embedded default before the SQLite broker
        env["CELERY_BROKER_URL"] = "filesystem://"
    return env


def _queued(broker: str, data_dir: str) -> int:
    if broker == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        return sum(int(client.llen(q)) for q in QUEUES) + int(client.hlen("unacked"))
    if broker == "filesystem":
        return sum(1 for _ in (Path(data_dir) / "broker" / "queue").glob("*.msg"))
    import sqlite3

    db = sqlite3.connect(Path(data_dir) / "broker.sqlite3")
    try:
        marks = ",".join("?" * len(QUEUES))
        row = db.execute(f"SELECT count(*) FROM message WHERE queue IN ({marks})", QUEUES)
        return int(row.fetchone()[0])
    except sqlite3.OperationalError:  # no table yet
        return 0
    finally:
        db.close()


def _succeeded(log: Path, pattern: re.Pattern[str] = SUCCEEDED) -> list[tuple[datetime, str]]:
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.match(line)
        if match:
            at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")  # noqa: DTZ007
            found.append((at, match["name"]))
    return found


class Desk:
    """A fresh desk in a data directory of its own, on one broker."""

    def __init__(self, broker: str, sla_scan: int, concurrency: int) -> None:
        self.broker = broker
        self.data_dir = tempfile.mkdtemp(prefix=f"lifebuoy-broker-{broker}-")
        self.env = _environment(broker, self.data_dir, sla_scan)
        self.sla_scan = sla_scan
        self.concurrency = concurrency
        if broker == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        self._cli("setup")

    def _cli(self, *args: str) -> None:
        subprocess.run(
            [str(LIFEBUOY), *args], cwd=ROOT, env=self.env, check=True, capture_output=True
        )

    def demo(self, tickets: int) -> None:
        self._cli("demo", "--tickets", str(tickets))

    def queued(self) -> int:
        return _queued(self.broker, self.data_dir)

    def publish_followups(self, count: int, tickets: int) -> None:
        """``count`` escalation follow-ups, the commonest task (most find nothing to do)."""
        from celery import Celery
        from kombu.transport import TRANSPORT_ALIASES

        TRANSPORT_ALIASES.setdefault("sqlite", "lifebuoy.core.sqlite_broker:Transport")
        url = self.env.get("CELERY_BROKER_URL", "sqlite://")
        folder = f"{self.data_dir}/broker/queue"
        options = {
            "redis": {},
            "filesystem": {
                "data_folder_in": folder,
                "data_folder_out": folder,
                "control_folder": f"{self.data_dir}/broker/control",
            },
            "sqlite": {"database": f"{self.data_dir}/broker.sqlite3"},
        }[self.broker]
        app = Celery("bench", broker=url, broker_transport_options=options)
        at = datetime.now().astimezone().isoformat()
        with app.producer_or_acquire() as producer:
            for k in range(count):
                app.send_task(
                    "lifebuoy.escalations.ticket_event_followup",
                    args=(k % tickets + 1, at),
                    queue="celery",
                    producer=producer,
                )

    def workers(self, *, limit: float, wait_for_scan: bool, idle: bool = False) -> Run:
        log = Path(self.data_dir) / f"worker-{time.monotonic_ns()}.log"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with log.open("w") as out:
            started_wall = datetime.now()
            started = time.monotonic()
            workers = subprocess.Popen(
                [str(LIFEBUOY), "worker", "--beat", "--concurrency", str(self.concurrency)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            ready = _wait(lambda: log.read_text(errors="replace").count(" ready.") >= 2, limit)
            ready_at = time.monotonic() - started
            empty_at = limit
            empty_since: float | None = None
            while not idle and time.monotonic() - started < limit:
                time.sleep(0.2)
                if self.queued() == 0:
                    empty_since = empty_since or time.monotonic()
                    if time.monotonic() - empty_since >= 1.0:
                        empty_at = empty_since - started
                        break
                else:
                    empty_since = None
            if wait_for_scan:  # beyond the backlog, until the first SLA scan has run
                _wait(lambda: any(n == SCAN for _, n in _succeeded(log)), self.sla_scan + 15)
            workers.send_signal(signal.SIGTERM)
            workers.wait(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert ready, "the workers did not start"
        done = _succeeded(log)
        # The k-th scan the scheduler sent is the k-th that finished: from sending to done.
        sent = [at for at, name in _succeeded(log, SENT) if name == SCAN]
        finished = [at for at, name in done if name == SCAN]
        waits = [(end - begin).total_seconds() for begin, end in zip(sent, finished, strict=False)]
        in_run = [
            (at, n) for at, n in done if (at - started_wall).total_seconds() <= empty_at + 0.5
        ]
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return Run(0.0 if idle else empty_at, ready_at, cpu, in_run, waits)


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def measure(broker: str, args: argparse.Namespace) -> None:
    desk = Desk(broker, args.sla_scan_seconds, args.concurrency)
    desk.demo(args.tickets)
    backlog = desk.workers(limit=args.limit, wait_for_scan=True)
    idle = desk.workers(limit=args.limit, wait_for_scan=False, idle=True)
    desk.publish_followups(args.tasks, args.tickets)
    bulk = desk.workers(limit=args.limit, wait_for_scan=False)
    tasks = len(bulk.done)
    draining = max(bulk.seconds - bulk.ready, 1e-9)
    per_task = 1000 * (bulk.cpu - idle.cpu) / max(tasks, 1)
    longest = f"{max(backlog.scan_waits):.2f} s" if backlog.scan_waits else "no scan ran"
    print(
        f"| {broker} | {len(backlog.done)} | {backlog.ready:.1f} | {backlog.seconds:.1f} | "
        f"{longest} | {tasks} | {draining:.1f} | {tasks / draining:.0f} | {per_task:.1f} |",
        flush=True,
    )
    if args.histogram:
        for name, count in sorted(backlog.histogram.items(), key=lambda item: -item[1]):
            print(f"    demo backlog: {count:6d} {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--brokers", default="sqlite,redis")
    parser.add_argument("--concurrency", type=int, default=1, help="bulk worker processes")
    parser.add_argument("--sla-scan-seconds", type=int, default=10)
    parser.add_argument("--histogram", action="store_true", help="print tasks run by name")
    parser.add_argument("--tasks", type=int, default=3000, help="follow-ups for the rate")
    parser.add_argument("--limit", type=float, default=600.0, help="give up after (s)")
    args = parser.parse_args()
    print(
        "| broker | demo backlog: tasks | workers ready after (s) | backlog gone after (s) | "
        "SLA scan, sent to done (longest) | follow-ups | drained in (s) | tasks/s | "
        "worker CPU per task (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for broker in args.brokers.split(","):
        measure(broker, args)


if __name__ == "__main__":
    main()
