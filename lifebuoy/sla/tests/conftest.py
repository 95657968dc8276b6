from __future__ import annotations

import pytest

from lifebuoy.sla import events as sla_events
from lifebuoy.sla.events import SlaEvent, sla_events_deliver


@pytest.fixture
def received():
    """The SLA events delivered, in order, with only this subscriber and delivery run inline."""
    got: list[SlaEvent] = []
    saved = list(sla_events._subscribers)
    sla_events._subscribers[:] = [got.append]
    conf = sla_events_deliver.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = True
    yield got
    conf.task_always_eager = eager
    sla_events._subscribers[:] = saved
