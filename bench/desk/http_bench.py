"""HTTP benchmarks of the desk against a real gunicorn server on 127.0.0.1.

    python bench/desk/http_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench

Run bench/desk/generate.py first. Measures (each bounded in requests and seconds):
- the agent queue page and the API ticket list, sequential requests, p50/p95/p99;
- ticket creation over the API at 1, 8 and 32 concurrent clients: throughput and p50/p95/p99,
  and the CPU time each ticket cost the server, PostgreSQL (all its processes) and this client;
- with ``--with-workers`` (needs CELERY_BROKER_URL=redis://…): the whole cost of a created
  ticket, the work it leaves to the workers included. Tickets are created with no worker
  running, then ``lifebuoy worker`` drains what they queued; the workers' CPU (less an idle start
  and stop of the same workers) and PostgreSQL's while they drain are added to the server's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def credentials(url: str) -> dict[str, str]:
    """Sessions and tokens for an agent and a customer, made directly in the database."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import api_token_create

    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    customer = User.objects.filter(role=Role.CUSTOMER).order_by("id").first()
    assert agent and customer, "run bench/desk/generate.py first"

    def session_for(user: User) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        return session.session_key or ""

    return {
        "agent_session": session_for(agent),
        "customer_session": session_for(customer),
        "agent_token": api_token_create(user=agent, name="bench")[1],
        "customer_token": api_token_create(user=customer, name="bench")[1],
    }


def start_server(
    url: str, port: int, workers: int, threads: int, worker_class: str = "gthread"
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        *(["--threads", str(threads)] if worker_class == "gthread" else []),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), 0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes, from /proc (0 for any that is gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _pids(match: str, parent: int | None = None) -> list[int]:
    """Processes whose command line contains ``match`` (and, if given, whose parent is it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                text = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if match in text and (parent is None or ppid == parent):
            found.append(int(entry))
    return found


class CpuMeter:
    """CPU seconds spent by the server (master and workers), PostgreSQL (all its processes, and
    apart the backends connected to the benchmark's database: on a shared machine the first
    also counts other databases' work) and this client."""

    def __init__(self, server: subprocess.Popen[bytes]) -> None:
        self.server = [server.pid, *_pids("gunicorn", parent=server.pid)]
        self.database = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
        self.backends = self._backends()
        self.start = self.read()

    def _backends(self) -> dict[int, float]:
        backends = set(_pids(f" {self.database} ")) & set(_pids("postgres:"))
        return {pid: _cpu_seconds([pid]) for pid in backends}

    def read(self) -> dict[str, float]:
        times = os.times()
        return {
            "server": _cpu_seconds(self.server),
            "postgres": _cpu_seconds(_pids("postgres")),
            "client": times.user + times.system,
        }

    def per_request(self, requests: int) -> str:
        end = self.read()
        spent = {k: (end[k] - self.start[k]) * 1000 / max(requests, 1) for k in end}
        # A backend that left during the phase is not counted (connections stay open here).
        backends = self._backends()
        spent["postgres_db"] = (
            sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in backends.items())
            * 1000
            / max(requests, 1)
        )
        return " ".join(f"{k}={v:.1f}" for k, v in spent.items())


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "n": 0}

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99), "n": len(ordered)}


def timed_gets(port: int, path: str, headers: dict[str, str], count: int) -> dict[str, float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - began)
        assert response.status == 200, (path, response.status)
    conn.close()
    return percentiles(samples)


