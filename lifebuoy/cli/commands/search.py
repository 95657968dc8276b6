"""``lifebuoy search reindex``: write the tickets' full-text index again from the stored
tickets, for a desk that had tickets before the index existed or after a bulk import.

Each batch is its own transaction, so the desk keeps working meanwhile and an interrupted run
continues with ``--after`` the last id it reported. Imports inside the command functions are
deliberate: Django loads only after ``django_setup()`` (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from lifebuoy.cli import output
from lifebuoy.cli.exit_status import ExitStatus

search_app = typer.Typer(help="The tickets' full-text search.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(search_app, name="search")


@search_app.command("reindex")
def reindex(
    *,
    batch: Annotated[int, typer.Option(min=1, max=50_000, help="Tickets per transaction.")] = 2000,
    after: Annotated[int, typer.Option(min=0, help="Start after this ticket id.")] = 0,
    json_output: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Index every ticket (its subject, description, people, tags and conversation)."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from lifebuoy.tickets.search.indexing import search_reindex, search_reindex_total

    total = search_reindex_total(after_id=after)
    began = time.monotonic()
    done = 0
    try:
        if json_output:
            done = sum(search_reindex(batch_size=batch, after_id=after))
        else:
            columns = (
                TextColumn("Indexing tickets"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=output.console) as progress:
                task = progress.add_task("index", total=total)
                for count in search_reindex(batch_size=batch, after_id=after):
                    done += count
                    progress.advance(task, count)
    except KeyboardInterrupt:
        output.fail(f"Stopped after {done:,} tickets.", ExitStatus.INTERRUPTED)
    seconds = time.monotonic() - began
    if json_output:
        output.print_json({"indexed": done, "seconds": round(seconds, 1)})
        return
    output.console.print(f"Indexed {done:,} tickets in {seconds:,.1f} s.", markup=False)
