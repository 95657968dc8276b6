"""The embedded message broker: Celery's queues in one SQLite file, for a desk with no server.

``CELERY_BROKER_URL=sqlite://`` (the default) selects it; the file is the transport option
``database`` (``<data dir>/broker.sqlite3``). Every process of the desk (web, workers, the
scheduler) opens the same file, in WAL mode so readers never wait for the writer.

A message is a row. Taking one marks it taken until a visibility deadline instead of deleting
it; the acknowledgement deletes it. So a worker killed with prefetched messages loses nothing:
once the deadline passes another worker takes them again, and a worker that stops normally
hands its unacknowledged messages back at once.

A worker does not sleep a fixed interval between polls, which is what made kombu's file-system
transport slow: after a delivery it polls again at once, an acknowledgement in the same process
(a slot freed in its prefetch window) wakes it immediately, and only an empty queue backs the
poll off, doubling from ``polling_interval_min`` to ``polling_interval``. Idle, a worker runs
one small indexed query per ``polling_interval``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from typing import Any

from kombu.transport import virtual
from kombu.transport.virtual.exchange import FanoutExchange

DEFAULT_VISIBILITY_TIMEOUT = 3600.0
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS message ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " queue TEXT NOT NULL,"
    " tag TEXT NOT NULL,"
    " taken_until REAL,"
    " payload TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS message_queue ON message (queue, id)",
    "CREATE INDEX IF NOT EXISTS message_tag ON message (tag)",
    "CREATE TABLE IF NOT EXISTS binding ("
    " exchange TEXT NOT NULL, routing_key TEXT NOT NULL, pattern TEXT NOT NULL,"
    " queue TEXT NOT NULL, PRIMARY KEY (exchange, routing_key, pattern, queue))",
)


class Store:
    """One process's connection to the broker file; safe to share between its threads (the
    worker acknowledges from its pool's result thread)."""

    def __init__(self, path: str, *, visibility_timeout: float) -> None:
        self.path = path
        self.visibility_timeout = visibility_timeout
        self._lock = threading.Lock()
        self._pid = -1
        self._db: sqlite3.Connection | None = None

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Cursor]:
        with self._lock:
            if self._db is None or self._pid != os.getpid():  # never reuse one across a fork
                self._db = self._connect()
                self._pid = os.getpid()
            yield self._db.cursor()

    def _connect(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in SCHEMA:
            db.execute(statement)
        return db

    def close(self) -> None:
        with self._lock:
            if self._db is not None and self._pid == os.getpid():
                self._db.close()
            self._db = None

    def put(self, queue: str, message: dict[str, Any]) -> None:
        tag = str(message.get("properties", {}).get("delivery_tag", ""))
        with self._cursor() as cur:
            cur.execute(
                "INSERT INTO message (queue, tag, payload) VALUES (?, ?, ?)",
                (queue, tag, json.dumps(message)),
            )

    def take(self, queue: str) -> dict[str, Any] | None:
        """The queue's oldest message that nobody holds, now held until the deadline."""
        with self._cursor() as cur:
            while True:
                now = time.time()
                row = cur.execute(
                    "SELECT id FROM message WHERE queue = ? "
                    "AND (taken_until IS NULL OR taken_until < ?) ORDER BY id LIMIT 1",
                    (queue, now),
                ).fetchone()
                if row is None:
                    return None
                # The read above takes no lock; another worker may have taken the row since.
                taken = cur.execute(
                    "UPDATE message SET taken_until = ? WHERE id = ? "
                    "AND (taken_until IS NULL OR taken_until < ?) RETURNING payload",
                    (now + self.visibility_timeout, row[0], now),
                ).fetchone()
                if taken is not None:
                    payload: dict[str, Any] = json.loads(taken[0])
                    return payload

    def release(self, tag: str) -> bool:
        """Hand a held message back to its queue; False if there is no such row."""
        with self._cursor() as cur:
            cur.execute("UPDATE message SET taken_until = NULL WHERE tag = ?", (tag,))
            return cur.rowcount > 0

    def delete(self, tag: str) -> None:
        with self._cursor() as cur:
            cur.execute("DELETE FROM message WHERE tag = ?", (tag,))

    def size(self, queue: str) -> int:
        with self._cursor() as cur:
            row = cur.execute("SELECT count(*) FROM message WHERE queue = ?", (queue,)).fetchone()
            return int(row[0])

    def purge(self, queue: str) -> int:
        with self._cursor() as cur:
            cur.execute("DELETE FROM message WHERE queue = ? AND taken_until IS NULL", (queue,))
            return cur.rowcount

    def bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        with self._cursor() as cur:
            cur.execute(
                "INSERT OR IGNORE INTO binding VALUES (?, ?, ?, ?)",
                (exchange, routing_key, pattern, queue),
            )

    def unbind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        with self._cursor() as cur:
            cur.execute(
                "DELETE FROM binding WHERE exchange = ? AND routing_key = ? AND pattern = ? "
                "AND queue = ?",
                (exchange, routing_key, pattern, queue),
            )

    def bindings(self, exchange: str) -> list[tuple[str, str, str]]:
        with self._cursor() as cur:
            rows = cur.execute(
                "SELECT routing_key, pattern, queue FROM binding WHERE exchange = ?", (exchange,)
            ).fetchall()
        return [(str(r[0]), str(r[1]), str(r[2])) for r in rows]


class Channel(virtual.Channel):
    """kombu's virtual channel with its storage in the broker file."""

    connection: Transport
    supports_fanout = True  # kombu then records every binding through _queue_bind

    @property
    def store(self) -> Store:
        return self.connection.store

    def _put(self, queue: str, message: dict[str, Any], **kwargs: Any) -> None:
        self.store.put(queue, message)

    def _get(self, queue: str, timeout: float | None = None) -> dict[str, Any]:
        message = self.store.take(queue)
        if message is None:
            raise Empty()
        return message

    def _size(self, queue: str) -> int:
        return self.store.size(queue)

    def _purge(self, queue: str) -> int:
        return self.store.purge(queue)

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kw: Any
    ) -> None:
        """A deleted queue (a stopped worker's control queue, a reply queue) takes its
        binding and messages with it, so broadcasts stop piling up for it."""
        super()._delete(queue, exchange, routing_key, pattern, *args, **kw)
        self.store.unbind(exchange, routing_key or "", pattern or "", queue)
        self.store.purge(queue)

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        return True

    def _new_queue(self, queue: str, **kwargs: Any) -> None:
        """Queues need no declaring: a queue is the rows that name it."""

    # Bindings live in the file too, so a broadcast reaches the queues of every process.
    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        self.store.bind(exchange, routing_key or "", pattern or "", queue or "")

    def queue_unbind(
        self,
        queue: str,
        exchange: str | None = None,
        routing_key: str = "",
        arguments: Any = None,
        **kwargs: Any,
    ) -> None:
        super().queue_unbind(queue, exchange, routing_key, arguments, **kwargs)
        if exchange and isinstance(self.typeof(exchange), FanoutExchange):
            self.store.unbind(exchange, routing_key or "", "", queue)

    def get_table(self, exchange: str) -> list[tuple[str, str, str]]:
        return self.store.bindings(exchange)

    def _put_fanout(
        self, exchange: str, message: dict[str, Any], routing_key: str, **kw: Any
    ) -> None:
        # Each queue's copy is a message of its own: acknowledged (deleted) by its own tag.
        for _, _, queue in self.store.bindings(exchange):
            properties = {**message.get("properties", {}), "delivery_tag": str(uuid.uuid4())}
            self.store.put(queue, {**message, "properties": properties})

    # Acknowledgement deletes the row; a slot freed in the prefetch window wakes the worker.
    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple)
        self.store.delete(str(delivery_tag))
        self.connection.wake()

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue=requeue)  # a requeue releases the row
        if not requeue:
            self.store.delete(str(delivery_tag))
        self.connection.wake()

    def _restore(self, message: Any) -> None:
        """Called for unacknowledged messages when a worker stops: release the held row."""
        if not self.store.release(str(message.delivery_tag)):
            super()._restore(message)