def create_load(
    port: int, token: str, clients: int, seconds: float, limit: int
) -> dict[str, float]:
    """`clients` threads POST tickets until `seconds` pass or `limit` requests are made."""
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    body = json.dumps(
        {
            "subject": "Agent offline",
            "description": "C2 silent for 3 hours",
            "priority": "P2",
            "category": "agent_not_responding",
        }
    )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < stop_at:
            with lock:
                if len(samples) + errors[0] >= limit:
                    return
            began = time.perf_counter()
            conn.request("POST", "/api/tickets/", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            with lock:
                if response.status == 201:
                    samples.append(elapsed)
                else:
                    errors[0] += 1

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    return {**percentiles(samples), "per_s": len(samples) / wall, "errors": errors[0]}


def _redis_queued() -> int:
    import redis

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    return sum(int(client.llen(queue)) for queue in ("celery", "periodic"))


def _worker_run(url: str, *, drain: bool) -> tuple[float, float, float]:
    """Start the workers, wait until they are ready (and, if ``drain``, until the queues stay
    empty for a second), stop them: (their CPU s, PostgreSQL's CPU s, seconds)."""
    import resource
    import tempfile

    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    log = Path(tempfile.mkstemp(prefix="lifebuoy-bench-workers-", suffix=".log")[1])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    postgres = _cpu_seconds(_pids("postgres"))
    began = time.monotonic()
    with log.open("w") as out:
        lifebuoy = str(Path(sys.executable).parent / "lifebuoy")
        proc = subprocess.Popen([lifebuoy, "worker"], cwd=ROOT, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 600
        while log.read_text(errors="replace").count(" ready.") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        empty_since = None
        while drain and time.monotonic() < deadline:
            if _redis_queued() == 0:
                empty_since = empty_since or time.monotonic()
                if time.monotonic() - empty_since >= 1.0:
                    break
            else:
                empty_since = None
            time.sleep(0.1)
        proc.terminate()
        proc.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu, _cpu_seconds(_pids("postgres")) - postgres, time.monotonic() - began


def total_cost(url: str, port: int, token: str, server: subprocess.Popen[bytes]) -> None:
    """The CPU a created ticket costs every process: the request, then the workers' share.
    Whatever earlier phases queued is drained first, so the workers' time is this phase's."""
    _worker_run(url, drain=True)
    idle_cpu, _, _ = _worker_run(url, drain=False)
    meter = CpuMeter(server)
    r = create_load(port, token, 1, 10.0, limit=1_000)
    created = int(r["n"])
    spent = meter.read()
    queued = _redis_queued()
    worker_cpu, drain_postgres, _ = _worker_run(url, drain=True)
    server_ms = (spent["server"] - meter.start["server"]) * 1000 / created
    request_pg_ms = (spent["postgres"] - meter.start["postgres"]) * 1000 / created
    worker_ms = max(worker_cpu - idle_cpu, 0.0) * 1000 / created
    drain_pg_ms = drain_postgres * 1000 / created
    print(
        f"whole cost of a created ticket ({created} tickets, {queued} messages queued): "
        f"server {server_ms:.1f} + PostgreSQL {request_pg_ms:.1f} ms in the request; workers "
        f"{worker_ms:.1f} + PostgreSQL {drain_pg_ms:.1f} ms after it; "
        f"total {server_ms + request_pg_ms + worker_ms + drain_pg_ms:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["gthread", "sync"],
        help="gthread keeps connections alive; sync (what `lifebuoy serve` runs) answers one "
        "request per connection, each taken by whichever process is free",
    )
    parser.add_argument("--requests", type=int, default=300, help="sequential GETs per page")
    parser.add_argument("--seconds", type=float, default=10.0, help="per creation load level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--skip-pages", action="store_true", help="only measure creation")
    parser.add_argument(
        "--with-workers", action="store_true", help="also the workers' share of a created ticket"
    )
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url (the one bench/desk/generate.py filled)")
    creds = credentials(args.database_url)
    from lifebuoy.tickets.models import Ticket

    print(f"dataset: {Ticket.objects.count():,} tickets")
    port = free_port()
    server = start_server(args.database_url, port, args.workers, args.threads, args.worker_class)
    try:
        agent = {"Cookie": f"sessionid={creds['agent_session']}"}
        customer = {"Cookie": f"sessionid={creds['customer_session']}"}
        token = {"Authorization": f"Bearer {creds['agent_token']}"}
        pages = {
            "queue page (newest)": ("/desk/?sort=newest", agent),
            "queue page (open, P1, by priority)": (
                "/desk/?status=open&priority=P1&sort=priority",
                agent,
            ),
            "queue page (by activity)": ("/desk/?sort=activity", agent),
            "portal list (customer, open)": ("/portal/", customer),
            "API list (newest, 50)": ("/api/tickets/?limit=50", token),
            "API list (status=open, 50)": ("/api/tickets/?status=open&limit=50", token),
        }
        for name, (path, headers) in ({} if args.skip_pages else pages).items():
            timed_gets(port, path, headers, 20)  # warm up
            r = timed_gets(port, path, headers, args.requests)
            print(
                f"{name:40s} n={r['n']:.0f} p50={r['p50']:.1f} ms p95={r['p95']:.1f} ms p99={r['p99']:.1f} ms"
            )
        # Every worker process imports and connects on its first requests: not part of the figure.
        create_load(port, creds["customer_token"], max(args.clients), 3.0, limit=1_000)
        for clients in args.clients:
            meter = CpuMeter(server)
            r = create_load(port, creds["customer_token"], clients, args.seconds, limit=20_000)
            print(
                f"create, {clients:2d} clients{'':22s} {r['per_s']:.0f} tickets/s n={r['n']:.0f} "
                f"p50={r['p50']:.1f} ms p95={r['p95']:.1f} ms p99={r['p99']:.1f} ms errors={r['errors']:.0f}"
            )
            print(f"{'':10s}CPU ms per ticket: {meter.per_request(int(r['n']))}")
        if args.with_workers:
            total_cost(args.database_url, port, creds["customer_token"], server)
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
