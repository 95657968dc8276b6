"""Monitoring's per-deployment tasks go to their partition's queue when mirrors are spread; the
scheduler's sweeps go to the periodic queue."""

from __future__ import annotations

import pytest

from config.celery import app as celery_app
from lifebuoy.monitoring.mirror import mirror_location
from lifebuoy.monitoring.routing import DISCARD, POLL, route_task


def _queue_of(name: str, args: tuple[object, ...] = (), kwargs: dict[str, object] | None = None):
    """The queue Celery's own router picks, with the settings' routers."""
    options = celery_app.amqp.router.route({}, name, args, kwargs or {})
    return options["queue"].name


def test_without_partitions_every_task_uses_the_default_queue(settings):
    settings.LIFEBUOY_MONITORING_PARTITIONS = 0
    assert route_task(POLL, (7,), {}, {}) is None
    assert _queue_of(POLL, (7,)) == "celery"


@pytest.mark.parametrize(("deployment_id", "queue"), [(6, "monitoring-0"), (7, "monitoring-1")])
def test_a_deployment_s_polls_and_mirror_clean_up_go_to_its_partition(
    settings, deployment_id, queue
):
    settings.LIFEBUOY_MONITORING_PARTITIONS = 3
    expected = f"monitoring-{deployment_id % 3}"
    assert _queue_of(POLL, (deployment_id,)) == expected
    assert _queue_of(POLL, (), {"deployment_id": deployment_id, "force": False}) == expected
    for location in (
        mirror_location(deployment_id=deployment_id),
        mirror_location(deployment_id=deployment_id, repository="https://git.example/x.git"),
    ):
        assert _queue_of(DISCARD, (location,)) == expected
    settings.LIFEBUOY_MONITORING_PARTITIONS = 2
    assert _queue_of(POLL, (deployment_id,)) == queue


def test_other_tasks_and_odd_arguments_stay_on_the_default_queue(settings):
    settings.LIFEBUOY_MONITORING_PARTITIONS = 2
    assert _queue_of("lifebuoy.notifications.delivery_send", (1,)) == "celery"
    assert _queue_of("lifebuoy.escalations.ticket_event_followup", (1, "")) == "celery"
    assert _queue_of(DISCARD, ("../elsewhere",)) == "celery"
    assert route_task(POLL, ("7",), {}, {}) is None


def test_the_scheduler_s_sweeps_go_to_the_periodic_queue(settings):
    """Whatever the partitions, so that a backlog of bulk work never delays them."""
    for partitions in (0, 2):
        settings.LIFEBUOY_MONITORING_PARTITIONS = partitions
        for name in (
            "lifebuoy.monitoring.poll_due_deployments",
            "lifebuoy.sla.sla_breach_scan",
            "lifebuoy.notifications.outbox_sweep",
            "lifebuoy.escalations.followup_sweep",
            "lifebuoy.escalations.page_sweep",
            "lifebuoy.tickets.ticket_autoclose_sweep",
        ):
            assert _queue_of(name) == "periodic", name
