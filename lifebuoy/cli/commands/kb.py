"""``lifebuoy kb search "…"``: search the knowledge base from a terminal; ``lifebuoy kb evaluate``:
score its suggestions against the labelled customer questions.

Without ``--as`` it searches what customers see (published, customer-facing articles); with
the email address of a support-staff member it searches everything that person may see.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

from pathlib import Path
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


@kb_app.command("evaluate")
def evaluate(
    *,
    questions: Annotated[
        Path | None,
        typer.Option(help="A questions file like lifebuoy/kb/evaluation/questions.yaml."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="JSON for scripts.")] = False,
) -> None:
    """How well suggestions answer the labelled questions: hit@1, hit@3, MRR and the misses."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from lifebuoy.kb.evaluation import QUESTIONS_FILE, kb_evaluate, load_questions

    try:
        asked = load_questions(questions or QUESTIONS_FILE)
    except (OSError, ValueError) as exc:
        output.fail(str(exc), ExitStatus.USAGE)
    report = kb_evaluate(questions=asked)
    if json_output:
        misses = [
            {
                "text": a.question.text,
                "article": a.question.article,
                "rank": a.rank,
                "suggested": list(a.ranked[:3]),
            }
            for a in report.misses
        ]
        output.print_json(
            {
                "questions": len(report.answers),
                "hit_at_1": round(report.hit_at_1, 4),
                "hit_at_3": round(report.hit_at_3, 4),
                "mrr": round(report.mrr, 4),
                "misses": misses,
            }
        )
        return
    output.console.print(
        f"{len(report.answers)} questions  hit@1 {report.hit_at_1:.3f}  "
        f"hit@3 {report.hit_at_3:.3f}  MRR {report.mrr:.3f}",
        markup=False,
    )
    for answer in report.misses:
        where = f"rank {answer.rank}" if answer.rank else "not found"
        shown = ", ".join(answer.ranked[:3]) or "nothing"
        output.console.print(
            f"  {answer.question.article} {where} (shown: {shown}): {answer.question.text}",
            markup=False,
            soft_wrap=True,
        )
