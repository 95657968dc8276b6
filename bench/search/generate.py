"""Fill a database with tickets whose words look like a support desk's, for the search bench.

    python bench/search/generate.py --tickets 1000000 --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_search
    python bench/search/generate.py --tickets 100000 --database-url sqlite:///var/bench-search.sqlite3

The database is made from nothing (staff, organizations and customers from the demo catalog).
Text is drawn from a fixed vocabulary of 4,000 words with a Zipf-like skew (the commonest word,
"deployment", is in about a third of the tickets), so the index has common and rare words as a
real desk does. Each ticket has a 6-word subject, a 25-word description and 0-6 messages of
15-40 words (every fourth an internal note): about 3 messages per ticket. Planted for the bench:
- "zanzibarite" in the public replies of 40 tickets only (a rare word found only in a reply);
- the phrase "merge conflict" in about 0.5 % of the tickets.
Rows are written with COPY (PostgreSQL) or executemany (SQLite), then indexed with the
application's own backfill (``search_reindex``), timed.
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

RARE_WORD = "zanzibarite"
RARE_TICKETS = 40
PHRASE = "merge conflict"
_DOMAIN_TEXT = (
    "deployment agent hub consolidation commit branch repository cost budget token quality "
    "validation slow stuck error timeout config upgrade install cluster memory disk queue "
    "worker scheduler webhook integration latency billing invoice license restart crash log"
)
DOMAIN = _DOMAIN_TEXT.split()
STATUSES = ["new"] * 2 + ["open"] * 3 + ["pending"] * 2 + ["escalated"] + ["resolved"] * 2
STATUSES += ["closed"] * 10


def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    """The domain's words first, then made-up ones; cumulative Zipf weights (s = 1)."""
    syllables = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
    words = list(DOMAIN)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    total, cumulative = 0.0, []
    for rank in range(1, size + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return words, cumulative


class Text:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, self.cumulative = vocabulary(rng)

    def __call__(self, count: int) -> str:
        # The commonest word lands in about a third of the documents as in real desks.
        picked = self.rng.choices(self.words[1:], cum_weights=self.cumulative[1:], k=count)
        if self.rng.random() < 0.3:
            picked[self.rng.randrange(count)] = self.words[0]
        if self.rng.random() < 0.0025:
            picked.insert(self.rng.randrange(count), PHRASE)
        return " ".join(picked)


def _people() -> tuple[list[tuple[int, int]], list[int]]:
    from lifebuoy.accounts.models import Role, User

    customers = list(
        User.objects.filter(role=Role.CUSTOMER, organization__isnull=False).values_list(
            "id", "organization_id"
        )
    )
    agents = list(User.objects.filter(role=Role.AGENT).values_list("id", flat=True))
    return customers, agents


def _rows(first_id: int, count: int, args: argparse.Namespace, state: dict) -> tuple[list, list]:
    rng, text, customers, agents = state["rng"], state["text"], state["customers"], state["agents"]
    start = state["start"]
    step = timedelta(days=365) / max(args.tickets, 1)
    tickets, messages = [], []
    for n in range(first_id, first_id + count):
        requester, org = rng.choice(customers)
        created = start + step * (n - 1)
        status = rng.choice(STATUSES)
        last = created + timedelta(minutes=rng.randint(0, 5000))
        solved = last if status in ("resolved", "closed") else None
        description = text(25)
        tickets.append(
            (n, created, created, text(6).capitalize()[:200], description, "", requester, org,
             f"P{rng.randint(1, 4)}", rng.choice(state["categories"]),
             "portal", status, "", solved, solved if status == "closed" else None, 0, last, False)
        )  # fmt: skip
        for k in range(rng.randint(0, 6)):
            author = requester if k % 2 else rng.choice(agents)
            body = text(rng.randint(15, 40))
            if n in state["rare"] and k == 0:
                body += f" {RARE_WORD}"
                author = rng.choice(agents)
            messages.append(
                (n, author, body, "", k % 4 == 3 and n not in state["rare"], False,
                 created + timedelta(minutes=10 * (k + 1)))
            )  # fmt: skip
    return tickets, messages


TICKET_COLUMNS = (
    "id, created_at, updated_at, subject, description, description_html, requester_id, "
    "organization_id, priority, category, channel, status, deployment_url, resolved_at, "
    "closed_at, reopen_count, last_activity_at, waiting_on_us"
)
MESSAGE_COLUMNS = "ticket_id, author_id, body, body_html, is_internal, unverified, created_at"


def _write(tickets: list, messages: list) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY tickets_ticket ({TICKET_COLUMNS}) FROM STDIN") as copy:
                for row in tickets:
                    copy.write_row(row)
            with raw.copy(f"COPY tickets_message ({MESSAGE_COLUMNS}) FROM STDIN") as copy:
                for row in messages:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * 18)
        cursor.executemany(
            f"INSERT INTO tickets_ticket ({TICKET_COLUMNS}) VALUES ({marks})",
            tickets,
        )
        cursor.executemany(
            f"INSERT INTO tickets_message ({MESSAGE_COLUMNS}) VALUES ({', '.join(['%s'] * 7)})",
            messages,
        )


def generate(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from lifebuoy.demo.services import demo_load
    from lifebuoy.tickets.models import Category
    from lifebuoy.tickets.search.indexing import search_reindex

    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    # No monitoring tickets: the tickets below are written with ids from 1.
    demo_load(seed=args.seed, tickets=0, now=now, deployments=False)
    rng = random.Random(args.seed)
    customers, agents = _people()
    state = {
        "rng": rng,
        "text": Text(rng),
        "customers": customers,
        "agents": agents,
        "now": now,
        "start": now - timedelta(days=365),
        "categories": Category.values,
        "rare": set(rng.sample(range(1, args.tickets + 1), RARE_TICKETS)),
    }
    began = time.monotonic()
    batch, total_messages = 10_000, 0
    for first in range(1, args.tickets + 1, batch):
        tickets, messages = _rows(first, min(batch, args.tickets + 1 - first), args, state)
        with transaction.atomic():
            _write(tickets, messages)
        total_messages += len(messages)
        done = first + len(tickets) - 1
        print(f"\r{done:,} tickets, {total_messages:,} messages "
              f"({time.monotonic() - began:.0f} s)", end="", flush=True)  # fmt: skip
    print()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), %s)", [args.tickets]
            )
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE tickets_message")
    began = time.monotonic()
    indexed = 0
    for count in search_reindex(batch_size=5000):
        indexed += count
        print(f"\rindexed {indexed:,} ({time.monotonic() - began:.0f} s)", end="", flush=True)
    print(f"\nbackfill: {indexed:,} tickets in {time.monotonic() - began:.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ticket_search")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-search.sqlite3'}"
        ),
    )
    args = parser.parse_args()
    prepare_database(args.database_url)
    setup_django(args.database_url)
    generate(args)


if __name__ == "__main__":
    main()
