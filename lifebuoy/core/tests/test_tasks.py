from __future__ import annotations

from unittest import mock

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError

from lifebuoy.core.tasks import BROKER_PAUSE_SECONDS, enqueue_batch, enqueue_on_commit
from lifebuoy.sla.tasks import sla_breach_scan, sla_events_redeliver
from lifebuoy.tickets.tasks import ticket_autoclose_sweep

pytestmark = pytest.mark.django_db


def test_the_task_is_queued_only_after_the_commit(django_capture_on_commit_callbacks):
    with mock.patch.object(ticket_autoclose_sweep, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            enqueue_on_commit(ticket_autoclose_sweep, batch_size=5)
        delay.assert_not_called()
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(batch_size=5)


def test_a_broker_outage_is_logged_not_raised(django_capture_on_commit_callbacks, caplog):
    down = OperationalError("broker down")
    with (
        mock.patch.object(ticket_autoclose_sweep, "delay", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(ticket_autoclose_sweep)
    assert "enqueue lifebuoy.tickets.ticket_autoclose_sweep" in caplog.text


def test_after_a_failed_publish_requests_leave_their_tasks_to_the_sweeps_for_a_while(
    django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """A broker outage costs one request one quick attempt, not every request a second."""
    clock = [1000.0]
    monkeypatch.setattr("lifebuoy.core.tasks.time.monotonic", lambda: clock[0])
    down = OperationalError("broker down")
    with mock.patch.object(ticket_autoclose_sweep, "delay", side_effect=down) as send:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(ticket_autoclose_sweep)
        assert send.call_count == 1
        clock[0] += BROKER_PAUSE_SECONDS - 1
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(ticket_autoclose_sweep)
        assert send.call_count == 1  # not tried: left to the sweeps
        assert "Broker unavailable" in caplog.text
        clock[0] += 2
        send.side_effect = None
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(ticket_autoclose_sweep)
        assert send.call_count == 2  # the pause is over: sent again


def test_the_tasks_of_one_transaction_leave_as_one_message(django_capture_on_commit_callbacks):

    with (
        mock.patch.object(enqueue_batch, "delay") as batch,
        mock.patch.object(ticket_autoclose_sweep, "delay") as single,
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(ticket_autoclose_sweep, batch_size=5)
        enqueue_on_commit(sla_breach_scan, 7)
    single.assert_not_called()
    batch.assert_called_once_with(
        [
            ["lifebuoy.tickets.ticket_autoclose_sweep", [], {"batch_size": 5}],
            ["lifebuoy.sla.sla_breach_scan", [7], {}],
        ]
    )


def test_a_task_asked_for_in_a_rolled_back_savepoint_is_not_sent(
    django_capture_on_commit_callbacks,
):

    with (
        mock.patch.object(enqueue_batch, "delay") as batch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue_on_commit(ticket_autoclose_sweep)
        try:
            with transaction.atomic():
                enqueue_on_commit(sla_events_redeliver)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        enqueue_on_commit(sla_breach_scan)
    (jobs,) = batch.call_args.args
    assert [name for name, _, _ in jobs] == [
        "lifebuoy.tickets.ticket_autoclose_sweep",
        "lifebuoy.sla.sla_breach_scan",
    ]


def test_a_long_transaction_sends_all_its_tasks_once_in_order(
    django_capture_on_commit_callbacks,
):

    with (
        mock.patch.object(enqueue_batch, "delay") as batch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for n in range(300):
            enqueue_on_commit(ticket_autoclose_sweep, batch_size=n)
            if n % 100 == 0:  # callbacks of a rolled-back savepoint go, the batch stays
                try:
                    with transaction.atomic():
                        transaction.on_commit(lambda: None)
                        enqueue_on_commit(ticket_autoclose_sweep, batch_size=-1)
                        raise RuntimeError("undo")
                except RuntimeError:
                    pass
    (jobs,) = batch.call_args.args
    assert [kwargs["batch_size"] for _, _, kwargs in jobs] == list(range(300))


# Real commits and rollbacks; the serialized rollback leaves the database as migrations made it
# for the transactional tests after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_tasks_of_a_rolled_back_transaction_are_not_sent_with_the_next_one():

    with (
        mock.patch.object(enqueue_batch, "delay") as batch,
        mock.patch.object(ticket_autoclose_sweep, "delay") as single,
    ):
        try:
            with transaction.atomic():
                enqueue_on_commit(sla_breach_scan, 1)
                enqueue_on_commit(sla_breach_scan, 2)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        with transaction.atomic():
            enqueue_on_commit(ticket_autoclose_sweep, batch_size=3)
    batch.assert_not_called()
    single.assert_called_once_with(batch_size=3)


def test_a_worker_queues_each_task_of_a_batch_and_skips_unknown_names(caplog):

    with mock.patch.object(ticket_autoclose_sweep, "delay") as delay:
        queued = enqueue_batch(
            [
                ["lifebuoy.tickets.ticket_autoclose_sweep", [], {"batch_size": 3}],
                ["lifebuoy.gone.task", [], {}],
            ]
        )
    assert queued == 1
    delay.assert_called_once_with(batch_size=3)
    assert "no task named lifebuoy.gone.task" in caplog.text
