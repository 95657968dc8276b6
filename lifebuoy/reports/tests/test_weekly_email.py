"""The Monday run emails the weekly report to every active lead, once, with its charts inline."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message
from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.models import Delivery
from lifebuoy.notifications.services.delivery import delivery_attempt
from lifebuoy.reports import tasks
from lifebuoy.reports.services import weekly_report_generate

from .conftest import Week

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


@pytest.fixture
def leads(lena: User, ada: User) -> list[User]:
    other = User.objects.create_user("lou@lifebuoy.test", "pw-for-tests-1", role=Role.LEAD)
    User.objects.create_user(
        "gone@lifebuoy.test", "pw-for-tests-1", role=Role.LEAD, is_active=False
    )
    return [lena, other]


def reports():
    return Delivery.objects.filter(idempotency_key__startswith="email:weekly-report:")


def send_all(now: datetime) -> list[Message]:
    mail.outbox.clear()
    for delivery_id in reports().values_list("id", flat=True):
        assert delivery_attempt(delivery_id=delivery_id, now=now).outcome == "sent"
    return [message_from_bytes(m.message().as_bytes()) for m in mail.outbox]


def part(message: Message, content_type: str) -> Message:
    found = [p for p in message.walk() if p.get_content_type() == content_type]
    assert found, content_type
    return found[0]


def decoded(message: Message) -> bytes:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def test_the_monday_task_emails_each_active_lead_once_even_when_run_twice(
    week: Week, leads: list[User], django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=False),
        mock.patch("django.utils.timezone.now", return_value=MONDAY),
    ):
        assert tasks.weekly_report_generate() == "2026-W48"
        assert tasks.weekly_report_generate() == "2026-W48"

    deliveries = reports().order_by("target")
    assert [d.target for d in deliveries] == ["lena@lifebuoy.test", "lou@lifebuoy.test"]
    assert {d.idempotency_key for d in deliveries} == {
        f"email:weekly-report:2026-W48:{lead.id}" for lead in leads
    }
    assert len(send_all(MONDAY)) == 2


def test_the_email_has_the_markdown_and_html_with_charts_referenced_by_content_id(
    week: Week, lena: User
):
    weekly_report_generate(period=week.period, now=MONDAY, email_leads=True)
    (message,) = send_all(MONDAY)

    assert message.get_content_type() == "multipart/related"
    assert message["Subject"] == "Support weekly report 2026-W48"
    assert message["Auto-Submitted"] == "auto-generated"
    text = decoded(part(message, "text/plain")).decode()
    assert text.startswith("# Support Weekly Report - Week of 2026-11-23 (2026-W48)\n")
    assert "- Total tickets: 5" in text

    html = decoded(part(message, "text/html")).decode()
    assert "<h1>Support Weekly Report - Week of 2026-11-23 (2026-W48)</h1>" in html
    assert "data:image" not in html
    referenced = re.findall(r'src="cid:([^"]+)"', html)
    images = {
        p["Content-ID"].strip("<>"): p
        for p in message.walk()
        if p.get_content_maintype() == "image"
    }
    assert len(referenced) == 3
    assert set(referenced) == set(images)
    for image in images.values():
        assert image.get_content_type() == "image/png"
        assert image.get_content_disposition() == "inline"
        assert decoded(image).startswith(b"\x89PNG")
    assert 'alt="Tickets created per day, 2026-W48: Mon 23 2; Tue 24 2;' in html


def test_generating_on_the_page_stores_the_report_without_emailing(week: Week, lena: User):
    weekly_report_generate(period=week.period, now=MONDAY)
    assert not reports().exists()


def test_no_email_when_email_notifications_are_off(week: Week, lena: User):
    with override_settings(LIFEBUOY_NOTIFY_EMAIL=False):
        weekly_report_generate(period=week.period, now=MONDAY, email_leads=True)
    assert not reports().exists()
