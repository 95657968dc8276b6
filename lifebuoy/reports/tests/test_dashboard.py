"""The support lead dashboard on the hand-built week of conftest.py (2026-W48).

Acme (Standard tier): T1, T2, T3, T5, T6, all resolved in the week. Globex (Premium): T4, open
and escalated here, with its SLA clock breached, a deployment problem and an on-call engineer.
The headline tiles come from the page and from the fragment it refreshes them from.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
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
from lifebuoy.surveys.models import Survey
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import Week, at

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
    assert "≥ 95.0%" in page  # a target, from the metric rows
    assert 'http-equiv="refresh"' not in page  # the tiles refresh in place instead
    assert 'id="dashboard-tiles"' in page
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


# -- the headline tiles and the fragment that refreshes them --------------------------------------

PAGE = "/desk/reports/dashboard/"
TILES = "/desk/reports/dashboard/tiles/"
TILE_VALUE = re.compile(r'data-tile-value="(\w+)">([^<]*)<')
_tokens = itertools.count()


def tiles_of(html: str) -> dict[str, str]:
    return dict(TILE_VALUE.findall(html))


@pytest.fixture
def rated(desk: Week) -> Week:
    """Three customers rate their tickets 5, 4 and 5 in the week."""
    for name, rating in (("T1", 5), ("T2", 4), ("T5", 5)):
        ticket = desk.tickets[name]
        Survey.objects.create(
            kind="csat",
            token_hash=f"{next(_tokens):064d}",
            contact=ticket.requester,
            organization=ticket.organization,
            ticket=ticket,
            sent_at=at(25, 9),
            expires_at=at(25, 9) + timedelta(days=14),
            rating=rating,
            answered_at=at(26, 12),
        )
    return desk


@pytest.mark.parametrize("persona", ["alice", "ted", "bob", "grace"])
def test_the_tiles_refuse_customers_and_staff_below_lead_as_the_page_does(
    request: pytest.FixtureRequest, persona: str
):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    page = client.get(f"{PAGE}?period=7d")
    tiles = client.get(f"{TILES}?period=7d")
    assert page.status_code == HTTPStatus.FORBIDDEN
    assert tiles.status_code == HTTPStatus.FORBIDDEN
    assert "data-tile-value" not in tiles.content.decode()


def test_the_tiles_send_anonymous_visitors_to_sign_in_as_the_page_does(client: Client):
    page, tiles = client.get(PAGE), client.get(f"{TILES}?period=7d")
    assert page.status_code == tiles.status_code == HTTPStatus.FOUND
    assert page["Location"].startswith("/accounts/login/")
    assert tiles["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["lena", "ada"])
def test_leads_and_admins_get_the_tiles(request: pytest.FixtureRequest, persona: str, week: Week):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    response = client.get(TILES)
    assert response.status_code == HTTPStatus.OK
    assert list(tiles_of(response.content.decode())) == [
        "open",
        "breached",
        "escalations",
        "problems",
        "sla",
        "first_response",
        "csat",
        "resolved",
    ]


def test_a_lead_gets_the_tiles_with_the_numbers_of_the_week(lead: Client, rated: Week):
    response = lead.get(f"{TILES}?{W48}")
    assert response.status_code == HTTPStatus.OK
    assert "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert tiles_of(html) == {
        "open": "1",  # T4
        "breached": "1",
        "escalations": "1",
        "problems": "1",
        "sla": "75.0%",  # 3 of the 4 first responses decided in the week were in time
        "first_response": "11.0 h",  # (0.5 + 18 + 24.5 + 1) / 4
        "csat": "4.67/5",  # (5 + 4 + 5) / 3
        "resolved": "5",
    }
    assert "0 opened today" in html
    assert "0 more at risk" in html
    assert "Needs action" in html  # the breach, said in words as well as in red
    assert "target ≥ 95.0% · 4 clocks decided" in html
    assert "target &gt; 4.50/5 · 3 answers" in html
    assert "5 created · 1 open at the end" in html
    assert html.count("Target missed") == 1  # SLA attainment; CSAT meets its target
    assert html.count("Target met") == 1
    assert '<h3 class="tile-group-title">2026-11-23 to 2026-11-29</h3>' in html


def test_the_fragment_agrees_with_the_page_and_keeps_the_filters(
    lead: Client, rated: Week, acme: Organization
):
    query = f"{W48}&organization={acme.id}"
    fragment = lead.get(f"{TILES}?{query}").content.decode()
    page = lead.get(f"{PAGE}?{query}").content.decode()
    assert tiles_of(fragment) == tiles_of(page)
    assert tiles_of(fragment)["open"] == "0"  # T4 is Globex's
    assert tiles_of(fragment)["problems"] == "0"
    assert tiles_of(fragment)["resolved"] == "5"  # T6 too: created the week before
    assert "4 created · 0 open at the end" in fragment
    refresh = f'hx-get="{TILES}?{query.replace("&", "&amp;")}"'
    assert refresh in fragment  # the next refresh asks for the same filters
    assert refresh in page
    trigger = 'hx-trigger="every 30s, refresh-dashboard from:body" hx-swap="outerHTML"'
    assert trigger in fragment
    assert trigger in page


def test_the_tiles_follow_the_desk(lead: Client, desk: Week):
    assert tiles_of(lead.get(f"{TILES}?{W48}").content.decode())["open"] == "1"
    ticket_opened(desk.tickets["T1"].requester, timezone.now(), priority="P1")
    html = lead.get(f"{TILES}?{W48}").content.decode()
    assert tiles_of(html)["open"] == "2"
    assert "1 opened today" in html


def test_bad_filters_answer_400_which_htmx_does_not_swap_in(lead: Client, week: Week):
    response = lead.get(f"{TILES}?period=custom&start=2026-11-30&end=2026-11-23")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The last day cannot be before the first." in response.content.decode()


def test_the_fragment_runs_only_the_queries_of_its_figures(
    lead: Client, desk: Week, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40) as page:
        lead.get(f"{PAGE}?{W48}")
    with django_assert_max_num_queries(len(page.captured_queries) // 2):
        lead.get(f"{TILES}?{W48}")


def test_charts_stand_above_their_tables(lead: Client, desk: Week):
    page = lead.get(f"{PAGE}?{W48}").content.decode()
    alts = re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]*)"', page)
    assert [alt.split(".")[0] for alt in alts] == [
        "Open tickets by priority",
        "SLA at risk and breached",
        "Volume in the period",
        "Tickets by category",
        "First-response SLA attainment, 2026-11-23 to 2026-11-29",
    ]
    assert "P3 · Medium: Open now 1, Opened today 0" in alts[0]
    assert "P3 · Medium: At risk 0, Breached 1" in alts[1]
    assert alts[2].startswith("Volume in the period. Created: Tickets 5; Resolved: Tickets 5;")
    assert page.count("<summary>Show as table</summary>") == 5


def test_the_dashboard_says_when_the_scheduler_fell_silent(lead):
    from lifebuoy.core.heartbeats import SCHEDULER, heartbeat_record

    long_ago = timezone.now() - timedelta(minutes=20)
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=long_ago)
    heartbeat_record(name="bulk.42@worker-1", kind="worker", queues="celery", now=timezone.now())
    page = lead.get("/desk/reports/dashboard/").content.decode()
    assert "Background processes" in page
    assert "bulk.42@worker-1" in page
    assert "The scheduler is silent" in page
    rows = _rows(lead, "", "background")
    assert [row[0] for row in rows] == ["scheduler", "bulk.42@worker-1"]
    assert [row[-1] for row in rows] == ["silent", "running"]
