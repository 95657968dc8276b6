"""How many SQL statements the three everyday ticket writes cost: opening a ticket, a reply
each way, and a staff update (priority, assignee and status at once).

    .venv/bin/python -m bench.ticket_write_queries [--database-url URL]

Counts are exact, not timed, so two runs compare across code versions on any machine. The
database is made from nothing (migrations and seed data) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.databases import drop_database, prepare_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = f"sqlite:///{Path(tempfile.gettempdir()) / 'lifebuoy-write-queries.sqlite3'}"
    parser.add_argument("--database-url", default=default)
    args = parser.parse_args()
    prepare_database(args.database_url)
    os.environ["CELERY_BROKER_URL"] = "memory://"  # tasks are queued, never run, in this process
    setup_django(args.database_url)
    try:
        _measure()
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(args.database_url)


def _measure() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.tickets.services import (
        NewTicket,
        TicketChanges,
        message_add,
        ticket_create,
        ticket_update,
    )

    call_command("migrate", verbosity=0)
    now = timezone.now()
    org = organization_create(name="Acme", slug="acme", plan="enterprise", timezone="UTC")
    customer = User.objects.create_user(
        "alice@acme.example", None, role=Role.CUSTOMER, organization=org
    )
    agent = User.objects.create_user("bob@lifebuoy.test", None, role=Role.AGENT, tier=2)
    warm = ticket_create(actor=customer, data=NewTicket("warm-up", "caches"), now=now)
    message_add(ticket=warm, author=agent, body="warm-up", now=now)

    def count(label: str, action) -> None:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as queries:
            action()
        print(f"{label:<40} {len(queries):>4} queries")

    holder: dict[str, object] = {}
    count(
        "open a ticket (customer, portal)",
        lambda: holder.update(
            t=ticket_create(actor=customer, data=NewTicket("C2 is stuck", "since 9"), now=now)
        ),
    )
    ticket = holder["t"]
    count("staff reply", lambda: message_add(ticket=ticket, author=agent, body="On it", now=now))
    count("customer reply", lambda: message_add(ticket=ticket, author=customer, body="Ok", now=now))
    count(
        "staff update (priority, assignee, status)",
        lambda: ticket_update(
            ticket=ticket,
            actor=agent,
            changes=TicketChanges(priority="P1", assignee_id=agent.id, status="pending"),
            now=now,
        ),
    )


if __name__ == "__main__":
    main()
