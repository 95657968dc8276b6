"""Background work for reports."""

from celery import shared_task
from django.utils import timezone

from lifebuoy.core.periods import previous_week
from lifebuoy.reports import qbr, services


@shared_task(name="lifebuoy.reports.weekly_report_generate", time_limit=600, soft_time_limit=540)
def weekly_report_generate() -> str:
    """On Monday: the report of the ISO week that just ended, emailed to the support leads."""
    now = timezone.now()
    return services.weekly_report_generate(
        period=previous_week(now), now=now, email_leads=True
    ).week


@shared_task(name="lifebuoy.reports.qbr_quarter_start_send", time_limit=900, soft_time_limit=840)
def qbr_quarter_start_send() -> int:
    """On the first day of a quarter: the quarter just ended, to each eligible organization."""
    return qbr.qbr_quarter_start_send(now=timezone.now())
