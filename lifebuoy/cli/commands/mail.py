"""`lifebuoy mailgateway`: receive support mail over SMTP and turn it into tickets."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer

from lifebuoy.cli.output import console


def mailgateway(
    host: str = typer.Option("", help="Address to listen on (default: LIFEBUOY_MAILGATEWAY_HOST)."),
    port: int = typer.Option(0, help="Port to listen on (default: LIFEBUOY_MAILGATEWAY_PORT)."),
) -> None:
    """Run the SMTP gateway: new mail opens tickets, replies join theirs (Ctrl-C stops it)."""
    from lifebuoy.cli.django_setup import setup as django_setup

    django_setup()
    from django.conf import settings

    from lifebuoy.cli.commands.server import _prepare_broker
    from lifebuoy.notifications.inbound.gateway import gateway_controller

    _prepare_broker()  # the gateway queues acknowledgements for the workers

    controller, handler = gateway_controller(
        host=host or settings.LIFEBUOY_MAILGATEWAY_HOST,
        port=port or settings.LIFEBUOY_MAILGATEWAY_PORT,
        max_bytes=settings.LIFEBUOY_INBOUND_MAX_MESSAGE_BYTES,
        domains=frozenset(d.lower() for d in settings.LIFEBUOY_MAILGATEWAY_DOMAINS),
        workers=settings.LIFEBUOY_MAILGATEWAY_WORKERS,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    controller.start()
    console.print(f"Mail gateway listening on {controller.hostname}:{controller.port}")
    stop.wait()
    controller.stop()
    handler.close()
    console.print("Mail gateway stopped.")


def register(app: typer.Typer) -> None:
    app.command()(mailgateway)
