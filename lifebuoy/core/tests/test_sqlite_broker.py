"""The embedded broker: messages in a SQLite file, each delivered once, none lost."""

from __future__ import annotations

import contextlib
import multiprocessing
import time
from pathlib import Path

import pytest
from kombu import Connection, Exchange, Queue
from kombu.transport import TRANSPORT_ALIASES

from lifebuoy.core.sqlite_broker import Store

TRANSPORT_ALIASES.setdefault("sqlite", "lifebuoy.core.sqlite_broker:Transport")
WORK = Queue("work", Exchange("work", "direct"), "work")


def connect(path: Path, **options: object) -> Connection:
    return Connection("sqlite://", transport_options={"database": str(path), **options})


def publish(path: Path, bodies: list[int], queue: Queue = WORK) -> None:
    with connect(path) as conn:
        producer = conn.Producer()
        for body in bodies:
            producer.publish(
                {"n": body}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue]
            )


def consume(path: Path, count: int, *, ack: bool = True, timeout: float = 10) -> list[int]:
    got: list[int] = []
    with connect(path) as conn:

        def received(body: dict[str, int], message: object) -> None:
            got.append(body["n"])
            if ack:
                message.ack()  # type: ignore[attr-defined]

        with conn.Consumer(WORK, callbacks=[received]) as consumer:
            consumer.qos(prefetch_count=4)
            deadline = time.monotonic() + timeout
            while len(got) < count and time.monotonic() < deadline:
                with contextlib.suppress(TimeoutError):
                    conn.drain_events(timeout=0.5)
    return got


@pytest.fixture
def broker(tmp_path: Path) -> Path:
    return tmp_path / "broker.sqlite3"


def test_messages_arrive_in_order_and_an_acknowledgement_removes_them(broker):
    publish(broker, list(range(20)))
    assert consume(broker, 20) == list(range(20))
    assert Store(str(broker), visibility_timeout=60).size("work") == 0


def test_a_message_taken_but_never_acknowledged_comes_back_after_its_deadline(broker):
    publish(broker, [1, 2])
    first = Store(str(broker), visibility_timeout=0.3)
    taken = first.take("work")  # a worker killed before acknowledging it
    assert taken is not None
    second = Store(str(broker), visibility_timeout=60)
    assert second.take("work") is not None  # the other message
    assert second.take("work") is None  # the held one is nobody else's yet
    time.sleep(0.4)
    again = second.take("work")
    assert again is not None
    assert again["properties"]["delivery_tag"] == taken["properties"]["delivery_tag"]


def test_a_consumer_that_stops_hands_its_unacknowledged_messages_back_at_once(broker):
    publish(broker, [1, 2, 3])
    assert consume(broker, 1, ack=False) == [1]  # prefetched more, acknowledged none
    assert sorted(consume(broker, 3)) == [1, 2, 3]  # no wait for a deadline, no copies
    assert Store(str(broker), visibility_timeout=60).size("work") == 0


def _take_all(path: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    store = Store(path, visibility_timeout=600)
    taken = []
    while (message := store.take("work")) is not None:
        taken.append(message["properties"]["delivery_tag"])
    out.put(taken)


def test_workers_racing_for_one_queue_never_take_the_same_message(broker):
    publish(broker, list(range(600)))
    out: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    racers = [multiprocessing.Process(target=_take_all, args=(str(broker), out)) for _ in range(3)]
    for racer in racers:
        racer.start()
    results = [out.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=30)
    everything = [tag for result in results for tag in result]
    assert len(everything) == len(set(everything)) == 600


def test_a_broadcast_reaches_queues_bound_by_other_processes(broker):
    control = Exchange("control", "fanout")
    mine, theirs = Queue("mine", control), Queue("theirs", control)
    their_worker = connect(broker)  # another process's worker declares and binds its queue
    their_queue = theirs(their_worker.default_channel)
    their_queue.declare()
    with connect(broker) as conn:
        mine(conn.default_channel).declare()
        conn.Producer().publish({"n": 1}, exchange=control, routing_key="")
    store = Store(str(broker), visibility_timeout=60)
    assert store.size("mine") == store.size("theirs") == 1
    mine_copy = store.take("mine")
    assert mine_copy is not None
    store.delete(mine_copy["properties"]["delivery_tag"])  # acknowledged by one worker only
    assert store.size("theirs") == 1
    their_queue.delete()  # their worker stops: its queue goes, and takes no more broadcasts
    their_worker.release()
    with connect(broker) as conn:
        conn.Producer().publish({"n": 2}, exchange=control, routing_key="")
    assert store.size("theirs") == 0
    assert store.size("mine") == 1


def test_an_idle_consumer_picks_up_a_new_message_within_its_longest_poll(broker):
    publish(broker, [0])
    assert consume(broker, 1) == [0]
    with connect(broker) as conn:
        got: list[float] = []
        with conn.Consumer(WORK, callbacks=[lambda body, message: got.append(time.monotonic())]):
            with contextlib.suppress(TimeoutError):
                conn.drain_events(timeout=1.0)  # idle: the polls back off
            published = time.monotonic()
            publish(broker, [1])
            conn.drain_events(timeout=5)
    assert got
    assert got[0] - published < 0.5
