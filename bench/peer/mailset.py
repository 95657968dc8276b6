"""What both sides of the inbound mail comparison share: the messages and the CPU meter.

Standard library only (plus ``bench.slack.processes``), so it runs in Lifebuoy's virtualenv and
in the peer's alike.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SUPPORT = "support@lifebuoy.test"
CUSTOMERS = [f"customer{i}@mailpeer.example" for i in range(50)]
BODY = "C2 stopped committing after the upgrade; the doctor shows the replica lagging.\n" * 5


def _message(sender: str, subject: str, message_id: str, in_reply_to: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Date"] = "Sun, 06 Dec 2026 20:00:00 +0000"
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(f"{subject}\n\n{BODY}")
    return msg.as_bytes()


def write_messages(folder: Path, tag: str, count: int) -> None:
    """``count`` new-ticket messages in ``folder/new`` and one reply to each in
    ``folder/reply`` (threaded by In-Reply-To only: no ticket token in the subject, since the two
    desks write different ones). Message-IDs carry ``tag``, so each round's are new. One more
    pair, ``warm-new.eml`` and ``warm-reply.eml``, is for each process to handle before the
    clock starts: a gateway runs for days, so its first message's imports and caches are not
    what a message costs."""
    for phase in ("new", "reply"):
        (folder / phase).mkdir(parents=True, exist_ok=True)
    original = f"<{tag}.warm@mailpeer.example>"
    (folder / "warm-new.eml").write_bytes(_message(CUSTOMERS[0], f"Warm-up {tag}", original))
    reply = _message(CUSTOMERS[0], f"Re: Warm-up {tag}", f"<{tag}.warm.re@mailpeer.example>",
                     in_reply_to=original)  # fmt: skip
    (folder / "warm-reply.eml").write_bytes(reply)
    for i in range(count):
        sender = CUSTOMERS[i % len(CUSTOMERS)]
        original = f"<{tag}.{i}@mailpeer.example>"
        raw = _message(sender, f"Bench problem {tag} {i}", original)
        (folder / "new" / f"{i:06d}.eml").write_bytes(raw)
        reply = _message(sender, f"Re: Bench problem {tag} {i}", f"<{tag}.{i}.re@mailpeer.example>",
                         in_reply_to=original)  # fmt: skip
        (folder / "reply" / f"{i:06d}.eml").write_bytes(reply)


def measure(database: str, work: Callable[[], int], count: int) -> dict[str, float]:
    """Run ``work`` (returns how many messages it handled); wall time, this process's CPU and
    the CPU of the database's PostgreSQL backends, per message."""
    from bench.slack.processes import PostgresMeter, postmaster_pid

    meter = PostgresMeter(database, postmaster_pid())
    meter.start()
    load = os.getloadavg()[0]
    cpu = time.process_time()
    began = time.perf_counter()
    handled = work()
    wall = time.perf_counter() - began
    cpu = time.process_time() - cpu
    live, reaped = meter.spent()
    assert handled == count, (handled, count)
    return {
        "messages": count,
        "wall_s": wall,
        "rate": count / wall,
        "cpu_ms": cpu * 1000 / count,
        "pg_ms": live * 1000 / count,
        "pg_reaped_ms": reaped * 1000 / count,
        "connections": meter.connections,
        "load": load,
    }


def emit(result: dict[str, object]) -> None:
    """The one line the driver reads from a side's output."""
    print("RESULT " + json.dumps(result), flush=True)
