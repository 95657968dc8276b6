"""What one ticket INSERT costs PostgreSQL, on two or more databases in turn (their indexes differ).

    python bench/desk/ticket_insert_bench.py --rounds 7 --inserts 500 \\
        postgres://postgres@127.0.0.1:5432/lifebuoy_bench_old \\
        postgres://postgres@127.0.0.1:5432/lifebuoy_bench_new

Each database is one made by bench/desk/generate.py (a copy: ``CREATE DATABASE b TEMPLATE a``,
then one of them migrated). Each round inserts ``--inserts`` tickets into each database, one
per transaction as the application does, all alike: a new ticket of the first customer, in the
first queue, nobody assigned, with the columns a new ticket has. The figure is the CPU of that
database's backend (scheduler run time from /proc, so PostgreSQL must run on this machine) per
INSERT and commit, round by round, with the databases taking turns so load on the machine weighs
on all of them alike. The tickets stay in the database, as bench/desk/create_profile.py's do.
Refuses a database whose name does not contain "bench".
"""

from __future__ import annotations

import argparse
import statistics
from datetime import UTC, datetime
from pathlib import Path

import psycopg

INSERT = (
    "INSERT INTO tickets_ticket (created_at, updated_at, subject, description, description_html, "
    "priority, category, channel, status, deployment_url, reopen_count, last_activity_at, "
    "organization_id, queue_id, requester_id, waiting_on_us) "
    "VALUES (%(now)s, %(now)s, 'Agent offline', 'C2 silent for 3 hours', "
    "'<p>C2 silent for 3 hours</p>', 'P2', 'agent_not_responding', 'portal', 'new', '', 0, "
    "%(now)s, %(organization)s, %(queue)s, %(requester)s, false) RETURNING id"
)
CUSTOMER = (
    "SELECT u.id, u.organization_id FROM accounts_user u WHERE u.role = 'customer' "
    "AND u.organization_id IS NOT NULL ORDER BY u.id LIMIT 1"
)


class Target:
    def __init__(self, url: str) -> None:
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise SystemExit(f"refusing {url}: not a benchmark database")
        self.name = url.rsplit("/", 1)[-1]
        self.conn = psycopg.connect(url, autocommit=True)
        pid = self.conn.execute("SELECT pg_backend_pid()").fetchone()
        self.schedstat = Path(f"/proc/{pid[0] if pid else 0}/schedstat")
        row = self.conn.execute(CUSTOMER).fetchone()
        queue = self.conn.execute("SELECT min(id) FROM accounts_queue").fetchone()
        if row is None:
            raise SystemExit(f"{self.name}: no customer; run bench/desk/generate.py first")
        self.values = {"requester": row[0], "organization": row[1], "queue": queue and queue[0]}
        self.per_insert: list[float] = []
        indexes = self.conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = 'tickets_ticket'"
        ).fetchone()
        self.indexes = indexes[0] if indexes else 0

    def cpu(self) -> float:
        return int(self.schedstat.read_text().split()[0]) / 1e9

    def round(self, inserts: int) -> float:
        began = self.cpu()
        for _ in range(inserts):
            with self.conn.transaction():
                self.conn.execute(INSERT, {**self.values, "now": datetime.now(UTC)}).fetchone()
        spent = (self.cpu() - began) / inserts
        self.per_insert.append(spent)
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--inserts", type=int, default=500, help="per round and database")
    parser.add_argument("--warm-up", type=int, default=100)
    args = parser.parse_args()
    targets = [Target(url) for url in args.urls]
    for target in targets:
        target.round(args.warm_up)
        target.per_insert.clear()
    for number in range(1, args.rounds + 1):
        figures = [f"{t.name} {t.round(args.inserts) * 1e6:6.0f} µs" for t in targets]
        print(f"round {number}: " + ", ".join(figures), flush=True)
    for target in targets:
        spent = sorted(target.per_insert)
        print(
            f"{target.name}: {target.indexes} indexes on tickets_ticket, median "
            f"{statistics.median(spent) * 1e6:.0f} µs PostgreSQL CPU per INSERT and commit "
            f"(min {spent[0] * 1e6:.0f}, max {spent[-1] * 1e6:.0f}; {args.rounds} rounds "
            f"of {args.inserts})"
        )
    for target in targets:
        target.conn.close()


if __name__ == "__main__":
    main()
