"""Reports by email, through the notifications outbox.

Each email is one Delivery written in the transaction that produced the report, keyed by report
and recipient (``email:weekly-report:2026-W48:<user id>``), so generating the same report again
queues nothing new: each recipient gets it once. Charts travel inside the message as inline
images referenced by Content-ID from the HTML part (mail clients block ``data:`` images); the
plain-text part is the report's Markdown.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.links import absolute_url
from lifebuoy.core.markdown import render_markdown
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.reports.charts import Chart, weekly_charts
from lifebuoy.reports.weekly import Report, weekly_report_markdown

# RFC 3834: a report is machine-made; autoresponders must not answer it.
_HEADERS = {"Auto-Submitted": "auto-generated"}


@dataclass(frozen=True)
class InlineChart:
    cid: str
    alt: str
    width: int
    height: int


def _cid(chart: Chart, ref: str) -> str:
    domain = settings.LIFEBUOY_SUPPORT_EMAIL.rpartition("@")[2] or "lifebuoy.invalid"
    return f"{chart.series.key}.{ref}@{domain}"


def email_enabled() -> bool:
    """The same switch as the ticket emails: off, nothing is queued."""
    return bool(settings.LIFEBUOY_NOTIFY_EMAIL)


def email_payload(
    *,
    subject: str,
    markdown: str,
    footer: str,
    url: str = "",
    charts: list[Chart] | None = None,
    ref: str = "",
) -> dict[str, Any]:
    """An outbox email payload: the Markdown as the text part, the same rendered as HTML with
    the charts inline (``cid:`` references to the images in ``inline_images``)."""
    charts = charts or []
    cids = [_cid(chart, ref) for chart in charts]
    html = render_to_string(
        "reports/email/report.html",
        {
            "title": subject,
            "body_html": render_markdown(markdown),
            "charts": [
                InlineChart(cid, chart.alt, chart.width, chart.height)
                for cid, chart in zip(cids, charts, strict=True)
            ],
            "footer": footer,
            "url": url,
        },
    )
    text = f"{markdown}\n-- \n{footer}{' ' + url if url else ''}\n"
    return {
        "subject": subject,
        "text": text,
        "html": html,
        "headers": dict(_HEADERS),
        "inline_images": [
            {
                "cid": cid,
                "filename": chart.filename,
                "content_type": chart.content_type,
                "data": base64.b64encode(chart.content).decode("ascii"),
            }
            for cid, chart in zip(cids, charts, strict=True)
        ],
    }


def email_each(
    *, recipients: Iterable[User], key: str, payload: dict[str, Any], now: datetime
) -> int:
    """Queue ``payload`` to each recipient through the outbox, once per ``key`` and person
    however often this runs; how many were newly queued."""
    queued = 0
    for person in recipients:
        delivery = delivery_enqueue(
            kind=DeliveryKind.EMAIL,
            key=f"{key}:{person.id}",
            ticket=None,
            target=person.email,
            payload=payload,
            now=now,
        )
        queued += delivery is not None
    return queued


def weekly_report_recipients() -> QuerySet[User]:
    """Active support leads with a deliverable address. Admins are not included: the report is
    the leads' tool, and admins can read it on the desk."""
    return (
        User.objects.filter(role=Role.LEAD, is_active=True)
        .exclude(email__endswith=".invalid")
        .order_by("id")
    )


def weekly_report_email_leads(*, report: Report, now: datetime) -> int:
    """Queue the week's report for every active lead who has not been sent it; returns how
    many were queued. Call inside the transaction that stores the report."""
    leads = list(weekly_report_recipients())
    if not leads or not email_enabled():
        return 0
    week = report.period.label
    payload = email_payload(
        subject=f"Support weekly report {week}",
        markdown=weekly_report_markdown(report),
        footer="Sent to support leads every Monday. The report with current figures:",
        url=absolute_url(f"{reverse('reports:weekly')}?week={week}"),
        charts=weekly_charts(report, fmt="png"),
        ref=week,
    )
    return email_each(recipients=leads, key=f"email:weekly-report:{week}", payload=payload, now=now)
