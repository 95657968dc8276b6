"""The SMTP gateway: aiosmtpd receives, one worker thread stores and processes.

The answer to DATA is sent only after the raw message is committed to the database, so a
250 means "we have it". When storing fails (database down, disk full) the answer is 451 and
the sending server keeps the message and retries. Processing runs on one worker thread by
default (SQLite has one writer anyway); on PostgreSQL several workers overlap their database
round trips (``LIFEBUOY_MAILGATEWAY_WORKERS``). Replies to one ticket then still serialize on
the ticket's row lock, and a duplicate arriving twice at once is stopped by the unique
Message-ID. For more than one core, run several processes on one port (``--processes``): the
kernel spreads connections across them (SO_REUSEPORT).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections
from django.utils import timezone

from lifebuoy.notifications.inbound.services import inbound_email_receive

logger = logging.getLogger(__name__)

Receive = Callable[[bytes, str | None], str]  # (raw, envelope sender) -> SMTP reply


class GatewayHandler:
    def __init__(
        self, receive: Receive, domains: frozenset[str] = frozenset(), workers: int = 1
    ) -> None:
        self.receive = receive
        self.domains = domains  # recipient domains we accept mail for; empty: any
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailgateway")

    async def handle_RCPT(  # noqa: N802  # aiosmtpd's hook name
        self, server: Any, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        domain = address.rpartition("@")[2].lower()
        if self.domains and domain not in self.domains:
            return "550 5.7.1 Relaying denied: not a support address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        raw = envelope.original_content or b""
        if isinstance(envelope.content, str) and not raw:
            raw = envelope.content.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.executor, self.receive, raw, envelope.mail_from)
        except Exception:
            logger.exception("Could not store an inbound message; asking the sender to retry")
            return "451 4.3.0 Temporary failure; please try again later"

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def receive_with_django(raw: bytes, envelope_from: str | None) -> str:
    """Store and process one message (runs on the gateway's worker thread)."""
    close_old_connections()
    result = inbound_email_receive(raw=raw, envelope_from=envelope_from, now=timezone.now())
    return result.smtp_reply()


def gateway_controller(
    *,
    host: str,
    port: int,
    max_bytes: int,
    receive: Receive = receive_with_django,
    domains: frozenset[str] = frozenset(),
    workers: int = 1,
) -> tuple[Controller, GatewayHandler]:
    handler = GatewayHandler(receive, domains, workers)
    controller = Controller(
        handler,
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        enable_SMTPUTF8=True,
        ident=IDENT,
    )
    return controller, handler


IDENT = "Lifebuoy mail gateway"


async def gateway_serve(
    *,
    host: str,
    port: int,
    max_bytes: int,
    stop: asyncio.Event,
    domains: frozenset[str] = frozenset(),
    workers: int = 1,
    reuse_port: bool = False,
    receive: Receive = receive_with_django,
    ready: asyncio.Event | None = None,
) -> None:
    """Serve on the current event loop until ``stop`` is set (the CLI's main loop)."""
    handler = GatewayHandler(receive, domains, workers)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, data_size_limit=max_bytes, enable_SMTPUTF8=True, ident=IDENT),
        host=host,
        port=port,
        reuse_port=reuse_port,
    )
    if ready is not None:
        ready.set()
    try:
        async with server:
            await stop.wait()
    finally:
        await loop.run_in_executor(None, handler.close)
