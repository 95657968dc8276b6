"""``lifebuoy oncall``: who is on call now, per schedule, and the pages waiting for an ack.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from lifebuoy.cli import output


def register(app: typer.Typer) -> None:
    app.command("oncall")(oncall)


def oncall(
    *,
    schedule: Annotated[str | None, typer.Option(help="Only the schedule with this name.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Show who is on call now in each schedule, and any unacknowledged pages."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.utils import timezone

    from lifebuoy.escalations.selectors import open_pages, schedule_overview

    now = timezone.now()
    rows = [
        r for r in schedule_overview(now=now) if schedule is None or r.schedule.name == schedule
    ]
    pages = open_pages()
    if json_output:
        output.print_json(
            {
                "at": now.isoformat(),
                "schedules": [
                    {
                        "name": r.schedule.name,
                        "timezone": r.schedule.timezone,
                        "on_call": r.oncall.email if r.oncall else None,
                        "name_on_call": r.oncall.display_name if r.oncall else None,
                    }
                    for r in rows
                ],
                "open_pages": [
                    {
                        "id": p.id,
                        "ticket": p.ticket.number,
                        "paged": p.paged_user.email if p.paged_user else None,
                        "ack_due_at": p.ack_due_at.isoformat() if p.ack_due_at else None,
                    }
                    for p in pages
                ],
            }
        )
        return
    if not rows:
        output.console.print("No on-call schedule" + (f" named {schedule}." if schedule else "."))
    for r in rows:
        who = f"{r.oncall.display_name} <{r.oncall.email}>" if r.oncall else "nobody"
        output.console.print(f"{r.schedule.name}: {who}", markup=False)
    for p in pages:
        paged = p.paged_user.display_name if p.paged_user else "nobody"
        output.console.print(f"Waiting for ack: {p.ticket.number} (paged {paged})", markup=False)
