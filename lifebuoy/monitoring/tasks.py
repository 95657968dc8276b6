"""Background work for monitoring: the scheduled dispatch of due deployments, one poll, and
discarding a mirror a deployment no longer uses."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.monitoring.mirror import mirror_discard as discard
from lifebuoy.monitoring.selectors import deployment_get, deployment_list_due
from lifebuoy.monitoring.services.polling import DISPATCH_LIMIT, deployment_due_claim
from lifebuoy.monitoring.services.polling import deployment_poll as poll


@shared_task(name="lifebuoy.monitoring.poll_due_deployments", time_limit=300, soft_time_limit=270)
def poll_due_deployments(limit: int = DISPATCH_LIMIT) -> int:
    """Every minute: claim each due deployment (up to ``limit``) and queue its poll for any
    worker, so many workers poll many deployments side by side. The claims and the queueing
    commit together: the polls leave as one broker message after the commit, and a second
    dispatcher running at the same time claims none of the same deployments. A poll whose task
    is lost waits for the deployment's next interval, as a poll whose worker died does."""
    now = timezone.now()
    claimed = 0
    with transaction.atomic():
        for deployment in deployment_list_due(now=now, limit=limit):
            if deployment_due_claim(deployment=deployment, now=now):
                enqueue_on_commit(deployment_poll, deployment.id, force=False)
                claimed += 1
    return claimed


@shared_task(name="lifebuoy.monitoring.deployment_poll", time_limit=300, soft_time_limit=270)
def deployment_poll(deployment_id: int, force: bool = True) -> str:
    """One poll: "run doctor now" (``force``: the doctor runs even if nothing moved) or a
    scheduled one, which is skipped if the deployment was switched off since it was queued."""
    deployment = deployment_get(deployment_id=deployment_id)
    if deployment is None or not deployment.has_read_consent:
        return "skipped"
    if not force and not deployment.is_active:
        return "skipped"
    return poll(deployment=deployment, now=timezone.now(), force=force).outcome


@shared_task(name="lifebuoy.monitoring.mirror_discard", time_limit=600, soft_time_limit=570)
def mirror_discard(location: str) -> str:
    """Delete a mirror the deployment no longer uses (it names another repository now)."""
    discard(location=location)
    return location
