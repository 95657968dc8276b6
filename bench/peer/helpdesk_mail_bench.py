"""Inbound mail ingest, Lifebuoy against django-helpdesk 2.6.1, in one run on one PostgreSQL.

The peer runs in a virtualenv of its own, outside the repository's (build it once):

    python3 -m venv /work/peer-venv
    /work/peer-venv/bin/pip install -r bench/peer/requirements.txt   # django-helpdesk 2.6.1 pinned

Then, from the repository root, with PostgreSQL on 127.0.0.1:5432 (user postgres, trust):

    .venv/bin/python bench/peer/helpdesk_mail_bench.py --prepare            # build the 4 desks
    .venv/bin/python bench/peer/helpdesk_mail_bench.py [--messages 500] [--rounds 3]

``--prepare`` makes four databases from nothing: for each system a near-empty desk and one of
``--grown`` tickets (100,000; Lifebuoy's from ``bench/desk/generate.py``, the peer's inserted
in SQL, each ticket with the mail reference or follow-up Message-ID a mailed ticket leaves).

Each round writes ``--messages`` new-ticket messages from 50 known customers and one reply to
each (threaded by In-Reply-To, which both desks follow; no subject token, since they write
different ones) as .eml files, and gives both systems the very same files: django-helpdesk
through its own entry point (``process_email`` on a queue whose mailbox is a local folder),
Lifebuoy through the function its SMTP gateway's worker runs per message, each in one process,
one message after another, every ticket committed before the next message (each process first
handles one warm-up message, untimed, as a long-running service would have); then Lifebuoy's
SMTP gateway on loopback (one worker, its default) from one sender process. The order of the
systems alternates between rounds. Per message: wall time, the process's CPU and the CPU of
the database's PostgreSQL backends (``bench.slack.processes.PostgresMeter``). Lifebuoy's
work deferred to Celery (the acknowledgement's delivery, escalation rules) is not in its
figures; django-helpdesk builds and hands its acknowledgement to the mail backend inline (an
in-memory one here), so that is in its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.peer.mailset import write_messages  # noqa: E402

PEER_PYTHON = os.environ.get("PEER_PYTHON", "/work/peer-venv/bin/python")
BASE = "postgres://postgres@127.0.0.1:5432/"
# The four databases' names end in these; MAILPEER_DB_PREFIX starts them ("" by default), so
# that two people benchmarking on one PostgreSQL each keep desks of their own.
DESKS = {"small": "mailpeer_small", "grown": "mailpeer_100k"}
PREFIX = os.environ.get("MAILPEER_DB_PREFIX", "")


def _env(system: str, desk: str, code: str = "") -> dict[str, str]:
    env = {**os.environ, "SECRET_KEY": "benchmark-only-secret-key-" + "x" * 40}
    if system == "django-helpdesk":
        env["PEER_DATABASE_URL"] = BASE + PREFIX + "helpdesk_" + DESKS[desk]
    else:
        env["DATABASE_URL"] = BASE + PREFIX + "lifebuoy_" + DESKS[desk]
    if code:
        env["LIFEBUOY_CODE"] = code
    return env


def _side(system: str, desk: str, *args: str, code: str = "") -> list[dict[str, object]]:
    if system == "django-helpdesk":
        cmd = [PEER_PYTHON, str(ROOT / "bench/peer/peer_side.py"), *args]
    else:
        cmd = [sys.executable, str(ROOT / "bench/peer/lifebuoy_side.py"), *args]
    done = subprocess.run(
        cmd, check=False, cwd=ROOT, env=_env(system, desk, code), capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"{' '.join(args)} on {system}'s {desk} desk failed:\n{done.stderr}")
    out = done.stdout
    return [json.loads(line[7:]) for line in out.splitlines() if line.startswith("RESULT ")]


def prepare(grown: int) -> None:
    from bench.databases import prepare_database

    for desk, tickets in (("small", 0), ("grown", grown)):
        url = BASE + PREFIX + "lifebuoy_" + DESKS[desk]
        gen = [sys.executable, str(ROOT / "bench/desk/generate.py"), "--tickets", str(tickets)]
        subprocess.run([*gen, "--database-url", url], cwd=ROOT, env=_env("Lifebuoy", desk),
                       check=True)  # fmt: skip
        _side("Lifebuoy", desk, "prepare")
        prepare_database(BASE + PREFIX + "helpdesk_" + DESKS[desk])
        _side("django-helpdesk", desk, "prepare", "--tickets", str(tickets))
        print(f"{desk} desks ready ({tickets:,} tickets each)", flush=True)


# (label, system, extra arguments, code checkout, suffix of the run's Message-IDs)
Run = tuple[str, str, tuple[str, ...], str, str]


def _runs(n: int, gateway: bool, baseline: str, code: str) -> list[Run]:
    """The runs of round ``n``: the two systems (their order alternating), then the extras.
    Lifebuoy's runs share its database, so each has Message-IDs of its own."""
    pair: list[Run] = [("Lifebuoy", "Lifebuoy", (), code, ""),
                       ("django-helpdesk", "django-helpdesk", (), "", "")]  # fmt: skip
    runs = pair if n % 2 == 0 else pair[::-1]
    if baseline:
        runs.insert(1, ("Lifebuoy (baseline code)", "Lifebuoy", (), baseline, "b"))
    if gateway:
        runs.append(("Lifebuoy (SMTP gateway)", "Lifebuoy", ("--gateway",), code, "g"))
    return runs


