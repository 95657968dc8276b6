"""Background work for monitoring: the scheduled sweep of due deployments and one poll."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.monitoring.poll_due_deployments", time_limit=300, soft_time_limit=270)
def poll_due_deployments(batch_size: int = 20) -> int:
    from lifebuoy.monitoring.services.polling import poll_due_deployments as run

    return run(now=timezone.now(), batch_size=batch_size, deadline_seconds=240)


@shared_task(name="lifebuoy.monitoring.deployment_poll", time_limit=300, soft_time_limit=270)
def deployment_poll(deployment_id: int) -> str:
    from lifebuoy.monitoring.selectors import deployment_get
    from lifebuoy.monitoring.services.polling import deployment_poll as run

    deployment = deployment_get(deployment_id=deployment_id)
    if deployment is None or not deployment.has_read_consent:
        return "skipped"
    return run(deployment=deployment, now=timezone.now(), force=True).outcome


@shared_task(name="lifebuoy.monitoring.mirror_discard", time_limit=600, soft_time_limit=570)
def mirror_discard(location: str) -> str:
    """Delete a mirror the deployment no longer uses (it names another repository now)."""
    from lifebuoy.monitoring.mirror import mirror_discard as run

    run(location=location)
    return location
