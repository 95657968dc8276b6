"""Run the desk: `setup`, `serve` (web, worker and scheduler), `worker`, `demo`.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from types import FrameType

import typer

from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.cli.output import console, fail

_QUEUE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _celery_args(*, beat: bool, concurrency: int, queues: str = "") -> list[str]:
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-l",
        "info",
        "--concurrency",
        str(concurrency),
    ]
    if beat:
        args += ["-B"]
    if queues:
        args += ["--queues", queues]
    return args


def _all_queues() -> str:
    """Every queue, for the one worker of a single-machine desk: the default one, plus the
    monitoring partitions when ``LIFEBUOY_MONITORING_PARTITIONS`` is set ("" = the default)."""
    from django.conf import settings

    partitions = int(getattr(settings, "LIFEBUOY_MONITORING_PARTITIONS", 0))
    if partitions <= 0:
        return ""
    return ",".join(["celery", *(f"monitoring-{k}" for k in range(partitions))])


def _prepare_broker() -> None:
    from django.conf import settings

    for key in ("data_folder_in", "processed_folder", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if isinstance(folder, str):
            os.makedirs(folder, exist_ok=True)


def _supervise(commands: dict[str, list[str]]) -> int:
    """Start every command, stop them all on Ctrl-C or when one of them dies."""
    procs = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
    stopping = requested = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping, requested
        requested = requested or not stopping  # not when already stopping after a crash
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = ExitStatus.SUCCESS
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None and not stopping:
                console.print(f"[red]{name} exited with status {proc.returncode}; stopping.[/]")
                stopping, code = True, ExitStatus.ERROR
        time.sleep(0.3)
    if requested:
        # Ctrl-C reaches the whole process group: the children stop on their own, and a
        # stop that was asked for is a success, whichever process noticed first.
        code = ExitStatus.SUCCESS
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    console.print("Lifebuoy stopped.")
    return int(code)


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
        commands["worker"] = _celery_args(beat=True, concurrency=1, queues=_all_queues())
    console.print(f"\n[bold]Lifebuoy is running at http://{host}:{port}/[/]  (Ctrl-C stops it)\n")
    _print_logins()
    raise typer.Exit(_supervise(commands))


def worker(
    beat: bool = typer.Option(False, help="Also run the scheduler (only one per deployment)."),
    concurrency: int = typer.Option(2, help="Worker processes."),
    queues: str = typer.Option(
        "",
        help="Comma-separated queues to take tasks from (default: the default queue 'celery'); "
        "e.g. monitoring-0 on a mirror machine.",
    ),
) -> None:
    """Run a Celery worker (for scale-out: one or more per machine)."""
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
    args = _celery_args(beat=beat, concurrency=concurrency, queues=",".join(names))
    raise typer.Exit(_supervise({"worker": args}))


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