class Transport(virtual.Transport):
    Channel = Channel
    polling_interval = 0.2  # the longest wait between polls of an idle queue
    polling_interval_min = 0.005
    default_port = 0
    driver_type = "sqlite"
    driver_name = "sqlite"
    implements = virtual.Transport.implements.extend(
        asynchronous=False, exchange_type=frozenset(["direct", "topic", "fanout"])
    )

    def __init__(self, client: Any, **kwargs: Any) -> None:
        super().__init__(client, **kwargs)
        options = client.transport_options
        self.store = Store(
            str(options.get("database") or "broker.sqlite3"),
            visibility_timeout=float(
                options.get("visibility_timeout") or DEFAULT_VISIBILITY_TIMEOUT
            ),
        )
        self._woken = threading.Event()
        self._interval = self.polling_interval_min

    def driver_version(self) -> str:
        return sqlite3.sqlite_version

    def wake(self) -> None:
        self._woken.set()

    def drain_events(  # type: ignore[override]  # kombu's two stubs disagree
        self, connection: Any, timeout: float | None = None
    ) -> None:
        started = time.monotonic()
        deliver: Callable[..., Any] = self._deliver
        cycle = self.cycle
        assert cycle is not None  # noqa: S101 - set by the constructor
        while True:
            try:
                cycle.get(deliver, timeout=timeout)
            except Empty:
                pass
            else:
                self._interval = self.polling_interval_min
                return
            waited = time.monotonic() - started
            if timeout is not None and waited >= timeout:
                raise TimeoutError()
            pause = self._interval if timeout is None else min(self._interval, timeout - waited)
            if self._woken.wait(pause):
                self._woken.clear()
                self._interval = self.polling_interval_min
            else:
                self._interval = min(self._interval * 2, self.polling_interval)

    def close_connection(self, connection: Any) -> None:
        super().close_connection(connection)
        self.store.close()
