"""Ticket search, similar tickets and the index's cost per reply, measured in-process.

    python bench/search/search_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_search
    python bench/search/search_bench.py --database-url sqlite:///var/bench-search.sqlite3

Run bench/search/generate.py first. The searcher is the first tier-2 agent (every ticket is
theirs to see) and, for the portal, the customer of the organization with the most tickets.
Four queries: a rare word found only in 40 tickets' replies, the commonest word (about a third
of the tickets), a two-word phrase and a word that matches nothing. For each:
1. the desk's search page query (``ticket_search_for_user``: ranked, 20 tickets, passages);
2. the desk queue's first page with the ``q`` filter (``ticket_list_for_user``, newest first);
3. the portal's search as the customer;
4. the substring scan the engine replaced (the earlier ``tickets.search``: ``icontains`` on
   subject and description or any readable message), fewer times since it is slow.
Then similar tickets for random tickets (cache emptied each time; with ``--similar-before``
also as PostgreSQL answered them before, ``similar_before.py``, on the same tickets), and the
cost of a reply: ``message_add`` with the index's subscriber and without it, and the index's
append alone. ``--parts similar`` runs one part alone.

CPU per operation is this process's (utime + stime) and PostgreSQL's for the database
(``Meter`` of bench/desk/queue_views_bench.py).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import setup_django  # noqa: E402
from bench.desk.http_bench import _cpu_seconds  # noqa: E402
from bench.desk.queue_views_bench import (  # noqa: E402
    Meter,
    backend_pids,
    code_version,
    cpu_text,
    line,
    load,
    timed,
)

PARTS = ["searches", "similar", "reply"]
QUERIES = {
    "rare word, only in replies": "zanzibarite",
    "common word (~1/3 of tickets)": "deployment",
    "two-word phrase": '"merge conflict"',
    "word matching nothing": "qxzvwordless",
}


def substring_scan(user: Any, text: str, limit: int = 50) -> list[Any]:
    """The matching the engine replaced: every word anywhere, case-insensitive."""
    from django.db.models import Exists, OuterRef, Q

    from lifebuoy.tickets.models import Message
    from lifebuoy.tickets.selectors import ticket_visible

    messages = Message.objects.all()
    if not user.is_support_staff:
        messages = messages.filter(is_internal=False)
    tickets = ticket_visible(user=user)
    for word in text.strip('"').split():
        in_messages = messages.filter(ticket_id=OuterRef("pk"), body__icontains=word)
        match = Q(subject__icontains=word) | Q(description__icontains=word)
        tickets = tickets.filter(match | Q(Exists(in_messages)))
    return list(tickets.order_by("-last_activity_at", "-id")[:limit])


def measure(name: str, fn: Callable[[], Any], count: int, database: str) -> None:
    """Times and CPU per operation; "own" is the CPU of this process's PostgreSQL backends
    alone, without the ended sessions and workers the postmaster reaped meanwhile (which on a
    shared machine include other people's)."""
    fn()  # warm up
    meter = Meter(database, lambda: [os.getpid()])
    own = _cpu_seconds(backend_pids(database))
    r = timed(fn, count)
    own = (_cpu_seconds(backend_pids(database)) - own) * 1000 / max(int(r["n"]), 1)
    line(name, r, f"{cpu_text(meter.per_op(int(r['n'])), 'app')} (own {own:.1f})")


def searches(args: argparse.Namespace, agent: Any, customer: Any, database: str) -> None:
    from lifebuoy.tickets.search.selectors import ticket_search_for_user
    from lifebuoy.tickets.selectors import TicketFilters, ticket_list_for_user

    for label, text in QUERIES.items():
        hits = ticket_search_for_user(user=agent, text=text, limit=20)
        print(f"-- {label}: {text} ({len(hits)} on the search page)")
        measure(
            "desk search page (ranked, 20, passages)",
            lambda t=text: ticket_search_for_user(user=agent, text=t, limit=20),
            args.count,
            database,
        )
        measure(
            "desk queue first page, q filter",
            lambda t=text: ticket_list_for_user(user=agent, filters=TicketFilters(text=t)),
            args.count,
            database,
        )
        measure(
            "portal search (customer)",
            lambda t=text: ticket_search_for_user(user=customer, text=t),
            args.count,
            database,
        )
        if args.substring:
            measure(
                "substring scan it replaces (staff)",
                lambda t=text: substring_scan(agent, t),
                args.substring,
                database,
            )


def similar(args: argparse.Namespace, agent: Any, database: str) -> None:
    from django.db import connection

    from bench.search.similar_before import similar_before
    from lifebuoy.tickets.models import Ticket
    from lifebuoy.tickets.search.postgres import PostgresBackend

    top = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    picks = list(Ticket.objects.filter(id__in=[rng.randint(1, top) for _ in range(300)]))
    variants: list[tuple[str, Callable[..., Any]]] = [
        ("similar tickets, uncached", PostgresBackend.similar)
    ]
    if args.similar_before and connection.vendor == "postgresql":
        variants.append(("similar tickets, uncached, before", similar_before))
        if args.before_first:  # the second measured reads pages the first left in memory
            variants.reverse()
    print("-- similar tickets")
    for name, implementation in variants:
        saved = PostgresBackend.similar
        PostgresBackend.similar = implementation  # type: ignore[method-assign]
        try:
            similar_measure(name, agent, picks, args.count, database)
        finally:
            PostgresBackend.similar = saved  # type: ignore[method-assign]


def similar_measure(name: str, agent: Any, picks: list[Any], count: int, database: str) -> None:
    from django.core.cache import cache

    from lifebuoy.tickets.search.selectors import similar_ticket_list_for_user

    found: list[int] = []

    def one() -> None:
        cache.clear()
        ticket = picks[len(found) % len(picks)]
        found.append(len(similar_ticket_list_for_user(user=agent, ticket=ticket)))

    measure(name, one, count, database)
    print(f"   found on average {sum(found) / max(len(found), 1):.1f} of 5")


def reply_cost(args: argparse.Namespace, agent: Any, database: str) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from lifebuoy.tickets import events
    from lifebuoy.tickets.models import Ticket
    from lifebuoy.tickets.search import backend_for
    from lifebuoy.tickets.search.indexing import _on_message
    from lifebuoy.tickets.services import message_add

    top = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(11)
    open_ids = list(
        Ticket.objects.filter(status="open", id__gt=top - 200_000).values_list("id", flat=True)[
            :400
        ]
    )
    body = "Restarted the hub's worker pool; the consolidation queue drained within minutes."
    print("-- a reply's cost")

    def append() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            backend_for().index_message(
                cursor, ticket_id=rng.choice(open_ids), body=body, is_internal=False
            )

    measure("index append alone (one reply)", append, args.count, database)

    def reply() -> None:
        ticket = Ticket.objects.get(id=rng.choice(open_ids))
        message_add(ticket=ticket, author=agent, body=body, is_internal=True, now=timezone.now())

    measure("message_add (internal note), indexed", reply, args.count, database)
    handlers = events._handlers[events.MessageAdded]
    saved = list(handlers)
    handlers[:] = [h for h in handlers if h[2] is not _on_message]
    try:
        measure("message_add (internal note), not indexed", reply, args.count, database)
    finally:
        handlers[:] = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--substring", type=int, default=5, help="runs of the substring scan")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=PARTS,
        default=PARTS,
        help="which parts to measure (default: all)",
    )
    parser.add_argument(
        "--similar-before",
        action="store_true",
        help="also measure similar tickets as PostgreSQL answered them before, same tickets",
    )
    parser.add_argument("--before-first", action="store_true", help="measure the earlier first")
    args = parser.parse_args()
    # Replies queue follow-up tasks after their commit: keep them in memory, unsent.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    setup_django(args.database_url)
    from django.db import connection
    from django.db.models import Count

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.tickets.models import Message, Ticket

    database = args.database_url.rsplit("/", 1)[1]
    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    busiest = (
        Ticket.objects.values("organization_id").order_by().annotate(n=Count("id")).order_by("-n")
    )[0]["organization_id"]
    customer = User.objects.filter(organization_id=busiest, role=Role.CUSTOMER).first()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {code_version()}; {load()}")
    print(
        f"dataset: {Ticket.objects.count():,} tickets, {Message.objects.count():,} messages "
        f"({connection.vendor})"
    )
    if "searches" in args.parts:
        searches(args, agent, customer, database)
    if "similar" in args.parts:
        similar(args, agent, database)
    if "reply" in args.parts:
        reply_cost(args, agent, database)


if __name__ == "__main__":
    main()
