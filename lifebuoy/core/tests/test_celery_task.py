"""Tasks sent with ``delay`` keep one producer and broker connection per thread, and still reach
the queue Celery's routing gives them (in-memory broker of the test settings)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from config.celery import app
from lifebuoy.core import celery_task
from lifebuoy.core.celery_task import DeskTask, kept_producer_drop
from lifebuoy.notifications.tasks import delivery_send
from lifebuoy.sla.tasks import sla_breach_scan


@pytest.fixture(autouse=True)
def _fresh_producer() -> Iterator[None]:
    kept_producer_drop()
    _drain("celery", "periodic")
    yield
    kept_producer_drop()
    _drain("celery", "periodic")


def _drain(*queues: str) -> dict[str, list[tuple[str, Any]]]:
    """The messages waiting in each queue, as (task name, args), taken off it."""
    found: dict[str, list[tuple[str, Any]]] = {}
    with app.connection_for_read() as connection:
        channel: Any = connection.default_channel  # a virtual channel: it has basic_get
        for queue in queues:
            while (message := channel.basic_get(queue, no_ack=True)) is not None:
                args = message.decode()[0]
                found.setdefault(queue, []).append((message.headers["task"], args))
    return found


def test_every_task_is_a_desk_task():
    assert isinstance(delivery_send, DeskTask)
    assert isinstance(sla_breach_scan, DeskTask)


def test_tasks_reach_their_routed_queues_through_one_connection():
    with mock.patch.object(app.producer_pool, "acquire", side_effect=AssertionError("pooled")):
        delivery_send.delay(11)
        kept = celery_task._kept.producer.producer
        sla_breach_scan.delay()
        delivery_send.delay(12)
    assert celery_task._kept.producer.producer is kept
    assert _drain("celery", "periodic") == {
        "celery": [
            ("lifebuoy.notifications.delivery_send", [11]),
            ("lifebuoy.notifications.delivery_send", [12]),
        ],
        "periodic": [("lifebuoy.sla.sla_breach_scan", [])],
    }


def test_a_failed_send_gives_up_its_connection_and_the_next_starts_afresh():
    delivery_send.delay(1)
    first = celery_task._kept.producer.producer
    with (
        mock.patch.object(first, "publish", side_effect=OperationalError("broker down")),
        pytest.raises(OperationalError),
    ):
        delivery_send.delay(2)
    delivery_send.delay(3)
    assert celery_task._kept.producer.producer is not first
    assert _drain("celery") == {
        "celery": [
            ("lifebuoy.notifications.delivery_send", [1]),
            ("lifebuoy.notifications.delivery_send", [3]),
        ]
    }


def test_each_thread_and_each_forked_process_has_a_producer_of_its_own(monkeypatch):
    delivery_send.delay(1)
    here = celery_task._kept.producer.producer
    elsewhere: list[object] = []

    def send() -> None:
        delivery_send.delay(2)
        elsewhere.append(celery_task._kept.producer.producer)

    thread = threading.Thread(target=send)
    thread.start()
    thread.join()
    assert len(elsewhere) == 1
    assert elsewhere[0] is not here

    monkeypatch.setattr("lifebuoy.core.celery_task.os.getpid", lambda: -1)  # as in a forked child
    delivery_send.delay(3)
    assert celery_task._kept.producer.producer is not here
    assert len(_drain("celery")["celery"]) == 3
