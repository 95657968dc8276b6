from __future__ import annotations

from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from lifebuoy.core.tasks import enqueue_on_commit
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
