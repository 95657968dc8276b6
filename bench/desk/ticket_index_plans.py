"""Which index each read of the tickets table uses, beyond the desk queue's views: the portal's
and the API's lists, the requester panel, reports, sweeps, surveys and look-ups by a foreign key.

    python bench/desk/ticket_index_plans.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench

For each query (built by the application's own selectors where there is one), prints the
tickets-table access paths of its plan and the median time of ``--runs`` runs of
``EXPLAIN (ANALYZE)``, or the whole plan with ``--verbose``. Run it on a database made by
bench/desk/generate.py before and after a migration that changes the table's indexes (the
queue's views: bench/desk/queue_views_bench.py --explain). "Seq Scan on tickets_ticket" is a
read that no index serves. Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import setup_django  # noqa: E402

ACCESS = re.compile(
    r"((?:Parallel )?(?:Seq Scan|(?:Index|Index Only|Bitmap Index) Scan(?: Backward)?)"
    r"(?: using \w+)? on (?:tickets_ticket\w*|ticket_\w+))"
)


def queries() -> list[tuple[str, Callable[[], Any]]]:
    """(label, a function returning a queryset or (sql, params)), on the bench's own people."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.core.periods import Period
    from lifebuoy.reports.selectors.common import _created_in, _resolved_in
    from lifebuoy.surveys.selectors import csat_due
    from lifebuoy.tickets.models import OPEN_STATUSES, Channel, Status, Ticket
    from lifebuoy.tickets.selectors import (
        TicketFilters,
        _apply_filters,
        _apply_sort,
        ticket_visible,
    )

    now = timezone.now()
    agent = (
        User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
        or User.objects.filter(role=Role.AGENT).order_by("id").first()
    )
    customer = User.objects.filter(role=Role.CUSTOMER).order_by("id").first()
    assert agent is not None and customer is not None, "run bench/desk/generate.py first"
    busiest = Ticket.objects.values("requester_id").annotate(n=Count("id")).order_by("-n").first()
    requester_id = busiest["requester_id"] if busiest else customer.id
    old = Ticket.objects.filter(status=Status.CLOSED).order_by("id").first()
    ticket_id = old.id if old else 1

    def listed(user: User, sort: str, **filters: Any) -> Callable[[], Any]:
        def build() -> Any:
            f = TicketFilters(sort=sort, now=now, **filters)
            qs = _apply_filters(ticket_visible(user=user), user=user, f=f)
            return _apply_sort(qs, sort, None).values("id")[:51]

        return build

    def counted(user: User, **filters: Any) -> Callable[[], Any]:
        def build() -> Any:
            f = TicketFilters(now=now, **filters)
            qs = _apply_filters(ticket_visible(user=user), user=user, f=f)
            return qs.order_by().values("id")[:10_001]

        return build

    week = now - timedelta(days=7)
    month = now - timedelta(days=30)

    period = Period(start=month, end=now, label="the past 30 days")
    return [
        (
            "portal: open tickets, by activity",
            listed(customer, "activity", status=tuple(OPEN_STATUSES)),
        ),
        ("portal: all tickets, by activity", listed(customer, "activity")),
        ("api (customer): newest", listed(customer, "newest")),
        ("api (staff): newest", listed(agent, "newest")),
        ("api (staff): oldest", listed(agent, "oldest")),
        ("api (staff): by priority", listed(agent, "priority")),
        ("api (staff): by activity", listed(agent, "activity")),
        ("api (staff): status=escalated, newest", listed(agent, "newest", status=("escalated",))),
        ("api (staff): status=new, newest", listed(agent, "newest", status=("new",))),
        ("api (staff): priority=P1, newest", listed(agent, "newest", priority=("P1",))),
        (
            "api (staff): organization, newest",
            listed(agent, "newest", organization=customer.organization_id),
        ),
        ("api (staff): assignee=me, newest", listed(agent, "newest", assignee="me")),
        ("api (staff): unassigned, newest", listed(agent, "newest", assignee="none")),
        ("api (staff): mine (assignee or owner), newest", listed(agent, "newest", mine=True)),
        ("api (staff): nobody's, newest", listed(agent, "newest", nobodys=True)),
        ("api (staff): created this week, newest", listed(agent, "newest", created_from=week)),
        ("count (staff): unassigned, any status", counted(agent, assignee="none")),
        ("count (staff): mine, any status", counted(agent, mine=True)),
        ("count (staff): status=escalated", counted(agent, status=("escalated",))),
        ("count (customer): all", counted(customer)),
        (
            "requester panel: the requester's other open tickets",
            lambda: (
                Ticket.objects.filter(
                    requester_id=requester_id,
                    organization_id=customer.organization_id,
                    status__in=OPEN_STATUSES,
                )
                .exclude(id=ticket_id)
                .order_by("-last_activity_at", "-id")
                .values("id")[:6]
            ),
        ),
        (
            "inbound mail: the sender's tickets of the past hour",
            lambda: Ticket.objects.filter(
                requester_id=requester_id,
                channel=Channel.EMAIL,
                created_at__gte=now - timedelta(hours=1),
            ).values("id"),
        ),
        (
            "surveys: NPS, a customer's tickets in the period",
            lambda: (
                Ticket.objects.filter(
                    requester_id=requester_id, created_at__gte=month, created_at__lt=now
                )
                .exclude(channel=Channel.MONITORING)
                .values("id")[:1]
            ),
        ),
        (
            "surveys: CSAT due",
            lambda: csat_due(now=now, delay=timedelta(hours=24), window=timedelta(days=7)).values(
                "id"
            ),
        ),
        (
            "reports: created in the past 30 days",
            lambda: _created_in(period).values("priority").annotate(n=Count("id")),
        ),
        (
            "reports: resolved in the past 30 days",
            lambda: _resolved_in(period).values("priority").annotate(n=Count("id")),
        ),
        (
            "reports: first answered in the past 30 days",
            lambda: (
                Ticket.objects.filter(first_response_at__gte=month, first_response_at__lt=now)
                .values("priority")
                .annotate(n=Count("id"))
            ),
        ),
        (
            "reports: open per priority (dashboard)",
            lambda: (
                Ticket.objects.filter(status__in=OPEN_STATUSES)
                .values("priority")
                .annotate(
                    open=Count("*"),
                    new=Count("created_at", filter=Q(created_at__gte=now - timedelta(days=1))),
                )
            ),
        ),
        (
            "reports: an organization's tickets (QBR)",
            lambda: (
                Ticket.objects.filter(
                    organization_id=customer.organization_id, created_at__gte=month
                )
                .values("priority")
                .annotate(n=Count("id"))
            ),
        ),
        (
            "sweep: auto-close resolved tickets quiet for 7 days",
            lambda: (
                Ticket.objects.filter(status=Status.RESOLVED, last_activity_at__lt=week)
                .order_by("id")
                .values("id")[:500]
            ),
        ),
        (
            "escalations: open tickets per assignee",
            lambda: (
                Ticket.objects.filter(assignee_id__in=[agent.id], status__in=OPEN_STATUSES)
                .values("assignee_id")
                .annotate(n=Count("id"))
            ),
        ),
        (
            "reopening: a ticket's open follow-up",
            lambda: (
                Ticket.objects.filter(follow_up_of_id=ticket_id, status__in=OPEN_STATUSES)
                .order_by("-id")
                .values("id")[:1]
            ),
        ),
        (
            "ticket page: follow-ups of a ticket",
            lambda: Ticket.objects.filter(follow_up_of_id=ticket_id).values("id"),
        ),
        (
            "ticket page: tickets merged into a ticket",
            lambda: Ticket.objects.filter(merged_into_id=ticket_id).values("id"),
        ),
        (
            "deleting a user: tickets they own",
            lambda: Ticket.objects.filter(owner_id=agent.id).values("id"),
        ),
        (
            "deleting a user: tickets assigned to them",
            lambda: Ticket.objects.filter(assignee_id=agent.id).values("id"),
        ),
        (
            "deleting a user: tickets they requested",
            lambda: Ticket.objects.filter(requester_id=requester_id).values("id")[:1],
        ),
        ("deleting a queue: its tickets", lambda: Ticket.objects.filter(queue_id=1).values("id")),
    ]


def explain(sql: str, params: Any, verbose: bool) -> tuple[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE{', BUFFERS' if verbose else ''}) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
    plan = "\n".join(lines)
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))  # type: ignore[union-attr]
    return plan, ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="print each whole plan")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give --database-url: a PostgreSQL database generate.py filled")
    setup_django(args.database_url)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        print(f"{cursor.fetchone()[0]:,} tickets; {args.database_url.rsplit('/', 1)[-1]}")
    for label, build in queries():
        sql, params = build().query.sql_with_params()
        runs = [explain(sql, params, args.verbose) for _ in range(args.runs)]
        plan = runs[-1][0]
        paths = sorted(set(ACCESS.findall(plan)))
        ms = statistics.median(ms for _, ms in runs)
        print(f"{label:<55} {ms:8.2f} ms  {'; '.join(paths) or '(no tickets_ticket access)'}")
        if args.verbose:
            print("    " + sql % tuple(repr(p) for p in params) if params else "    " + sql)
            print("\n".join("    " + line for line in plan.splitlines()) + "\n")


if __name__ == "__main__":
    main()
