"""Fill a database with N tickets and their conversations, for the desk benchmarks.

    python bench/desk/generate.py --tickets 100000 --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench

The database is created (PostgreSQL) or the file written (SQLite) from nothing each run: staff,
organizations and customers come from the demo catalog, tickets are bulk-inserted with a
deterministic random mix of priorities, statuses, categories and channels, with 0-4 messages each.

So that every built-in queue view of the desk has tickets, each ticket also gets (from a random
stream of its own, so the columns above stay what they were for a given seed; `--no-queue-data`
leaves these out):
- an owner on a quarter of them (the views "mine" and "unassigned" look at assignee and owner);
- resolved_at / closed_at for solved tickets (at their last activity);
- its SLA summary row, as the SLA engine keeps one per ticket: new, open and escalated tickets
  have a running deadline spread evenly from 72 hours ago to 48 hours ahead (missed ones
  "breached", those due within 2 hours "at_risk", the rest "ok"); pending and resolved ones are
  "paused" and closed ones "none", without a deadline.
Conversations alternate agent and customer replies (the third one an internal note), so a customer
wrote the newest public message of three in five tickets: those are marked waiting_on_us, as the
desk marks them when the messages come in (the view "customer replied").
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import prepare_database, setup_django  # noqa: E402

if TYPE_CHECKING:
    from lifebuoy.accounts.models import User
    from lifebuoy.sla.models import Summary
    from lifebuoy.tickets.models import Ticket


RUNNING = ("new", "open", "escalated")
PAUSED = ("pending", "resolved")


def _queue_columns(ticket: Ticket, rng: random.Random, agents: list[User]) -> None:
    """Owner and solved times of one new ticket (see the module docstring)."""
    ticket.owner = rng.choice(agents) if rng.random() < 0.25 else None
    if ticket.status in ("resolved", "closed"):
        ticket.resolved_at = ticket.last_activity_at
    if ticket.status == "closed":
        ticket.closed_at = ticket.last_activity_at


def _summary_for(ticket_id: int, status: str, rng: random.Random, now: datetime) -> Summary:
    from lifebuoy.sla.models import Summary, SummaryState

    if status in RUNNING:
        due = now + timedelta(minutes=rng.uniform(-72 * 60, 48 * 60))
        if due <= now:
            state = SummaryState.BREACHED
        elif due <= now + timedelta(hours=2):
            state = SummaryState.AT_RISK
        else:
            state = SummaryState.OK
        return Summary(ticket_id=ticket_id, next_due_at=due, state=state)
    state = SummaryState.PAUSED if status in PAUSED else SummaryState.NONE
    return Summary(ticket_id=ticket_id, next_due_at=None, state=state)


def generate(tickets: int, seed: int, queue_data: bool = True) -> None:
    from django.core.management import call_command

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.demo.services import demo_load
    from lifebuoy.sla.models import Summary
    from lifebuoy.tickets.models import Category, Channel, Message, Priority, Ticket, TicketEvent

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    demo_load(seed=seed, tickets=0, now=now, deployments=False)
    rng = random.Random(seed)
    extra_rng = random.Random(f"queue-data-{seed}")  # a stream of its own: see the docstring
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
        # The conversations, drawn in the same order as always but before the tickets are
        # saved, so that each ticket goes in knowing whether the desk owes a reply.
        for ticket in rows:
            replies = rng.randint(0, 4)
            for n in range(replies):
                author = ticket.requester if n % 2 else rng.choice(agents)
                body = "Generated reply."
                convo.append(
                    Message(ticket=ticket, author=author, body=body, body_html=f"<p>{body}</p>",
                            is_internal=n == 2, created_at=ticket.created_at + timedelta(hours=n))
                )  # fmt: skip
            # The newest public message is the customer's (the third one is an internal note).
            ticket.waiting_on_us = replies >= 2
        if queue_data:
            for ticket in rows:
                _queue_columns(ticket, extra_rng, agents)
        created_rows = Ticket.objects.bulk_create(rows)
        if queue_data:
            Summary.objects.bulk_create(
                [_summary_for(t.id, t.status, extra_rng, now) for t in created_rows]
            )
        events = [
            TicketEvent(ticket=ticket, action="created", created_at=ticket.created_at)
            for ticket in created_rows
        ]
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
        "--no-queue-data",
        dest="queue_data",
        action="store_false",
        help="no owners, solved times or SLA summaries (the dataset of the earlier runs)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"),
    )
    args = parser.parse_args()
    prepare_database(args.database_url)
    setup_django(args.database_url)
    generate(args.tickets, args.seed, args.queue_data)
    if args.database_url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__":
    main()
