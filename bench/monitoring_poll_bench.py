"""A monitoring poll with 100 new commits on a deployment's mirror.

    python bench/monitoring_poll_bench.py --history 2000 20000 --rounds 5

For each history size: a synthetic Dual Trinity repository (bench/doctor/generate.py) is the
"customer" repository; a deployment with consent is created in a throwaway SQLite database
(DATABASE_URL is ignored, so no shared database is touched; ``--database-url`` names a
PostgreSQL database to create and drop instead) and polled once (clone + first
diagnosis).
Then, each round, 100 agent and heartbeat commits are appended to the customer repository with
``git fast-import`` (not timed), and one ``deployment_poll`` is timed end to end: the fetch
into the mirror, the doctor continuing from the last run's state with the 100 new commits,
storing the run and its state, status changes, tasks and problems. The same poll is also
timed in a "new worker" (the decoded state dropped from memory, so it is read from the
database). Also timed: a poll with nothing new (the early stop), and the fetch and a full
doctor run alone, to show where the time goes. CPU per poll is the user and system time of
the process and of the git processes it waited for (fetch and doctor).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import drop_database, prepare_database  # noqa: E402
from bench.doctor.generate import BOT, agent_commit, data, generate  # noqa: E402

NEW_COMMITS = 100


def setup_django(data_dir: Path, database_url: str | None = None) -> None:
    os.environ["LIFEBUOY_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if database_url:  # a throwaway database made from nothing (dropped at the end)
        prepare_database(database_url)
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["LIFEBUOY_NOTIFY_EMAIL"] = "0"
    os.environ["LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS"] = "1"  # the "customer" repo is local
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lifebuoy.cli.commands.server import _prepare_broker

    _prepare_broker()  # the embedded broker's folders, for the tasks a problem's ticket queues


def append_commits(path: Path, start_ts: int, seed: int) -> int:
    """Append NEW_COMMITS commits (70 % agents, 30 % heartbeats) to main; returns the last time."""
    rng = random.Random(seed)
    blocks = []
    ts = start_ts
    for n in range(NEW_COMMITS):
        ts += rng.randint(20, 70)
        if rng.random() < 0.3:
            machine = rng.choice(["PC1", "PC2"])
            subject, body = f"daemon: {machine} heartbeat", ""
            files = {f".trinity/heartbeats/{machine}.json": f'{{"ts": {ts}}}'.encode()}
        else:
            subject, body, files = agent_commit(rng, 10_000_000 + n, ts)
        text = subject + (f"\n\n{body}" if body else "")
        parts = [
            b"commit refs/heads/main\n",
            b"author %s %d +0000\n" % (BOT, ts),
            b"committer %s %d +0000\n" % (BOT, ts),
            data(text.encode()),
        ]
        if n == 0:
            parts.append(b"from refs/heads/main^0\n")
        for file, content in files.items():
            parts.append(b"M 100644 inline %s\n" % file.encode())
            parts.append(data(content))
        blocks.append(b"".join(parts))
    subprocess.run(
        ["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(blocks), check=True
    )
    return ts


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it waited for (git)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bench_history(workdir: Path, history: int, rounds: int) -> dict[str, object]:
    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.diagnostics.engine.profiles import load_profile
    from lifebuoy.diagnostics.engine.runner import diagnose
    from lifebuoy.monitoring.mirror import mirror_sync, mirrors_root
    from lifebuoy.monitoring.services import polling
    from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create
    from lifebuoy.monitoring.services.polling import deployment_poll

    customer = workdir / f"customer-{history}"
    last = generate(customer, history)
    org = organization_create(
        name=f"Bench {history}", slug=f"bench-{history}", plan="managed", timezone="UTC"
    )
    owner = User.objects.create_user(
        f"owner-{history}@example.com", None, role=Role.CUSTOMER, organization=org
    )
    now = datetime.fromtimestamp(last, tz=UTC) + timedelta(minutes=1)
    deployment = deployment_create(
        organization=org,
        data=NewDeployment(name=f"bench-{history}", repository=str(customer), owner=owner),
        consent=True,
        now=now,
    )
    began = time.perf_counter()
    first = deployment_poll(deployment=deployment, now=now)
    first_s = time.perf_counter() - began
    assert first.outcome == "diagnosed", first.error
    polls, cold, unchanged, fetches, doctors, cpus = [], [], [], [], [], []
    profile = load_profile(deployment.profile)
    mirror = mirrors_root() / deployment.mirror_path
    for round_ in range(rounds):
        last = append_commits(customer, last, seed=round_)
        now = datetime.fromtimestamp(last, tz=UTC) + timedelta(seconds=30)
        began, cpu_began = time.perf_counter(), cpu_seconds()
        result = deployment_poll(deployment=deployment, now=now)
        polls.append(time.perf_counter() - began)
        cpus.append(cpu_seconds() - cpu_began)
        assert result.outcome == "diagnosed", result.error
        assert result.run is not None
        assert result.run.new_commits == NEW_COMMITS, result.run.new_commits
        assert result.run.is_incremental, result.run.full_run_reason
        last = append_commits(customer, last, seed=1000 + round_)
        now = datetime.fromtimestamp(last, tz=UTC) + timedelta(seconds=30)
        polling._states.clear()  # a worker that did not poll this deployment last
        began = time.perf_counter()
        result = deployment_poll(deployment=deployment, now=now)
        cold.append(time.perf_counter() - began)
        assert result.run is not None
        assert result.run.is_incremental, result.run.full_run_reason
        began = time.perf_counter()
        idle = deployment_poll(deployment=deployment, now=now + timedelta(seconds=1))
        unchanged.append(time.perf_counter() - began)
        assert idle.outcome == "unchanged"
        began = time.perf_counter()
        mirror_sync(repository=str(customer), location=deployment.mirror_path)
        fetches.append(time.perf_counter() - began)
        began = time.perf_counter()
        diagnose(mirror, now=now, profile=profile)
        doctors.append(time.perf_counter() - began)
    commits = history + 2 * rounds * NEW_COMMITS
    return {
        "history": history,
        "commits_at_end": commits,
        "first_poll_ms": ms(first_s),
        "poll_median_ms": ms(statistics.median(polls)),
        "poll_best_ms": ms(min(polls)),
        "poll_cpu_median_ms": ms(statistics.median(cpus)),
        "cold_median_ms": ms(statistics.median(cold)),
        "unchanged_median_ms": ms(statistics.median(unchanged)),
        "fetch_median_ms": ms(statistics.median(fetches)),
        "doctor_median_ms": ms(statistics.median(doctors)),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}; {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL database to create, use and drop (default: a SQLite file in a "
        "temporary directory), e.g. postgres://postgres@127.0.0.1:5432/lifebuoy_poll_bench",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lifebuoy-poll-bench-") as tmp:
        workdir = Path(tmp)
        setup_django(workdir / "data", args.database_url)
        from django.db import connection

        print(f"# {machine()}; database {connection.vendor}")
        print(
            "history | first poll | poll +100 (median / best) | CPU per poll +100 (median)"
            " | +100, state from the database | nothing new | fetch | full doctor"
        )
        try:
            for history in args.history:
                r = bench_history(workdir, history, args.rounds)
                print(
                    f"{r['history']:>7,} | {r['first_poll_ms']:>8} ms | "
                    f"{r['poll_median_ms']} / {r['poll_best_ms']} ms | "
                    f"{r['poll_cpu_median_ms']} ms | {r['cold_median_ms']} ms | "
                    f"{r['unchanged_median_ms']} ms | {r['fetch_median_ms']} ms | "
                    f"{r['doctor_median_ms']} ms",
                    flush=True,
                )
        finally:
            if args.database_url:
                connection.close()
                drop_database(args.database_url)


if __name__ == "__main__":
    main()
