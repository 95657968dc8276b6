"""The support lead dashboard on the hand-built week of conftest.py (2026-W48).

Acme (Standard tier): T1, T2, T3, T5, T6, all resolved in the week. Globex (Premium): T4, open
and escalated here, with its SLA clock breached, a deployment problem and an on-call engineer.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from lifebuoy.accounts.models import Organization
from lifebuoy.escalations.models import EscalationState, Level
from lifebuoy.escalations.models.oncall import LayerMember, Schedule, ScheduleLayer
from lifebuoy.monitoring.models import Deployment, Problem, ProblemKind
from lifebuoy.reports.dashboard.export import safe_cell
from lifebuoy.reports.dashboard.forms import preset_period
from lifebuoy.sla.models import Summary, SummaryState
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import Week

pytestmark = pytest.mark.django_db

W48 = "period=custom&start=2026-11-23&end=2026-11-29"


@pytest.fixture
def desk(week: Week, grace, lena) -> Week:
    t4 = week.tickets["T4"]
    Ticket.objects.filter(id=t4.id).update(status=Status.ESCALATED, owner=lena)
    EscalationState.objects.update_or_create(
        ticket=t4, defaults={"level": Level.TIER_2, "escalated_at": timezone.now()}
    )
    Summary.objects.update_or_create(
        ticket=t4,
        defaults={
            "state": SummaryState.BREACHED,
            "next_due_at": datetime(2026, 11, 24, 8, tzinfo=UTC),
        },
    )
    schedule = Schedule.objects.create(name="Engineering")
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=timezone.now() - timedelta(days=1)
    )
    LayerMember.objects.create(layer=layer, user=grace)
    deployment = Deployment.objects.create(
        organization=t4.organization,
        name="=Globex prod",
        repository="/srv/globex.git",
        owner=week.tickets["T4"].requester,
    )
    Problem.objects.create(
        deployment=deployment,
        kind=ProblemKind.AGENT_OFFLINE,
        severity="error",
        summary="Agent c3 is offline.",
        ticket=t4,
        opened_at=timezone.now(),
    )
    return week


@pytest.fixture
def lead(lena) -> Client:
    client = Client()
    client.force_login(lena)
    return client


def _rows(client: Client, query: str, table: str) -> list[list[str]]:
    response = client.get(f"/desk/reports/dashboard/?{query}&export={table}")
    assert response.status_code == HTTPStatus.OK
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


def test_the_dashboard_shows_each_section(lead, desk: Week):
    response = lead.get(f"/desk/reports/dashboard/?{W48}")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    for title in (
        "Open tickets by priority",
        "SLA at risk and breached",
        "Escalations awaiting follow-up",
        "On call now",
        "Monitored deployments with problems",
        "Volume in the period",
        "Metrics",
    ):
        assert title in page
    assert f'<a href="/desk/tickets/{desk.tickets["T4"].id}/">#{desk.tickets["T4"].id}</a>' in page
    assert "Grace" in page
    assert "Agent offline" in page
    assert "Average handle time" in page
    assert "≥ 95.0%" in page  # a target, from the shared metric row
    assert '<meta http-equiv="refresh" content="60">' in page
    assert 'href="/desk/reports/dashboard/">Dashboard</a>' in page


def test_the_numbers_over_the_week(lead, desk: Week):
    assert _rows(lead, W48, "volume")[:3] == [
        ["Created", "5"],
        ["Resolved", "5"],
        ["Open at the end", "1"],
    ]
    assert ["P3 · Medium", "1", "0"] in _rows(lead, W48, "open")
    assert ["P3 · Medium", "0", "1"] in _rows(lead, W48, "sla")
    assert _rows(lead, W48, "escalations")[0][3] == "Tier 2"
    assert _rows(lead, W48, "oncall") == [["Engineering", "Grace"]]
    metrics = {row[0]: row for row in _rows(lead, W48, "metrics")}
    assert metrics["Resolution time P1"][1:4] == ["2.0 h", "< 4.0 h", "yes"]


@pytest.mark.parametrize(
    ("scope", "created", "open_p3", "deployments"),
    [
        ("", "5", "1", 1),
        ("&tier=2", "4", "0", 0),
        ("&tier=3", "1", "1", 1),
        ("&organization={acme}", "4", "0", 0),
        ("&organization={globex}", "1", "1", 1),
    ],
)
def test_tier_and_organization_narrow_the_numbers(
    lead, desk: Week, acme: Organization, globex: Organization, scope, created, open_p3, deployments
):
    query = W48 + scope.format(acme=acme.id, globex=globex.id)
    assert _rows(lead, query, "volume")[0] == ["Created", created]
    assert ["P3 · Medium", open_p3, "0"] in _rows(lead, query, "open")
    assert len(_rows(lead, query, "deployments")) == deployments
    assert len(_rows(lead, query, "escalations")) == int(open_p3)
    assert len(_rows(lead, query, "sla_tickets")) == int(open_p3)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("period=custom", "start", "Give the first day of the period."),
        ("period=custom&start=2026-11-23", "end", "Give the last day of the period."),
        ("start=2026-11-30&end=2026-11-23", "end", "The last day cannot be before the first."),
        ("start=2024-01-01&end=2026-11-23", "end", "A period is at most 366 days."),
        ("start=soon&end=2026-11-23", "start", "Write the first day as YYYY-MM-DD."),
        ("period=decade", "period", "Select a valid choice."),
        ("tier=9", "tier", "Select a valid choice."),
        ("tier=x", "tier", "Select a valid choice."),
        ("organization=999999", "organization", "No such organization."),
        ("organization=abc", "organization", "No such organization."),
    ],
)
def test_bad_filters_answer_400_with_the_fields_message(lead, query, field, message):
    response = lead.get(f"/desk/reports/dashboard/?{query}")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert f'data-field="{field}"' in page
    assert message in page
    export = lead.get(f"/desk/reports/dashboard/?{query}&export=open")
    assert export.status_code == HTTPStatus.BAD_REQUEST
    assert message in export.content.decode()


def test_an_unknown_table_is_a_400(lead, week):
    response = lead.get("/desk/reports/dashboard/?export=everything")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Export one of: open," in response.content.decode()


def test_only_leads_and_admins_get_the_dashboard(ted, grace, ada, alice):
    client = Client()
    for user, status in (
        (ted, HTTPStatus.FORBIDDEN),
        (grace, HTTPStatus.FORBIDDEN),
        (ada, HTTPStatus.OK),
    ):
        client.force_login(user)
        assert client.get("/desk/reports/dashboard/").status_code == status
    client.force_login(ted)
    assert "Dashboard</a>" not in client.get("/desk/").content.decode()
    client.force_login(alice)
    response = client.get("/desk/reports/dashboard/?export=open")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_csv_export_has_a_name_a_type_and_safe_cells(lead, desk: Week, globex):
    response = lead.get(
        f"/desk/reports/dashboard/?{W48}&organization={globex.id}&export=deployments"
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard_deployments_2026-11-23_2026-11-29_org-{globex.id}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Organization", "Deployment", "Problem", "Severity", "Since (UTC)", "Ticket"]
    assert rows[1][:4] == ["Globex", "'=Globex prod", "Agent offline", "error"]
    assert rows[1][5] == f"#{desk.tickets['T4'].id}"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Acme", "Acme"),
        ("a=b", "a=b"),
        (-3, -3),
    ],
)
def test_text_cells_that_look_like_formulas_are_escaped(value, written):
    assert safe_cell(value) == written


def test_presets_are_whole_utc_days():
    today = datetime(2026, 11, 25, tzinfo=UTC).date()
    assert preset_period("today", today).start == datetime(2026, 11, 25, tzinfo=UTC)
    assert preset_period("7d", today).start == datetime(2026, 11, 19, tzinfo=UTC)
    assert preset_period("30d", today).end == datetime(2026, 11, 26, tzinfo=UTC)
    quarter = preset_period("quarter", today)
    assert (quarter.start, quarter.label) == (datetime(2026, 10, 1, tzinfo=UTC), "2026-Q4 to date")


def test_the_query_count_does_not_grow_with_tickets(
    lena, desk: Week, django_assert_max_num_queries
):
    from lifebuoy.reports.dashboard.build import dashboard_build
    from lifebuoy.reports.dashboard.forms import day_period
    from lifebuoy.reports.selectors.common import EVERYTHING

    period = day_period(datetime(2026, 11, 23).date(), datetime(2026, 11, 29).date(), "W48")
    with django_assert_max_num_queries(40) as before:
        dashboard_build(user=lena, period=period, scope=EVERYTHING, now=timezone.now())
    for n in range(5):
        desk.tickets["T1"].pk = None
        desk.tickets["T1"].subject = f"copy {n}"
        desk.tickets["T1"].save()
    with django_assert_max_num_queries(len(before.captured_queries)):
        dashboard_build(user=lena, period=period, scope=EVERYTHING, now=timezone.now())


def test_the_dashboard_over_the_api_with_filters_and_field_errors(api, lena, ted, alice, now):
    ticket_opened(alice, now, subject="Hub stuck", description="It is stuck.")
    client = api(lena)
    body = client.get(f"/api/reports/dashboard?organization={alice.organization_id}").json()
    assert body["organization_id"] == alice.organization_id
    assert {"open", "metrics"} <= set(body["tables"])
    assert any(m["key"] == "csat" for m in body["metrics"])
    bad = client.get("/api/reports/dashboard?period=custom&start=2026-11-30&end=2026-11-01")
    assert bad.status_code == 422
    assert "end" in bad.json()["extra"]["fields"]
    assert api(ted).get("/api/reports/dashboard").status_code == 403
