"""The weekly report: its sections, the stored copy, the Monday task, and a fixed query count."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.core.periods import iso_week
from lifebuoy.kb.models import Article
from lifebuoy.kb.services import kb_article_create
from lifebuoy.kb.template import ArticleDraft
from lifebuoy.monitoring.models import BudgetAlert, Deployment
from lifebuoy.reports.models import WeeklyReport
from lifebuoy.reports.services import weekly_report_generate
from lifebuoy.reports.tasks import weekly_report_generate as weekly_task
from lifebuoy.reports.weekly import weekly_report_build, weekly_report_markdown
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import Week, at, reply, resolve

pytestmark = pytest.mark.django_db

EXPECTED_MARKDOWN_HEAD = """\
# Support Weekly Report - Week of 2026-11-23 (2026-W48)

## Summary
- Total tickets: 5
- Resolved: 5 (100%)
- Open: 1
- Average response time: 11.0 hours
- CSAT: no data

## Top Issues
1. Bug - 3 tickets
2. Performance - 2 tickets

## Escalations
- Total escalated: 2
- To Engineering: 1
- To Product: 1

## Action Items
"""


def test_markdown_follows_the_playbook_template(week: Week):
    report = weekly_report_build(period=week.period)
    markdown = weekly_report_markdown(report)
    assert markdown.startswith(EXPECTED_MARKDOWN_HEAD)
    actions = markdown.split("## Action Items\n")[1].split("\n## Wins")[0]
    assert "- SLA first response, Standard is below target: 75.0% (≥ 95.0%)." in actions
    assert "- SLA first response, P2 is below target: 50.0% (≥ 95.0%)." in actions
    assert "- Resolution time P2 misses its target: 34.5 h (< 24.0 h)." in actions
    assert "- Reopen rate misses its target: 25.0% (< 5.0%)." in actions
    assert "- Escalation rate misses its target: 40.0% (< 10.0%)." in actions
    assert "- First contact resolution misses its target: 60.0% (> 70.0%)." in actions
    assert "up sharply" not in actions  # bug went from 1 to 3: under the 5-ticket floor
    wins = markdown.split("## Wins\n")[1]
    assert wins.splitlines() == [
        "- Resolution time P1 on target: 2.0 h (< 4.0 h).",
        "- Resolution time P3 on target: 2.0 h (< 48.0 h).",
        "- Resolution time P4 on target: 72.0 h (< 168.0 h).",
    ]


def test_a_category_up_sharply_is_an_action_item(alice, ted):
    ticket_opened(alice, at(18, 9), priority="P3", category="git_conflicts", channel="portal")
    for hour in range(9, 14):
        ticket_opened(
            alice, at(24, hour), priority="P3", category="git_conflicts", channel="portal"
        )
    report = weekly_report_build(period=iso_week("2026-W48"))
    assert report.action_items[0] == (
        "Git conflicts is up sharply: 5 tickets this week, 1 the week before."
    )
    assert report.top_issues == [
        {"key": "git_conflicts", "label": "Git conflicts", "count": 5, "previous": 1}
    ]


def test_review_and_budget_signals_are_action_items(alice, ted):
    article = kb_article_create(
        actor=ted, draft=_draft("Agents stop answering"), state="published", now=at(1, 9)
    )
    Article.objects.filter(id=article.id).update(view_count=42)
    deployment = Deployment.objects.create(
        organization=alice.organization, name="Acme trinity", repository="/srv/acme", owner=alice
    )
    BudgetAlert.objects.create(
        deployment=deployment, month=date(2026, 11, 1), threshold=80, spent=Decimal("800.00"),
        created_at=at(25, 12),
    )  # fmt: skip
    BudgetAlert.objects.create(
        deployment=deployment, month=date(2026, 11, 1), threshold=50, spent=Decimal("500.00"),
        created_at=at(12, 12),
    )  # fmt: skip
    items = weekly_report_build(period=iso_week("2026-W48")).action_items
    assert items == [
        f"{article.article_id} “Agents stop answering” (42 views, the most read) "
        "is due for review.",
        "Acme / Acme trinity crossed 80% of its monthly budget (800.00 spent).",
    ]


def _draft(title: str) -> ArticleDraft:
    return ArticleDraft(
        title=title,
        issue="Agents stop answering after an upgrade.",
        affected_versions=["1.0"],
        severity="Medium",
        symptoms=["No replies"],
        root_cause="A stale lock.",
        solution="1. Remove the lock.\n2. Restart.",
        prevention="Upgrade with the agents stopped.",
        visibility="customer",
    )


def test_an_empty_week_reads_sensibly(db):
    markdown = weekly_report_markdown(weekly_report_build(period=iso_week("2026-W10")))
    assert "- Resolved: 0\n" in markdown
    assert "- Average response time: no data" in markdown
    assert "1. " not in markdown
    assert "- No tickets this week." in markdown


def test_generate_stores_one_report_per_week(week: Week):
    first = weekly_report_generate(period=week.period, now=at(30, 6))
    again = weekly_report_generate(period=week.period, now=at(30, 7))
    assert first.id == again.id
    stored = WeeklyReport.objects.get()
    assert stored.generated_at == at(30, 7)
    assert stored.data["summary"]["total"] == 5
    assert stored.markdown.startswith("# Support Weekly Report - Week of 2026-11-23")


def test_the_monday_task_reports_the_week_that_ended(week: Week, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 11, 30, 6, tzinfo=UTC))
    assert weekly_task.name == "lifebuoy.reports.weekly_report_generate"
    assert weekly_task() == "2026-W48"
    assert WeeklyReport.objects.get().data["escalations"] == {
        "total": 2,
        "engineering": 1,
        "product": 1,
    }


def test_json_is_serializable(week: Week):
    data = json.loads(json.dumps(weekly_report_build(period=week.period).as_dict(), default=str))
    assert data["week"] == "2026-W48"
    assert {m["key"]: m["met"] for m in data["metrics"]}["csat"] is None


def _history(alice, ted, n: int) -> None:
    for i in range(n):
        priority = ("P1", "P2", "P3", "P4")[i % 4]
        ticket = ticket_opened(alice, at(24, 9), priority=priority, category="bug")
        reply(ticket, ted, at(24, 10))
        resolve(ticket, ted, at(24, 11))


def test_the_report_query_count_does_not_grow_with_tickets(
    alice, ted, django_assert_max_num_queries
):
    period = iso_week("2026-W48")
    _history(alice, ted, 2)
    with CaptureQueriesContext(connection) as few:
        weekly_report_markdown(weekly_report_build(period=period))
    _history(alice, ted, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        report = weekly_report_build(period=period)
    assert report.summary["total"] == 14
    assert len(few.captured_queries) <= 25


def test_the_scheduler_runs_the_task_on_monday_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report"]
    assert entry["task"] == weekly_task.name
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1}  # crontab counts Sunday as 0
    assert (schedule.hour, schedule.minute) == ({6}, {0})
    assert (weekly_task.time_limit, weekly_task.soft_time_limit) == (600, 540)


def test_survey_answers_fill_csat_and_praise_becomes_a_win(week: Week, alice):
    from lifebuoy.surveys.models import Survey

    def answer(ticket, rating, comment):
        Survey.objects.create(
            kind="csat",
            token_hash=f"{ticket.id:064d}",
            contact=alice,
            organization=alice.organization,
            ticket=ticket,
            sent_at=at(27, 9),
            expires_at=at(27, 9) + (week.period.end - week.period.start) * 3,
            rating=rating,
            comment=comment,
            answered_at=at(28, 9),
        )

    answer(week.tickets["T1"], 5, "Fixed **fast**, thank you!")
    answer(week.tickets["T3"], 4, "")
    report = weekly_report_build(period=week.period)
    markdown = weekly_report_markdown(report)
    assert "- CSAT: 4.50/5" in markdown
    praise = f"Praise on #{week.tickets['T1'].id} (Acme): “Fixed **fast**, thank you!”"
    assert praise in report.wins
    assert praise in markdown
