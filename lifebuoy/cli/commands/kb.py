"""``lifebuoy kb search "…"``: search the knowledge base from a terminal.

Without ``--as`` it searches what customers see (published, customer-facing articles); with
the email address of a support-staff member it searches everything that person may see.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from lifebuoy.cli import output
from lifebuoy.cli.exit_status import ExitStatus

kb_app = typer.Typer(help="The knowledge base.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")


@kb_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to look for; typos and prefixes are fine.")],
    *,
    category: Annotated[
        str | None,
        typer.Option(help="common, configuration, integration, performance or security."),
    ] = None,
    version: Annotated[str | None, typer.Option(help="Only articles for this version.")] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Search as this user (email address).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=50, help="How many results.")] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """Search articles, best match first."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from lifebuoy.accounts.models import User
    from lifebuoy.kb.selectors import kb_restriction_for, kb_search

    user = None
    if as_user is not None:
        user = User.objects.filter(email__iexact=as_user, is_active=True).first()
        if user is None:
            output.fail(f"No active user with the email address {as_user}.", ExitStatus.USAGE)
    restriction = kb_restriction_for(user=user, category=category, version=version)
    articles = kb_search(user=user, text=text, restriction=restriction, limit=limit)
    if json_output:
        output.print_json(
            [
                {
                    "id": a.article_id,
                    "title": a.title,
                    "category": a.category,
                    "visibility": a.visibility,
                    "state": a.state,
                    "issue": a.issue,
                }
                for a in articles
            ]
        )
        return
    if not articles:
        output.console.print("No article matches.")
        return
    for article in articles:
        output.console.print(f"[bold]{article.article_id}[/]  {article.title}", markup=True)
        output.console.print(f"         {article.issue}", markup=False)
