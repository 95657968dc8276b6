"""The processes under test and the CPU they spend, read from /proc: gunicorn, Celery workers
and the PostgreSQL backends of the benchmark's database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.slack.desk import ROOT
from bench.slack.traffic import HOST

IDLE_QUEUE = "slackbench-idle"  # workers start on it, so the clock starts when they are warm


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """User + system CPU of ``pids``; with ``reaped``, of the children they waited for."""
    tick = os.sysconf("SC_CLK_TCK")
    first = 13 if reaped else 11  # utime, stime (fields 14-15) or cutime, cstime (16-17)
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[first]) + int(fields[first + 1])
    return total / tick


def _cmdline(pid: str) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def pids_matching(match: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if match in _cmdline(entry):
                found.append(int(entry))
        except OSError:
            continue
    return found


def children(pid: int) -> list[int]:
    """``pid`` and its direct children (gunicorn's workers, Celery's pool)."""
    found = [pid]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if int(_stat(int(entry))[1]) == pid:
                found.append(int(entry))
        except OSError:
            continue
    return found


class PostgresMeter:
    """CPU the PostgreSQL server spends for the benchmark's database between ``start()`` and
    ``spent()``: its backends' own, and that of backends which exited meanwhile, which the
    postmaster collected when it reaped them (a worker that reconnects for every task leaves
    nothing else to read). Reaped time can include other databases' short connections on a
    shared machine; ``spent`` reports it apart."""

    def __init__(self, database: str, postmaster: int) -> None:
        self.database = database
        self.match = f" postgres {database} "
        self.postmaster = postmaster
        self.backends: dict[int, float] = {}
        self.reaped = 0.0
        self.counters = (0, 0)
        self.connections = 0  # new connections to the database during the phase
        self.autovacuums = 0  # autovacuum and autoanalyze runs on its tables during the phase

    def _counters(self) -> tuple[int, int]:
        """Connections ever made to the database (PostgreSQL 14+, this meter's own included) and
        autovacuum and autoanalyze runs on its tables (their workers exit, and the postmaster
        reaps their CPU too)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sessions FROM pg_stat_database WHERE datname = %s", [self.database]
            )
            sessions = int(cursor.fetchone()[0])
            cursor.execute(
                "SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) "
                "FROM pg_stat_user_tables"
            )
            return sessions, int(cursor.fetchone()[0])

    def _backends(self) -> dict[int, float]:
        return {
            pid: cpu_seconds([pid])
            for pid in pids_matching(self.match)
            if _cmdline(str(pid)).startswith("postgres:")
        }

    def start(self) -> None:
        self.counters = self._counters()
        self.backends = self._backends()
        self.reaped = cpu_seconds([self.postmaster], reaped=True)

    def spent(self) -> tuple[float, float]:
        """(live backends, reaped) CPU seconds since ``start``. A backend that was there at the
        start and has exited since is counted in the reaped time from its start reading on."""
        now = self._backends()
        live = sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in now.items())
        gone = sum(cpu for pid, cpu in self.backends.items() if pid not in now)
        reaped = cpu_seconds([self.postmaster], reaped=True) - self.reaped - gone
        sessions, autovacuums = self._counters()
        self.connections = sessions - self.counters[0]
        self.autovacuums = autovacuums - self.counters[1]
        return live, max(0.0, reaped)


def postmaster_pid() -> int:
    """The PostgreSQL server's parent process: the parent of this process's own backend."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    return int(_stat(backend)[1])


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def web_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    cmd += ["--bind", f"{HOST}:{port}", "--workers", str(workers), "--log-level", "warning"]
    proc = start(cmd, env)
    wait_for_port(port)
    return proc


def celery_workers(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    """Workers that consume nothing until ``consume_default_queue``: they load their code and
    connect first, so what they spend from then on is the work's."""
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", str(concurrency)]
    cmd += ["-Q", IDLE_QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return start([*cmd, "-l", "warning"], env)


def consume_default_queue(expected: int, timeout: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.add_consumer("celery", reply=True, timeout=2)
        if len(replies or []) >= expected:
            return
    raise SystemExit("the workers did not start consuming")


def wait_idle(broker: str, pids: list[int], timeout: float = 900) -> None:
    """Until the queue is empty, nothing is unacknowledged (a task waiting for its countdown
    counts) and the workers spent no CPU for a second."""
    import redis

    client = redis.Redis.from_url(broker)
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        cpu = cpu_seconds(pids)
        busy = client.llen("celery") or client.hlen("unacked") or cpu - last > 0.02
        if not busy:
            return
        last = cpu
    raise SystemExit("the workers did not finish in time")
