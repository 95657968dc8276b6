"""Communication benchmarks: the inbound mail gateway and the outbox, on loopback.

    python bench/mail_bench.py [--messages 2000] [--clients 4] [--workers 1]
                               [--outbox-workers 4] [--database-url URL]

Inbound: the real gateway (aiosmtpd + the store-then-process handler) on 127.0.0.1, fed by
smtplib senders in separate processes on persistent connections. The gateway answers 250 only
after the message is stored and its ticket (or reply) committed, so the time from the first
MAIL FROM to the last 250 is "SMTP acceptance to ticket committed". Two phases: new tickets
from known customers, then replies that thread by In-Reply-To (each joins its ticket).

Outbox: every new ticket queued an acknowledgement; worker loops claim, send through Django's
SMTP backend to an aiosmtpd sink on loopback, and record each one; several workers race for
the same rows, and the sink count proves each email was sent once.

SQLite (default) runs in a fresh temporary data directory; with --database-url the database
must be empty and is left as the benchmark filled it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def setup_django(database_url: str | None, sink_port: int) -> None:
    data_dir = tempfile.mkdtemp(prefix="lifebuoy-mailbench-")
    os.environ["LIFEBUOY_DATA_DIR"] = data_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["EMAIL_HOST"] = HOST
    os.environ["EMAIL_PORT"] = str(sink_port)
    os.environ["LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR"] = "1000000"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from lifebuoy.cli.commands.server import _prepare_broker

    _prepare_broker()


def make_customers(count: int) -> list[str]:
    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create

    org = organization_create(name="Bench", slug="bench", plan="cloud_starter", timezone="UTC")
    emails = [f"customer{i}@bench.example" for i in range(count)]
    for email in emails:
        User.objects.create_user(email, None, role=Role.CUSTOMER, organization=org)
    return emails


def message(sender: str, subject: str, n: int, in_reply_to: str = "") -> tuple[bytes, str]:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@lifebuoy.test"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<bench.{n}.{time.time_ns()}@bench.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(f"Message {n}: C2 stopped committing after the upgrade.\n" * 5)
    return msg.as_bytes(), str(msg["Message-ID"])


def client_process(port: int, batch: list[tuple[str, bytes]]) -> list[float]:
    """One sender on one persistent SMTP connection (runs in its own process)."""
    latencies = []
    with smtplib.SMTP(HOST, port, timeout=60) as smtp:
        for sender, raw in batch:
            started = time.perf_counter()
            smtp.sendmail(sender, ["support@lifebuoy.test"], raw)
            latencies.append(time.perf_counter() - started)
    return latencies


def send_all(port: int, batches: list[list[tuple[str, bytes]]]) -> tuple[float, float, list[float]]:
    """Senders in separate processes, as remote mail servers would be, so they do not share
    the gateway's interpreter: wall seconds, the gateway process's CPU seconds, latencies."""
    with ProcessPoolExecutor(len(batches), mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(time.sleep, [0] * len(batches)))  # start the processes before timing
        started = time.perf_counter()
        cpu = time.process_time()
        parts = list(pool.map(client_process, [port] * len(batches), batches))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
    return wall, cpu, [latency for part in parts for latency in part]


def split(items: list[tuple[str, bytes]], parts: int) -> list[list[tuple[str, bytes]]]:
    return [items[i::parts] for i in range(parts)]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def report(name: str, count: int, wall: float, cpu: float | None, latencies: list[float]) -> None:
    cpu_note = f"; gateway process CPU {cpu / count * 1000:.1f} ms per message" if cpu else ""
    print(
        f"{name}: {count} messages in {wall:.2f} s = {count / wall:.0f} msg/s; "
        f"per message p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {pct(latencies, 0.95):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms{cpu_note}"
    )


def start_gateway(port: int, args: argparse.Namespace, max_bytes: int) -> Callable[[], None]:
    """In this process (CPU measured), or ``--processes`` CLI processes sharing the port."""
    if not args.processes:
        from lifebuoy.notifications.inbound.gateway import gateway_controller

        controller, handler = gateway_controller(
            host=HOST, port=port, max_bytes=max_bytes, workers=args.workers
        )
        controller.start()

        def stop_in_process() -> None:
            controller.stop()
            handler.close()

        return stop_in_process
    os.environ["LIFEBUOY_MAILGATEWAY_WORKERS"] = str(args.workers)
    os.environ["LIFEBUOY_MAILGATEWAY_DOMAINS"] = "lifebuoy.test"
    run = "from lifebuoy.cli.app import main; main()"
    cmd = [sys.executable, "-c", run, "mailgateway", "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--processes", str(args.processes)], cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                break
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, "gateway did not start"
            time.sleep(0.2)
    time.sleep(2)  # let every process bind

    def stop_processes() -> None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    return stop_processes


def drain_outbox(ids: list[int], workers: int) -> list[str]:
    """Workers race for every delivery, as Celery workers would; the claim lets one send it."""
    from django.db import connection
    from django.utils import timezone

    from lifebuoy.notifications.services.delivery import delivery_attempt

    def work(worker: int) -> list[str]:
        # Each worker walks all ids from its own starting point, so they collide on purpose.
        order = ids[worker::workers] + [i for n, i in enumerate(ids) if n % workers != worker]
        outcomes = [delivery_attempt(delivery_id=i, now=timezone.now()).outcome for i in order]
        connection.close()
        return [o for o in outcomes if o != "skipped"]

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [o for part in pool.map(work, range(workers)) for o in part]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=1, help="gateway processing threads")
    parser.add_argument(
        "--processes", type=int, default=0, help="run N `lifebuoy mailgateway` processes instead"
    )
    parser.add_argument("--outbox-workers", type=int, default=4, help="outbox sending threads")
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            Sink.count += 1
            return "250 OK"

    sink_port = free_port()
    sink = Controller(Sink(), hostname=HOST, port=sink_port)
    sink.start()
    setup_django(args.database_url, sink_port)
    from django.conf import settings
    from django.db import connection

    from lifebuoy.notifications.models import Delivery, InboundEmail
    from lifebuoy.tickets.models import Message, Ticket

    print(
        f"Database: {connection.vendor}; {args.messages} messages per phase, "
        f"{args.clients} clients, {args.workers} gateway workers"
        + (f" in each of {args.processes} gateway processes" if args.processes else "")
    )
    senders = make_customers(50)
    port = free_port()
    stop_gateway = start_gateway(port, args, settings.LIFEBUOY_INBOUND_MAX_MESSAGE_BYTES)

    new = [message(senders[i % 50], f"Bench problem {i}", i) for i in range(args.messages)]
    wall, cpu, lat = send_all(
        port, split([(senders[i % 50], raw) for i, (raw, _) in enumerate(new)], args.clients)
    )
    tickets = Ticket.objects.count()
    assert tickets == args.messages, (tickets, args.messages)
    report("inbound, new tickets", args.messages, wall, None if args.processes else cpu, lat)

    replies = [
        (senders[i % 50], message(senders[i % 50], "Re: bench", 10**6 + i, in_reply_to=mid)[0])
        for i, (_, mid) in enumerate(new)
    ]
    wall, cpu, lat = send_all(port, split(replies, args.clients))
    replies_stored = Message.objects.filter(author__email__endswith="@bench.example").count()
    assert replies_stored == args.messages, replies_stored
    assert Ticket.objects.count() == args.messages
    report("inbound, threaded replies", args.messages, wall, None if args.processes else cpu, lat)
    assert not InboundEmail.objects.exclude(status__in=["created", "attached"]).exists()
    stop_gateway()

    ids = list(Delivery.objects.filter(kind="email").order_by("id").values_list("id", flat=True))
    half = len(ids) // 2
    for workers, batch in ((1, ids[:half]), (args.outbox_workers, ids[half:])):
        sent_before = Sink.count
        started = time.perf_counter()
        outcomes = drain_outbox(batch, workers)
        wall = time.perf_counter() - started
        assert outcomes == ["sent"] * len(batch), set(outcomes)
        assert Sink.count - sent_before == len(batch)
        print(
            f"outbox, {workers} worker(s): {len(batch)} emails claimed, sent over SMTP and "
            f"recorded in {wall:.2f} s = {len(batch) / wall:.0f} emails/s"
        )
    sink.stop()


if __name__ == "__main__":
    main()