def run(
    messages: int, rounds: int, gateway: bool, baseline: str, code: str
) -> list[dict[str, object]]:
    results: list[dict[str, object]] = []
    folder = Path(tempfile.mkdtemp(prefix="mailpeer-"))
    stamp = f"{time.time():.0f}"  # Message-IDs the desks never saw, whatever ran before
    for desk in DESKS:
        for n in range(rounds):
            for label, system, extra, checkout, suffix in _runs(n, gateway, baseline, code):
                # Both systems get the same files (their databases differ).
                tag = f"{desk}{n}{suffix}-{stamp}"
                if not (folder / tag).exists():
                    write_messages(folder / tag, tag, messages)
                for phase in ("new", "reply"):
                    args = ["ingest", "--folder", str(folder / tag / phase), "--phase", phase,
                            "--warm", str(folder / tag / f"warm-{phase}.eml")]  # fmt: skip
                    for result in _side(system, desk, *args, *extra, code=checkout):
                        result.update(system=label, desk=desk, round=n)
                        results.append(result)
                        print(json.dumps(result), flush=True)
    return results


def table(results: list[dict[str, object]]) -> None:
    print(
        "\n| desk | system | phase | msg/s (median) | process CPU ms/msg | PostgreSQL CPU ms/msg | tickets after |"
    )
    print("|---|---|---|---:|---:|---:|---:|")
    keys = dict.fromkeys((r["desk"], r["system"], r["phase"]) for r in results)
    for desk, system, phase in keys:
        rows = [r for r in results if (r["desk"], r["system"], r["phase"]) == (desk, system, phase)]
        med = {k: statistics.median(float(r[k]) for r in rows) for k in ("rate", "cpu_ms", "pg_ms")}
        print(f"| {desk} | {system} | {phase} | {med['rate']:.0f} | {med['cpu_ms']:.1f} | "
              f"{med['pg_ms']:.1f} | {max(int(r['tickets']) for r in rows):,} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prepare", action="store_true", help="build the four desks and stop")
    parser.add_argument("--grown", type=int, default=100_000, help="tickets in the grown desks")
    parser.add_argument("--messages", type=int, default=500, help="new tickets per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-gateway", dest="gateway", action="store_false")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument(
        "--code",
        default="",
        help="run Lifebuoy from this checkout instead of the working tree (a fixed snapshot)",
    )
    parser.add_argument(
        "--baseline",
        default="",
        help="a checkout of other Lifebuoy code (e.g. `git archive` of an older commit), also "
        "run in every round on Lifebuoy's desks, for before/after figures",
    )
    args = parser.parse_args()
    if args.prepare:
        prepare(args.grown)
        return
    print(f"load average at start: {os.getloadavg()}", flush=True)
    results = run(args.messages, args.rounds, args.gateway, args.baseline, args.code)
    print(f"load average at end: {os.getloadavg()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    table(results)


if __name__ == "__main__":
    main()
