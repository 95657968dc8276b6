"""Background work for the knowledge base."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.kb.kb_review_reminders_send", time_limit=300, soft_time_limit=240)
def kb_review_reminders_send() -> int:
    from lifebuoy.kb.services import kb_review_reminders_send as run

    return run(now=timezone.now())
