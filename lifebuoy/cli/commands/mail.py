"""`lifebuoy mailgateway`: receive support mail over SMTP and turn it into tickets.

Imports inside the command functions are deliberate: Django and the services load only after
``django_setup()``, and ``lifebuoy --help`` stays fast (see ``lifebuoy/cli/app.py``).
"""

from __future__ import annotations

import asyncio
import signal
import sys

import typer

from lifebuoy.cli.output import console


def _children(host: str, port: int, processes: int) -> dict[str, list[str]]:
    run = "from lifebuoy.cli.app import main; main()"
    args = ["mailgateway", "--host", host, "--port", str(port), "--reuse-port"]
    return {f"gateway-{n}": [sys.executable, "-c", run, *args] for n in range(processes)}


def mailgateway(
    host: str = typer.Option("", help="Address to listen on (default: LIFEBUOY_MAILGATEWAY_HOST)."),
    port: int = typer.Option(0, help="Port to listen on (default: LIFEBUOY_MAILGATEWAY_PORT)."),
    processes: int = typer.Option(1, min=1, help="Gateway processes sharing the port."),
    reuse_port: bool = typer.Option(False, hidden=True, help="Share the port (set for children)."),
) -> None:
    """Run the SMTP gateway: new mail opens tickets, replies join theirs (Ctrl-C stops it)."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.conf import settings

    from lifebuoy.cli.commands.server import _prepare_broker
    from lifebuoy.cli.supervisor import supervise
    from lifebuoy.notifications.inbound.gateway import gateway_serve

    _prepare_broker()  # the gateway queues acknowledgements for the workers
    host = host or settings.LIFEBUOY_MAILGATEWAY_HOST
    port = port or settings.LIFEBUOY_MAILGATEWAY_PORT
    if processes > 1:
        console.print(f"Mail gateway: {processes} processes on {host}:{port}")
        raise typer.Exit(supervise(_children(host, port, processes)))

    async def run() -> None:
        stop, ready = asyncio.Event(), asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        serving = gateway_serve(
            host=host,
            port=port,
            max_bytes=settings.LIFEBUOY_INBOUND_MAX_MESSAGE_BYTES,
            stop=stop,
            domains=frozenset(d.lower() for d in settings.LIFEBUOY_MAILGATEWAY_DOMAINS),
            workers=settings.LIFEBUOY_MAILGATEWAY_WORKERS,
            reuse_port=reuse_port,
            ready=ready,
        )
        task = asyncio.create_task(serving)
        await asyncio.wait([task, asyncio.create_task(ready.wait())], return_when="FIRST_COMPLETED")
        if ready.is_set():
            console.print(f"Mail gateway listening on {host}:{port}")
        await task  # raises if the port could not be bound

    asyncio.run(run())
    console.print("Mail gateway stopped.")


def register(app: typer.Typer) -> None:
    app.command()(mailgateway)
