from __future__ import annotations

from collections.abc import Iterator

import pytest

from lifebuoy.escalations.tasks import ticket_event_followup


@pytest.fixture
def followup_runs_inline() -> Iterator[None]:
    """The follow-up after a ticket change runs in a worker; with this fixture it runs when the
    commit does. Only for the tests about that follow-up: elsewhere it would hide the order in
    which work leaves after the commit."""
    conf = ticket_event_followup.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = eager
