"""Run the desk: `setup`, `serve` (web, worker and scheduler), `worker`, `demo`.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

import os
import re
import sys

import typer

from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.cli.output import console, fail
from lifebuoy.cli.supervisor import supervise as _supervise

_QUEUE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _prepare_broker() -> None:
    from django.conf import settings

    for key in ("data_folder_in", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if isinstance(folder, str):
            os.makedirs(folder, exist_ok=True)


def setup(
    demo_if_empty: bool = typer.Option(False, help="Load the demo desk if there is no data yet."),
) -> None:
    """Apply database migrations and collect static files."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _prepare_broker()
    if demo_if_empty:
        from lifebuoy.accounts.models import Organization

        if not Organization.objects.exists():
            demo(seed=7, tickets=300)
    console.print("Database ready.")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind the web server to."),
    port: int = typer.Option(8000, help="Port of the web server."),
    workers: int = typer.Option(2, help="Web worker processes."),
    web_only: bool = typer.Option(False, help="Run only the web server (workers run elsewhere)."),
    debug: bool = typer.Option(
        False, help="Run with Django's DEBUG on: tracebacks in the browser (development only)."
    ),
) -> None:
    """Serve the desk: web server, plus a Celery worker with the scheduler unless --web-only."""
    from lifebuoy.cli.django_setup import setup as django_setup
    from lifebuoy.cli.embedded import serve_environment

    serve_environment(debug=debug)
    django_setup()
    _prepare_broker()
    commands = {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--logger-class",  # the access log without tokens (docs/security.md, "Logs")
            "lifebuoy.core.gunicorn_logging.RedactingLogger",
        ],
    }
    if not web_only:
        from lifebuoy.cli.workers import machine_workers

        commands.update(machine_workers(beat=True, concurrency=1, queues=[]))
    console.print(f"\n[bold]Lifebuoy is running at http://{host}:{port}/[/]  (Ctrl-C stops it)\n")
    _print_logins()
    raise typer.Exit(_supervise(commands))


def worker(
    beat: bool = typer.Option(False, help="Also run the scheduler (only one per deployment)."),
    concurrency: int = typer.Option(2, help="Worker processes."),
    queues: str = typer.Option(
        "",
        help="Comma-separated queues for one worker to take tasks from (default: a worker for "
        "'celery' and one for 'periodic'); e.g. monitoring-0 on a mirror machine.",
    ),
) -> None:
    """Run Celery workers (for scale-out: on one or more machines). Without --queues, two: one
    for the bulk queues and one with its own slot for the scheduler's sweeps."""
    names = [q.strip() for q in queues.split(",") if q.strip()]
    if queues and (not names or not all(_QUEUE.match(q) for q in names)):
        fail(
            f"--queues takes names of letters, digits, '-', '_' and '.', separated by commas; "
            f"not '{queues}'.",
            ExitStatus.USAGE,
        )
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    _prepare_broker()
    from lifebuoy.cli.workers import machine_workers

    raise typer.Exit(_supervise(machine_workers(beat=beat, concurrency=concurrency, queues=names)))


def demo(
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same desk."),
    tickets: int = typer.Option(300, min=0, max=100_000, help="How many tickets to create."),
) -> None:
    """Load the demo desk: organizations on every tier, staff, customers and tickets."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.utils import timezone

    from lifebuoy.demo.services import demo_exists, demo_load

    if demo_exists():
        fail("The demo data is already loaded; nothing was changed.", ExitStatus.ERROR)
    _prepare_broker()  # loading queues notifications and follow-ups for the worker
    summary = demo_load(seed=seed, tickets=tickets, now=timezone.now())
    console.print(
        f"Demo loaded: {summary.organizations} organizations, {summary.staff} staff, "
        f"{summary.customers} customers, {summary.tickets} tickets."
    )
    console.print(f"{summary.deployments} monitored deployments, polled once.")
    _print_logins()


def _print_logins() -> None:
    from lifebuoy.demo import catalog

    console.print(f"Demo sign-ins (password [bold]{catalog.DEMO_PASSWORD}[/]):")
    console.print("  admin    admin@lifebuoy.test   (also /admin/)")
    console.print("  lead     lead@lifebuoy.test")
    console.print("  agents   ana@ (tier 1), chloe@ (tier 2), emma@ (tier 3) …@lifebuoy.test")
    from lifebuoy.accounts.models import Role, User

    for customer in User.objects.filter(role=Role.CUSTOMER).order_by("id")[:2]:
        console.print(f"  customer {customer.email}   ({customer.organization})")
    console.print("")


def register(app: typer.Typer) -> None:
    app.command()(setup)
    app.command()(serve)
    app.command()(worker)
    app.command()(demo)
