"""The peer's side of the inbound mail comparison: django-helpdesk 2.6.1 in its own virtualenv.

    PEER_DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk_mailpeer_small \
        /work/peer-venv/bin/python bench/peer/peer_side.py prepare --tickets 0
    ... peer_side.py ingest --folder DIR --phase new|reply

``prepare`` migrates, adds the 50 bench customers as users and one queue whose mailbox is a
local folder (django-helpdesk's ``email_box_type = "local"``); with ``--tickets N`` it grows the
desk by N tickets, each with the email follow-up its mail ingest would have left (its
Message-ID, which replies thread on) and two comments. ``ingest`` (after the ``--warm`` message, untimed) copies a folder of .eml files
into that mailbox and runs django-helpdesk's own entry point (``helpdesk.email.process_email``,
what its ``get_email`` command runs), then checks that each message became a ticket (phase
``new``) or a follow-up on an existing ticket (phase ``reply``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.peer.mailset import CUSTOMERS, SUPPORT, emit, measure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.peer.settings")
import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

MAILBOX = Path(tempfile.gettempdir()) / "helpdesk-peer-mailbox"


def prepare(tickets: int) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    for email in CUSTOMERS:
        User.objects.get_or_create(username=email, defaults={"email": email})
    queue, _ = Queue.objects.update_or_create(
        slug="bench",
        defaults={
            "title": "Bench",
            "email_address": SUPPORT,
            "email_box_type": "local",
            "email_box_local_dir": str(MAILBOX),
            "allow_email_submission": True,
            "email_box_interval": 0,
            "logging_type": "none",
        },
    )
    if tickets:
        _grow(queue.id, tickets)


def _grow(queue_id: int, tickets: int) -> None:
    """N tickets over the past year, as mail would have opened them, in plain SQL (seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO helpdesk_ticket (title, created, modified, submitter_email, status,"
            " on_hold, description, priority, queue_id, secret_key)"
            " SELECT 'Grown ticket ' || g, now() - (g || ' minutes')::interval * 5,"
            " now() - (g || ' minutes')::interval * 5, 'customer' || (g %% 50) || '@mailpeer.example',"
            " 1 + (g %% 4), false, repeat('Generated for benchmarks. ', 1 + g %% 8), 3, %s,"
            " gen_random_uuid()::text FROM generate_series(1, %s) AS g",
            [queue_id, tickets],
        )
        cursor.execute(
            "INSERT INTO helpdesk_followup (ticket_id, date, title, comment, public, message_id)"
            " SELECT t.id, t.created + (n || ' hours')::interval, 'E-Mail Received', 'Generated.',"
            " true, CASE WHEN n = 0 THEN '<grown.' || t.id || '@mailpeer.example>' END"
            " FROM helpdesk_ticket t CROSS JOIN generate_series(0, 2) AS n"
            " WHERE t.title LIKE 'Grown ticket %%'"
        )
        cursor.execute("VACUUM ANALYZE")


def _fill_mailbox(files: list[Path]) -> None:
    shutil.rmtree(MAILBOX, ignore_errors=True)
    MAILBOX.mkdir(parents=True)
    for path in files:
        shutil.copy(path, MAILBOX / path.name)


def ingest(folder: Path, phase: str, warm: Path | None) -> None:
    from django.core import mail
    from helpdesk.email import process_email

    Queue.objects.filter(slug="bench").update(email_box_local_dir=str(MAILBOX))
    if warm:  # before the clock: imports, templates and caches of the first message
        _fill_mailbox([warm])
        process_email(quiet=True)
        assert not list(MAILBOX.iterdir()), "the warm-up message was not processed"
        mail.outbox = []
    files = sorted(folder.glob("*.eml"))
    _fill_mailbox(files)
    tickets, followups = Ticket.objects.count(), FollowUp.objects.count()

    def work() -> int:
        process_email(quiet=True)
        return len(files) - len(list(MAILBOX.iterdir()))  # a processed message is deleted

    result = measure(connection.settings_dict["NAME"], work, len(files))
    new_tickets = Ticket.objects.count() - tickets
    assert FollowUp.objects.count() - followups == len(files)
    assert new_tickets == (len(files) if phase == "new" else 0), new_tickets
    sent = len(getattr(mail, "outbox", []))  # acknowledgements built and handed to the backend
    emit({"system": "django-helpdesk", "phase": phase, "tickets": Ticket.objects.count(),
          "emails": sent, **result})  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("prepare").add_argument("--tickets", type=int, default=0)
    run = sub.add_parser("ingest")
    run.add_argument("--folder", type=Path, required=True)
    run.add_argument("--phase", choices=["new", "reply"], required=True)
    run.add_argument("--warm", type=Path, help="a message to handle before the clock starts")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.tickets)
    else:
        ingest(args.folder, args.phase, args.warm)


if __name__ == "__main__":
    main()
