"""The agent's ticket page with a long conversation, and the presence poll it makes, measured.

    python bench/desk/ticket_page_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_queue

Run bench/desk/generate.py first. The bench picks the newest open ticket of the organization
with the most tickets and gives it ``--messages`` messages through the desk's own services (a
customer reply, an agent's reply and an internal note in turn, with the status changes they
cause), once: a ticket already grown to that size is reused. Then:

1. HTTP (gunicorn on 127.0.0.1, sequential keep-alive GETs after 20 warm-up requests): the
   ticket page ``/desk/tickets/<id>/`` as the first tier-2 agent, and for comparison a ticket
   of the same organization with the generator's few messages.
2. In-process (Django's test client): the same page's statement count, and the presence poll
   (``POST /desk/tickets/<id>/presence/``, what an open page sends every 5 s): wall time and
   CPU per poll of this process and of PostgreSQL.

``--profile N`` instead profiles N in-process views of the few-message page with cProfile and
prints where the CPU goes (the functions with the most time of their own, and the templates
rendered per view), skipping the HTTP part.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.desk.http_bench import credentials, free_port, start_server  # noqa: E402
from bench.desk.queue_views_bench import (  # noqa: E402
    Meter,
    _pids,
    code_version,
    cpu_text,
    line,
    load,
    summary,
    timed_gets,
)

MARK = "[bench: long conversation]"


def long_ticket(messages: int) -> tuple[Any, Any]:
    """The ticket with ``messages`` messages (made once), and a short one to compare with."""
    from django.db.models import Count
    from django.utils import timezone

    from lifebuoy.accounts.models import Organization, Role, User
    from lifebuoy.tickets.models import Status, Ticket
    from lifebuoy.tickets.services import message_add

    org = Organization.objects.annotate(n=Count("tickets")).order_by("-n").first()
    assert org is not None
    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    unsolved = Ticket.objects.filter(organization=org, status__in=[Status.OPEN, Status.NEW])
    ticket = Ticket.objects.filter(organization=org, subject__startswith=MARK).first()
    if ticket is None:
        ticket = unsolved.order_by("-id").first()
        assert ticket is not None and agent is not None
        Ticket.objects.filter(id=ticket.id).update(subject=f"{MARK} {ticket.subject}")
    have = ticket.messages.count()
    at = timezone.now() - timedelta(days=2)
    for n in range(have, messages):
        author, internal = (ticket.requester, False) if n % 3 == 0 else (agent, n % 3 == 2)
        ticket.refresh_from_db()
        message_add(
            ticket=ticket,
            author=author,
            body=f"Message {n + 1}: the builder pushed again at {n}:00, see the log below.\n\n"
            "```\nC2: commit 3f2a… pushed to origin/main\n```",
            is_internal=internal,
            now=at + timedelta(minutes=10 * n),
        )
    short = unsolved.exclude(id=ticket.id).order_by("-id").first()
    assert short is not None
    return ticket, short


def http_part(
    args: argparse.Namespace, creds: dict[str, str], database: str, ids: dict[str, int]
) -> None:
    port = free_port()
    server = start_server(args.database_url, port, args.workers, args.threads)
    try:
        headers = {"Cookie": f"sessionid={creds['agent_session']}"}
        print(f"-- HTTP; {load()}")
        for name, ticket_id in ids.items():
            path = f"/desk/tickets/{ticket_id}/"
            timed_gets(port, path, headers, 20)
            meter = Meter(database, lambda: [server.pid, *_pids("gunicorn", parent=server.pid)])
            r = timed_gets(port, path, headers, args.requests)
            line(f"ticket page, {name}", r, cpu_text(meter.per_op(int(r["n"])), "server"))
    finally:
        server.terminate()


def in_process(args: argparse.Namespace, database: str, ticket: Any) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lifebuoy.accounts.models import Role, User

    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    other = User.objects.filter(role=Role.AGENT).exclude(id=agent.id).order_by("id").first()
    client, colleague = Client(SERVER_NAME="127.0.0.1"), Client(SERVER_NAME="127.0.0.1")
    client.force_login(agent)
    colleague.force_login(other)
    print(f"-- in-process; {load()}")
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(f"/desk/tickets/{ticket.id}/").status_code == 200
    print(f"ticket page statements: {len(page_queries.captured_queries)}")
    url = f"/desk/tickets/{ticket.id}/presence/"
    last = ticket.messages.order_by("-id").values_list("id", flat=True).first() or 0
    colleague.post(url, {"state": "replying", "last_message": last})
    samples = []
    meter = Meter(database, lambda: [os.getpid()])
    with CaptureQueriesContext(connection) as poll_queries:
        for _ in range(args.polls):
            began = time.perf_counter()
            response = client.post(url, {"state": "viewing", "last_message": last})
            samples.append(time.perf_counter() - began)
            assert response.status_code == 200 and b"is replying" in response.content
    statements = len(poll_queries.captured_queries) / args.polls
    line(
        "presence poll",
        summary(samples),
        cpu_text(meter.per_op(args.polls), "app") + f"; {statements:.0f} statements",
    )


def profile_page(ticket: Any, views: int) -> None:
    """Where one view of the ticket page spends its CPU, in-process."""
    import cProfile
    import pstats
    from collections import Counter

    from django.template.base import Template
    from django.test import Client

    from lifebuoy.accounts.models import Role, User

    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(agent)
    url = f"/desk/tickets/{ticket.id}/"
    for _ in range(10):
        assert client.get(url).status_code == 200
    rendered: Counter[str] = Counter()
    original = Template._render

    def counting(self: Any, context: Any) -> Any:
        rendered[self.origin.template_name if self.origin else "<string>"] += 1
        return original(self, context)

    Template._render = counting  # type: ignore[method-assign]
    try:
        client.get(url)
    finally:
        Template._render = original  # type: ignore[method-assign]
    print(f"templates rendered per view: {sum(rendered.values())}")
    for name, n in rendered.most_common():
        print(f"  {n:3d}  {name}")
    began = time.process_time()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(views):
        client.get(url)
    profiler.disable()
    print(f"CPU per view under the profiler: {(time.process_time() - began) * 1000 / views:.1f} ms")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give --database-url: the PostgreSQL database generate.py filled")
    database = args.database_url.rsplit("/", 1)[1]
    os.environ.setdefault("DEBUG", "0")
    data_dir = tempfile.mkdtemp(prefix="lifebuoy-ticketbench-")
    os.environ["LIFEBUOY_DATA_DIR"] = data_dir
    try:
        creds = credentials(args.database_url)
        from django.core.management import call_command

        from lifebuoy.cli.commands.server import _prepare_broker

        call_command("collectstatic", interactive=False, verbosity=0)
        _prepare_broker()  # the messages' emails and events queue to a folder of this run
        ticket, short = long_ticket(args.messages)
        print(
            f"code: {code_version()}; ticket #{ticket.id} with {ticket.messages.count()} "
            f"messages and {ticket.events.count()} events; #{short.id} with "
            f"{short.messages.count()}"
        )
        if args.profile:
            profile_page(short, args.profile)
            return
        ids = {f"{args.messages} messages": ticket.id, "few messages": short.id}
        http_part(args, creds, database, ids)
        in_process(args, database, ticket)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
