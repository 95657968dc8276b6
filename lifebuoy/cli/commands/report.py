"""``lifebuoy report weekly --week 2026-W47`` and ``lifebuoy report qbr --organization SLUG``:
the weekly support report and an organization's quarterly business review, on demand.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from lifebuoy.cli import output
from lifebuoy.cli.exit_status import ExitStatus

report_app = typer.Typer(help="Support reports.", no_args_is_help=True)

FORMATS = ("markdown", "json")


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


@report_app.command("weekly")
def weekly(
    *,
    week: Annotated[
        str | None, typer.Option(help="ISO week, like 2026-W47; default: last week.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="markdown or json.")] = "markdown",
) -> None:
    """The playbook's weekly report for one ISO week."""
    from lifebuoy.core.periods import iso_week

    if fmt not in FORMATS:
        output.fail(f"Unknown format “{fmt}”; use markdown or json.", ExitStatus.USAGE)
    period = None
    if week is not None:
        try:
            period = iso_week(week)
        except ValueError as exc:
            output.fail(str(exc), ExitStatus.USAGE)

    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.db import DatabaseError
    from django.utils import timezone

    from lifebuoy.core.periods import previous_week
    from lifebuoy.reports.weekly import weekly_report_build, weekly_report_markdown

    try:
        report = weekly_report_build(period=period or previous_week(timezone.now()))
    except DatabaseError as exc:
        output.fail(
            f"The database is not ready (run `lifebuoy setup` first): {exc}.", ExitStatus.ERROR
        )
    if fmt == "json":
        output.print_json(report.as_dict())
        return
    typer.echo(weekly_report_markdown(report), nl=False)


QBR_FORMATS = ("markdown", "html")


@report_app.command("qbr")
def qbr(
    *,
    organization: Annotated[str, typer.Option(help="The organization's slug.")],
    quarter: Annotated[
        str | None, typer.Option(help="Quarter, like 2026-Q4; default: last quarter.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="markdown or html.")] = "markdown",
) -> None:
    """The quarterly business review of a Premium or Managed Services organization."""
    from lifebuoy.core.periods import quarter as parse_quarter

    if fmt not in QBR_FORMATS:
        output.fail(f"Unknown format “{fmt}”; use markdown or html.", ExitStatus.USAGE)
    period = None
    if quarter is not None:
        try:
            period = parse_quarter(quarter)
        except ValueError as exc:
            output.fail(str(exc), ExitStatus.USAGE)

    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.db import DatabaseError
    from django.utils import timezone

    from lifebuoy.core.periods import previous_quarter
    from lifebuoy.reports.qbr import qbr_build, qbr_html, qbr_markdown
    from lifebuoy.reports.selectors.qbr import qbr_offered, qbr_organization_get

    now = timezone.now()
    try:
        org = qbr_organization_get(slug=organization)
    except DatabaseError as exc:
        output.fail(
            f"The database is not ready (run `lifebuoy setup` first): {exc}.", ExitStatus.ERROR
        )
    if org is None:
        output.fail(f"No organization has the slug “{organization}”.", ExitStatus.ERROR)
    if not qbr_offered(org):
        output.fail(
            f"{org.name} is on {org.support_tier.label} support; reviews are for Premium and "
            "Managed Services.",
            ExitStatus.ERROR,
        )
    review = qbr_build(organization=org, period=period or previous_quarter(now), now=now)
    typer.echo(qbr_markdown(review) if fmt == "markdown" else qbr_html(review), nl=False)
