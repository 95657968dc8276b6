"""Fill a database with N tickets and their conversations, for the desk benchmarks.

    python bench/desk/generate.py --tickets 100000 --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench

The database is created (PostgreSQL) or the file written (SQLite) from nothing each run: staff,
organizations and customers come from the demo catalog, tickets are bulk-inserted with a
deterministic random mix of priorities, statuses, categories and channels, with 0-4 messages each.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import prepare_database, setup_django  # noqa: E402


def generate(tickets: int, seed: int) -> None:
    from django.core.management import call_command

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.demo.services import demo_load
    from lifebuoy.tickets.models import Category, Channel, Message, Priority, Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    demo_load(seed=seed, tickets=0, now=now)
    rng = random.Random(seed)
    customers = list(User.objects.filter(role=Role.CUSTOMER).select_related("organization"))
    agents = list(User.objects.filter(role=Role.AGENT))
    statuses = ["new"] * 2 + ["open"] * 3 + ["pending"] * 2 + ["escalated"] + ["resolved"] * 2
    statuses += ["closed"] * 10
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(tickets, 1)
    batch = 5000
    began = time.monotonic()
    for first in range(0, tickets, batch):
        rows, convo = [], []
        for i in range(first, min(first + batch, tickets)):
            requester = rng.choice(customers)
            created = start + step * i
            rows.append(
                Ticket(
                    subject=f"Ticket {i}: {rng.choice(Category.labels)} on {requester.organization}",
                    description="Generated for benchmarks. " * rng.randint(1, 8),
                    description_html="<p>Generated for benchmarks.</p>",
                    requester=requester,
                    organization=requester.organization,
                    priority=rng.choice(Priority.values),
                    category=rng.choice(Category.values),
                    channel=rng.choice(Channel.values),
                    status=rng.choice(statuses),
                    assignee=rng.choice([*agents, None]),
                    created_at=created,
                    last_activity_at=created + timedelta(minutes=rng.randint(0, 5000)),
                )
            )
        created_rows = Ticket.objects.bulk_create(rows)
        events = []
        for ticket in created_rows:
            events.append(
                TicketEvent(ticket=ticket, action="created", created_at=ticket.created_at)
            )
            for n in range(rng.randint(0, 4)):
                author = ticket.requester if n % 2 else rng.choice(agents)
                body = "Generated reply."
                convo.append(
                    Message(ticket=ticket, author=author, body=body, body_html=f"<p>{body}</p>",
                            is_internal=n == 2, created_at=ticket.created_at + timedelta(hours=n))
                )  # fmt: skip
        Message.objects.bulk_create(convo)
        TicketEvent.objects.bulk_create(events)
        done = first + len(rows)
        rate = done / (time.monotonic() - began)
        print(f"\r{done:,}/{tickets:,} tickets ({rate:,.0f}/s)", end="", flush=True)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"),
    )
    args = parser.parse_args()
    prepare_database(args.database_url)
    setup_django(args.database_url)
    generate(args.tickets, args.seed)
    if args.database_url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
