"""Storing the weekly report, and on Mondays mailing it to the support leads."""

from __future__ import annotations

import json
from datetime import datetime

from django.db import transaction

from lifebuoy.core.periods import Period

from .charts import charts_for_storage, weekly_charts
from .mail import weekly_report_email_leads
from .models import WeeklyReport
from .weekly import weekly_report_build, weekly_report_json, weekly_report_markdown


@transaction.atomic
def weekly_report_generate(
    *, period: Period, now: datetime, email_leads: bool = False
) -> WeeklyReport:
    """Build the week's report and store it, replacing an earlier one for the same week.

    ``email_leads`` (the Monday run) also queues the report with its charts for every active
    support lead, in the same transaction; each lead gets one email per week however often the
    week is generated.
    """
    report = weekly_report_build(period=period)
    stored, _ = WeeklyReport.objects.update_or_create(
        week=period.label,
        defaults={
            "starts_at": period.start,
            "ends_at": period.end,
            "data": json.loads(weekly_report_json(report)),
            "markdown": weekly_report_markdown(report),
            # Drawn once here, so the page never draws a stored week again.
            "charts": charts_for_storage(weekly_charts(report, fmt="png")),
            "generated_at": now,
        },
    )
    if email_leads:
        weekly_report_email_leads(report=report, now=now)
    return stored
