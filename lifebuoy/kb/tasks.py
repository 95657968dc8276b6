"""Background work for the knowledge base."""

from celery import shared_task
from django.utils import timezone

from lifebuoy.kb import services


@shared_task(name="lifebuoy.kb.kb_review_reminders_send", time_limit=300, soft_time_limit=240)
def kb_review_reminders_send() -> int:
    return services.kb_review_reminders_send(now=timezone.now())
