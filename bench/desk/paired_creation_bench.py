"""Creating tickets over the API on two versions of the desk at the same time, so that a noisy
machine slows both alike and their CPU per ticket compares fairly.

    python bench/desk/paired_creation_bench.py \\
        --tree-a /path/to/old/checkout --url-a postgres://postgres@127.0.0.1:5432/bench_a \\
        --url-b postgres://postgres@127.0.0.1:5432/bench_b [--clients 1 8 32] [--seconds 10]

Each version is a gunicorn of its own (``--workers`` sync processes, as ``lifebuoy serve`` runs
them) started from its own source tree (``--tree-a``; B is this checkout unless ``--tree-b``)
on its own copy of a dataset from ``bench/desk/generate.py`` (``CREATE DATABASE … TEMPLATE …``).
Every client thread sends its requests to A and B in turn, so each level gets the same number
of tickets on both at the same moments. Printed for each level and round: tickets/s and p50/p99
of each, then the CPU milliseconds per ticket of each server (master and workers) and of each
database's PostgreSQL backends, and B's CPU as a share of A's. Needs CELERY_BROKER_URL
(redis://…): both servers publish to it; the queues are emptied before each level.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.desk.api_creation import BODY  # noqa: E402
from bench.desk.http_bench import (  # noqa: E402
    HOST,
    _cpu_seconds,
    _pids,
    free_port,
    percentiles,
)

NEW_CREDENTIAL_SCRIPT = """
import django
django.setup()
from lifebuoy.accounts.models import Role, User
from lifebuoy.accounts.services import api_token_create
customer = User.objects.filter(role=Role.CUSTOMER).order_by("id").first()
assert customer, "run bench/desk/generate.py first"
print(api_token_create(user=customer, name="paired bench")[1])
"""


@dataclass
class Side:
    name: str
    tree: Path
    url: str
    port: int = 0
    token: str = ""
    server: subprocess.Popen[bytes] | None = None
    samples: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def database(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key-" + "k" * 30),
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }

    def python(self) -> str:
        return str(self.tree / ".venv" / "bin" / "python")

    def make_token(self) -> None:
        done = subprocess.run(
            [self.python(), "-c", NEW_CREDENTIAL_SCRIPT],
            cwd=self.tree,
            env=self.environment(),
            capture_output=True,
            text=True,
            check=True,
        )
        self.token = done.stdout.strip().splitlines()[-1]

    def start(self, workers: int) -> None:
        self.port = free_port()
        command = [
            self.python(),
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ]
        self.server = subprocess.Popen(command, cwd=self.tree, env=self.environment())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"server {self.name} did not start")

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)

    def server_cpu(self) -> float:
        assert self.server is not None
        return _cpu_seconds([self.server.pid, *_pids("gunicorn", parent=self.server.pid)])

    def database_backends(self) -> dict[int, float]:
        """CPU seconds of each PostgreSQL backend connected to this side's database."""
        backends = set(_pids(f" {self.database} ")) & set(_pids("postgres:"))
        return {pid: _cpu_seconds([pid]) for pid in backends}

    def database_cpu_since(self, before: dict[int, float]) -> float:
        """CPU seconds the backends spent since ``before``; a backend that ended meanwhile (a
        server process recycles its connection after a minute) is not counted, a new one is
        counted from its start."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in self.database_backends().items())

    def post(self, conn: http.client.HTTPConnection) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        began = time.perf_counter()
        conn.request("POST", "/api/tickets/", body=BODY, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - began
        if response.status == 201:
            self.samples.append(elapsed)
        else:
            self.errors += 1


def _empty_queues() -> None:
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    client.delete("celery", "periodic")


def level(sides: tuple[Side, Side], clients: int, seconds: float) -> None:
    _empty_queues()
    for side in sides:
        side.samples, side.errors = [], 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conns = [http.client.HTTPConnection(HOST, side.port, timeout=60) for side in sides]
        while time.monotonic() < stop_at:
            for side, conn in zip(sides, conns, strict=True):
                side.post(conn)
        with lock:
            for conn in conns:
                conn.close()

    began = time.monotonic()
    cpu = [(side.server_cpu(), side.database_backends()) for side in sides]
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    spent = []
    for side, (server_before, database_before) in zip(sides, cpu, strict=True):
        n = max(len(side.samples), 1)
        server_ms = (side.server_cpu() - server_before) * 1000 / n
        database_ms = side.database_cpu_since(database_before) * 1000 / n
        spent.append((server_ms, database_ms))
        p = percentiles(side.samples)
        print(
            f"  {side.name}: {len(side.samples) / wall:6.1f} tickets/s p50={p['p50']:6.1f} ms "
            f"p99={p['p99']:6.1f} ms errors={side.errors}  CPU ms per ticket: "
            f"server={server_ms:.2f} postgres={database_ms:.2f}"
        )
    (server_a, database_a), (server_b, database_b) = spent
    print(
        f"  B/A: server {server_b / server_a:.2f}, postgres {database_b / database_a:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree-a", type=Path, required=True)
    parser.add_argument("--url-a", required=True)
    parser.add_argument("--tree-b", type=Path, default=ROOT)
    parser.add_argument("--url-b", required=True)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        raise SystemExit("set CELERY_BROKER_URL=redis://… (both servers publish there)")
    sides = (Side("A", args.tree_a.resolve(), args.url_a), Side("B", args.tree_b, args.url_b))
    for side in sides:
        side.make_token()
        side.start(args.workers)
    try:
        for side in sides:  # warm every worker: imports, connections, prepared statements
            conn = http.client.HTTPConnection(HOST, side.port, timeout=60)
            for _ in range(30 * args.workers):
                side.post(conn)
        for number in range(1, args.rounds + 1):
            for clients in args.clients:
                print(f"round {number}, {clients} clients:", flush=True)
                level(sides, clients, args.seconds)
    finally:
        for side in sides:
            side.stop()


if __name__ == "__main__":
    main()
