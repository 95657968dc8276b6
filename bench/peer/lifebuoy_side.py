"""Lifebuoy's side of the inbound mail comparison (runs in Lifebuoy's virtualenv).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lifebuoy_mailpeer_small \
        .venv/bin/python bench/peer/lifebuoy_side.py prepare
    ... lifebuoy_side.py ingest --folder DIR --phase new|reply [--gateway]

``LIFEBUOY_CODE=DIR`` runs the code of another checkout instead (before/after figures).
``prepare`` (on a desk made by ``bench/desk/generate.py``) adds the 50 bench customers in one
organization and gives every generated ticket the Message-ID its mail would have left
(``MailReference``), so the thread lookup searches a table as large as the desk. ``ingest``
first handles the ``--warm`` message (untimed), then hands each .eml file of the folder, one
after another, to ``receive_with_django``: what the SMTP gateway's worker thread runs for a
message, storing it, then opening its ticket or adding the reply, committed before the next.
With ``--gateway`` the messages go over SMTP instead, to the real gateway (aiosmtpd, one worker
thread, its default) in this process, from one sender in a process of its own; the CPU counted
is then the gateway's, SMTP conversation included. Either way it checks that each message
became a ticket (``new``) or a reply on its ticket (``reply``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
if os.environ.get("LIFEBUOY_CODE"):  # another checkout's code (before/after runs)
    sys.path.insert(0, os.environ["LIFEBUOY_CODE"])

from bench.peer.mailset import CUSTOMERS, SUPPORT, emit, measure

os.environ["LIFEBUOY_DATA_DIR"] = tempfile.mkdtemp(prefix="lifebuoy-mailpeer-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
os.environ["DEBUG"] = "0"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR"] = "1000000"


def _setup() -> None:
    import django

    django.setup()
    from lifebuoy.cli.commands.server import _prepare_broker

    _prepare_broker()


def prepare() -> None:
    _setup()
    from django.db import connection

    from lifebuoy.accounts.models import Organization, Role, User
    from lifebuoy.accounts.services import organization_create

    org = Organization.objects.filter(slug="mailpeer").first() or organization_create(
        name="Mailpeer", slug="mailpeer", plan="cloud_starter", timezone="UTC"
    )
    for email in CUSTOMERS:
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email, None, role=Role.CUSTOMER, organization=org)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_mailreference (message_id, ticket_id, direction, created_at)"
            " SELECT '<grown.' || t.id || '@mailpeer.example>', t.id, 'in', t.created_at"
            " FROM tickets_ticket t WHERE NOT EXISTS"
            " (SELECT 1 FROM notifications_mailreference r WHERE r.ticket_id = t.id)"
        )
        cursor.execute("VACUUM ANALYZE")


def _direct(files: list[Path]) -> int:
    from lifebuoy.notifications.inbound.gateway import receive_with_django

    for path in files:
        reply = receive_with_django(path.read_bytes(), CUSTOMERS[0])
        assert reply.startswith("250"), reply
    return len(files)


def _sender(port: int, files: list[Path]) -> None:
    import smtplib

    with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
        for path in files:
            smtp.sendmail(CUSTOMERS[0], [SUPPORT], path.read_bytes())


def _over_smtp(database: str, files: list[Path]) -> dict[str, float]:
    """The gateway and the sender process start before the clock, as a running gateway and
    remote mail servers would be; the clock runs from the first message to the last 250."""
    from django.conf import settings

    from bench.mail_bench import free_port
    from lifebuoy.notifications.inbound.gateway import gateway_controller

    port = free_port()
    controller, handler = gateway_controller(
        host="127.0.0.1", port=port, max_bytes=settings.LIFEBUOY_INBOUND_MAX_MESSAGE_BYTES
    )
    controller.start()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            pool.submit(time.sleep, 0).result()

            def send() -> int:
                pool.submit(_sender, port, files).result()
                return len(files)

            return measure(database, send, len(files))
    finally:
        controller.stop()
        handler.close()


def _profiled(files: list[Path], out: Path) -> int:
    """``_direct`` under cProfile (the first tenth untimed, to warm up); the 40 costliest
    functions by cumulative time printed, the full profile in ``out``."""
    import cProfile
    import pstats

    warm = max(1, len(files) // 10)
    _direct(files[:warm])
    profile = cProfile.Profile()
    profile.runcall(_direct, files[warm:])
    profile.dump_stats(out)
    pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    return len(files)


def ingest(
    folder: Path, phase: str, gateway: bool, profile: Path | None = None, warm: Path | None = None
) -> None:
    _setup()
    from django.db import connection

    from lifebuoy.tickets.models import Message, Ticket

    if warm:  # before the clock: imports, URL resolver and caches of the first message
        _direct([warm])
    files = sorted(folder.glob("*.eml"))
    tickets = Ticket.objects.count()
    replies = Message.objects.filter(author__email__endswith="@mailpeer.example").count()
    if profile:
        result = measure(
            connection.settings_dict["NAME"], lambda: _profiled(files, profile), len(files)
        )
    elif gateway:
        result = _over_smtp(connection.settings_dict["NAME"], files)
    else:
        result = measure(connection.settings_dict["NAME"], lambda: _direct(files), len(files))
    new_tickets = Ticket.objects.count() - tickets
    new_replies = Message.objects.filter(author__email__endswith="@mailpeer.example").count()
    assert new_tickets == (len(files) if phase == "new" else 0), new_tickets
    assert new_replies - replies == (len(files) if phase == "reply" else 0)
    system = "Lifebuoy (SMTP gateway)" if gateway else "Lifebuoy"
    emit({"system": system, "phase": phase, "tickets": Ticket.objects.count(), **result})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare")
    run = sub.add_parser("ingest")
    run.add_argument("--folder", type=Path, required=True)
    run.add_argument("--phase", choices=["new", "reply"], required=True)
    run.add_argument("--gateway", action="store_true")
    run.add_argument("--profile", type=Path, help="run under cProfile, write the profile here")
    run.add_argument("--warm", type=Path, help="a message to handle before the clock starts")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare()
    else:
        ingest(args.folder, args.phase, args.gateway, args.profile, args.warm)


if __name__ == "__main__":
    main()
