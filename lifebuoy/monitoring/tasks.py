"""Background work for monitoring: the scheduled sweep of due deployments and one poll."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.monitoring.poll_due_deployments", time_limit=300, soft_time_limit=270)
def poll_due_deployments(limit: int = 2000) -> int:
    """Every minute: claim the due deployments and queue one poll each, for any worker."""
    from lifebuoy.monitoring.services.polling import deployments_dispatch_due

    return deployments_dispatch_due(now=timezone.now(), limit=limit)


@shared_task(name="lifebuoy.monitoring.deployment_poll", time_limit=300, soft_time_limit=270)
def deployment_poll(deployment_id: int, force: bool = True) -> str:
    """One poll: "run doctor now" (``force``: the doctor runs even if nothing moved) or a
    scheduled one, which is skipped if the deployment was switched off since it was queued."""
    from lifebuoy.monitoring.selectors import deployment_get
    from lifebuoy.monitoring.services.polling import deployment_poll as run

    deployment = deployment_get(deployment_id=deployment_id)
    if deployment is None or not deployment.has_read_consent:
        return "skipped"
    if not force and not deployment.is_active:
        return "skipped"
    return run(deployment=deployment, now=timezone.now(), force=force).outcome


@shared_task(name="lifebuoy.monitoring.mirror_discard", time_limit=600, soft_time_limit=570)
def mirror_discard(location: str) -> str:
    """Delete a mirror the deployment no longer uses (it names another repository now)."""
    from lifebuoy.monitoring.mirror import mirror_discard as run

    run(location=location)
    return location
