"""``lifebuoy report weekly`` and the desk page /desk/reports/weekly/."""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from typer.testing import CliRunner

from lifebuoy.cli.app import build

from .conftest import Week

pytestmark = pytest.mark.django_db


def test_cli_prints_the_markdown_report(week: Week):
    result = CliRunner().invoke(build(), ["report", "weekly", "--week", "2026-W48"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Support Weekly Report - Week of 2026-11-23 (2026-W48)\n")
    assert "- Total tickets: 5\n" in result.output


def test_cli_json(week: Week):
    result = CliRunner().invoke(
        build(), ["report", "weekly", "--week", "2026-W48", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["total"] == 5
    assert data["top_issues"][0]["key"] == "bug"


@pytest.mark.parametrize(
    "args",
    [
        ["--week", "2026-48"],
        ["--week", "2026-W60"],
        ["--week", "2026-W48", "--format", "pdf"],
    ],
)
def test_cli_usage_errors_exit_2_with_one_sentence(args):
    result = CliRunner().invoke(build(), ["report", "weekly", *args])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert result.output.strip().endswith(".")


def test_leads_see_the_page(week: Week, lena):
    client = Client()
    client.force_login(lena)
    response = client.get("/desk/reports/weekly/?week=2026-W48")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Total tickets: 5" in body
    assert "Bug - 3 tickets" in body
    assert "To Engineering: 1" in body
    assert 'href="/desk/reports/weekly/">Weekly report</a>' in body
    markdown = client.get("/desk/reports/weekly/?week=2026-W48&format=markdown")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert markdown.content.decode().startswith("# Support Weekly Report")


def test_a_bad_week_on_the_page_says_so(lena):
    client = Client()
    client.force_login(lena)
    response = client.get("/desk/reports/weekly/?week=soon")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "is not an ISO week" in response.content.decode()


def test_agents_and_customers_do_not_see_the_page(ted, alice):
    client = Client()
    client.force_login(ted)
    assert client.get("/desk/reports/weekly/").status_code == HTTPStatus.FORBIDDEN
    assert "Weekly report</a>" not in client.get("/desk/").content.decode()
    client.force_login(alice)
    assert client.get("/desk/reports/weekly/").status_code == HTTPStatus.FORBIDDEN


def test_api_gives_leads_the_report_as_json(week: Week, lena, ted, api):
    response = api(lena).get("/api/reports/weekly?week=2026-W48")
    assert response.status_code == HTTPStatus.OK, response.content
    data = response.json()
    assert data["summary"]["total"] == 5
    assert data["markdown"].startswith("# Support Weekly Report - Week of 2026-11-23")
    bad = api(lena).get("/api/reports/weekly?week=next")
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "week" in str(bad.json()["extra"])
    assert api(ted).get("/api/reports/weekly").status_code == HTTPStatus.FORBIDDEN


def test_cli_says_so_when_the_database_is_not_ready(monkeypatch):
    from django.db import OperationalError

    def broken(**kwargs):
        raise OperationalError("no such table: sla_clock")

    monkeypatch.setattr("lifebuoy.reports.weekly.weekly_report_build", broken)
    result = CliRunner().invoke(build(), ["report", "weekly", "--week", "2026-W48"])
    assert result.exit_code == 1
    assert "lifebuoy setup" in result.output


def test_leads_store_a_report_from_the_page(week: Week, lena, ted):
    from lifebuoy.reports.models import WeeklyReport

    client = Client()
    client.force_login(lena)
    response = client.post("/desk/reports/weekly/generate/", {"week": "2026-W48"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/desk/reports/weekly/?week=2026-W48"
    assert WeeklyReport.objects.get().data["summary"]["total"] == 5
    assert "Stored " in client.get(response["Location"]).content.decode()
    bad = client.post("/desk/reports/weekly/generate/", {"week": "later"}, follow=True)
    assert "is not an ISO week" in bad.content.decode()
    client.force_login(ted)
    forbidden = client.post("/desk/reports/weekly/generate/", {"week": "2026-W48"})
    assert forbidden.status_code == HTTPStatus.FORBIDDEN


def _report_part(body: str) -> str:
    """The page from the summary on (the header line about storing differs)."""
    return body[body.index("<h2>Summary</h2>") :]


def test_a_stored_week_is_shown_as_stored_without_counting_or_drawing_again(
    week: Week, lena, alice, monkeypatch
):
    from lifebuoy.reports.models import WeeklyReport
    from lifebuoy.tickets.tests.factories import ticket_opened

    client = Client()
    client.force_login(lena)
    url = "/desk/reports/weekly/?week=2026-W48"
    live = client.get(url).content.decode()
    assert "Not stored yet" in live
    client.post("/desk/reports/weekly/generate/", {"week": "2026-W48"})
    assert len(WeeklyReport.objects.get().charts) == 3

    # A late ticket in that week changes nothing on the stored report's page, which neither
    # counts tickets nor draws a chart again.
    ticket_opened(alice, week.period.start + timedelta(days=2), subject="Late")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a stored week was built or drawn again")

    monkeypatch.setattr("lifebuoy.reports.views.weekly_report_build", refuse)
    monkeypatch.setattr("lifebuoy.reports.views.weekly_charts", refuse)
    stored = client.get(url).content.decode()
    assert "the figures below are as they were then" in stored
    assert _report_part(stored) == _report_part(live)
    markdown = client.get(url + "&format=markdown").content.decode()
    assert "- Total tickets: 5\n" in markdown

    monkeypatch.undo()
    client.post("/desk/reports/weekly/generate/", {"week": "2026-W48"})
    again = client.get(url + "&format=markdown").content.decode()
    assert "- Total tickets: 6\n" in again
