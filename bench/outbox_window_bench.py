"""How long the outbox's at-least-once window is: from the SMTP server's 250 to the message's
DATA until ``sent`` is committed, for real emails to a local aiosmtpd server.

    python bench/outbox_window_bench.py [--count 300] [--database-url postgres://…/name]

A throwaway database (PostgreSQL by default) is made and migrated; ``--count`` tickets each queue
their acknowledgement email, and each is delivered by ``delivery_attempt`` as a worker would.
The SMTP backend is timed where smtplib returns from DATA (the accept), where the outbox's
``UPDATE … SET status='sent'`` returns (the record, in autocommit), and where the QUIT returns:
the window is accept → record; the QUIT's time is what used to stand inside it. CPU per
delivery is this process's (user + system), PostgreSQL's not included.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import drop_database, prepare_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lifebuoy_outbox_window_bench"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ms(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(count: int) -> dict[str, Any]:
    from datetime import UTC, datetime

    from django.core.mail.backends.smtp import EmailBackend
    from django.core.management import call_command
    from django.test import override_settings

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.notifications.models import Delivery
    from lifebuoy.notifications.services import delivery as outbox
    from lifebuoy.notifications.tests.loopback import smtp_sink
    from lifebuoy.tickets.tests.factories import ticket_opened

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    call_command("migrate", verbosity=0)
    now = datetime.now(UTC)
    org = organization_create(name="Acme", slug="acme", plan="enterprise", timezone="UTC")
    alice = User.objects.create_user(
        "alice@acme.example", "pw-bench-1", full_name="Alice", role=Role.CUSTOMER, organization=org
    )
    for i in range(count):
        ticket_opened(alice, now, subject=f"Agents offline {i}", description="All three")
    ids = list(Delivery.objects.filter(kind="email").order_by("id").values_list("id", flat=True))

    accepted: list[float] = []
    recorded: list[float] = []
    quit_done: list[float] = []
    real_send, real_close = vars(EmailBackend)["_send"], EmailBackend.close
    real_mark = outbox.delivery_mark_sent

    def send(self: EmailBackend, message: Any) -> bool:
        result = real_send(self, message)
        accepted.append(time.perf_counter())
        return bool(result)

    def close(self: EmailBackend) -> None:
        real_close(self)
        quit_done.append(time.perf_counter())

    def mark(**kwargs: Any) -> bool:
        result = real_mark(**kwargs)
        recorded.append(time.perf_counter())
        return result

    timed = (
        mock.patch.object(EmailBackend, "_send", send),
        mock.patch.object(EmailBackend, "close", close),
        mock.patch.object(outbox, "delivery_mark_sent", mark),
    )
    with timed[0], timed[1], timed[2], smtp_sink() as (sink, port):
        settings = override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            LIFEBUOY_SMTP_TIMEOUT=5,
        )
        with settings:
            cpu, started = _cpu(), time.perf_counter()
            outcomes = [outbox.delivery_attempt(delivery_id=i, now=now).outcome for i in ids]
            elapsed, cpu = time.perf_counter() - started, _cpu() - cpu
    assert outcomes == ["sent"] * len(ids), set(outcomes)
    assert len(sink.messages) == len(ids)
    windows = [r - a for a, r in zip(accepted, recorded, strict=True)]
    quits = [q - r for r, q in zip(recorded, quit_done, strict=True)]
    return {
        "deliveries": len(ids),
        "window_p50_ms": _ms(windows, 0.5),
        "window_p95_ms": _ms(windows, 0.95),
        "window_max_ms": 1000 * max(windows),
        "quit_p50_ms": _ms(quits, 0.5),
        "quit_p95_ms": _ms(quits, 0.95),
        "per_delivery_ms": 1000 * elapsed / len(ids),
        "cpu_per_delivery_ms": 1000 * cpu / len(ids),
        "mean_window_ms": 1000 * statistics.fmean(windows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    prepare_database(args.database_url)
    setup_django(args.database_url)
    try:
        result = run(args.count)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.database_url)
    for name, value in result.items():
        print(f"{name}: {value:.3f}" if isinstance(value, float) else f"{name}: {value}")


if __name__ == "__main__":
    main()
