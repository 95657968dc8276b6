"""Quarterly business reviews on a hand-built quarter (2026-Q4, 1 October to 1 January, UTC).

Globex is Premium (Enterprise plan); charlie and gina are its organization admins, glen a plain
member (reviews are for admins). Acme is Standard.

G1 P1 bug         Mon 5 Oct 10:00, ted replies 10:30 (met), resolved 12:00, confirmed 13:00
                  (resolution met: a resolution clock is decided when the fix is confirmed)
G2 P1 performance Mon 2 Nov 10:00, escalated to Engineering 11:30, ted replies 12:00 (first
                  response breached at 11:00), resolved 13:00, confirmed 3 Nov (met)
G3 P2 bug         Tue 1 Dec 04:00, escalated to Tier 2 Wed 2 Dec, still open: a risk
G4 P3 integration Sun 20 Sep (the quarter before), still open: open at the end, not counted
A1 P1 bug at Acme in the quarter: never in Globex's review

Deployment globex-prod (budget 100 a month): agent c1 online from 1 Oct, offline 2 Oct 00:00
to 12:00, online after; usage 30.00 on 10 Oct and 50.00 on 15 Dec (and 999 on 30 Sep, outside);
4 agent tasks in the quarter; an 80% budget alert on 3 Nov; one open problem, one cleared.

CSAT: G1 rated 5 and G2 rated 4 in the quarter (4.5, not above the 4.5 target); Acme's 1 is not
Globex's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from http import HTTPStatus
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.core.periods import quarter
from lifebuoy.escalations.models import Level
from lifebuoy.monitoring.models import (
    AgentStatusChange,
    AgentTask,
    BudgetAlert,
    Deployment,
    Problem,
    UsageRecord,
)
from lifebuoy.notifications.models import Delivery
from lifebuoy.notifications.services.delivery import delivery_attempt
from lifebuoy.reports import tasks
from lifebuoy.reports.qbr import qbr_build, qbr_email_send, qbr_html, qbr_markdown
from lifebuoy.surveys.models import Survey, SurveyKind
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import ticket_confirm_resolved
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import escalate, reply, resolve

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
Q4 = quarter("2026-Q4")


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Quarter:
    globex: Organization
    acme: Organization
    tickets: dict[str, Ticket]


@pytest.fixture
def gina(globex: Organization) -> User:
    return User.objects.create_user(
        "gina@globex.example",
        "pw-for-tests-1",
        role=Role.CUSTOMER,
        organization=globex,
        is_organization_admin=True,
    )


@pytest.fixture
def glen(globex: Organization) -> User:
    return User.objects.create_user(
        "glen@globex.example", "pw-for-tests-1", role=Role.CUSTOMER, organization=globex
    )


def monitoring(globex: Organization, owner: User) -> None:
    deployment = Deployment.objects.create(
        organization=globex,
        name="globex-prod",
        repository="/srv/globex.git",
        owner=owner,
        monthly_budget=Decimal(100),
    )
    for status, when in (
        ("online", at(10, 1, 0)),
        ("offline", at(10, 2, 0)),
        ("online", at(10, 2, 12)),
    ):
        AgentStatusChange.objects.create(
            deployment=deployment, agent="c1", new_status=status, at=when, recorded_at=when
        )
    for day, cost in ((date(2026, 10, 10), 30), (date(2026, 12, 15), 50), (date(2026, 9, 30), 999)):
        UsageRecord.objects.create(
            deployment=deployment,
            day=day,
            model="m",
            cost=Decimal(cost),
            source="csv",
            updated_at=at(12, 31, 0),
        )
    for n in range(4):
        AgentTask.objects.create(
            deployment=deployment, commit=f"c{n}", path="tasks/a.md", assigned_at=at(11, 1 + n, 9)
        )
    BudgetAlert.objects.create(
        deployment=deployment,
        month=date(2026, 11, 1),
        threshold=80,
        spent=Decimal("81.00"),
        created_at=at(11, 3, 8),
    )
    Problem.objects.create(
        deployment=deployment,
        kind="agent_offline",
        severity="critical",
        summary="Agent c3 has not committed for 6 hours",
        opened_at=at(12, 20, 0),
    )
    Problem.objects.create(
        deployment=deployment,
        kind="repo_over_size",
        severity="warning",
        summary="Repository over 1 GB",
        opened_at=at(10, 20, 0),
        cleared_at=at(10, 21, 0),
    )


@pytest.fixture
def q4(globex, acme, alice, charlie, gina, ted) -> Quarter:
    g1 = ticket_opened(charlie, at(10, 5, 10), priority="P1", category="bug", channel="email")
    reply(g1, ted, at(10, 5, 10, 30))
    resolve(g1, ted, at(10, 5, 12))
    ticket_confirm_resolved(ticket=g1, actor=charlie, now=at(10, 5, 13))

    g2 = ticket_opened(gina, at(11, 2, 10), priority="P1", category="performance", channel="portal")
    escalate(g2, Level.TIER_2, Level.ENGINEERING, at(11, 2, 11, 30))
    reply(g2, ted, at(11, 2, 12))
    resolve(g2, ted, at(11, 2, 13))
    ticket_confirm_resolved(ticket=g2, actor=gina, now=at(11, 3, 9))

    g3 = ticket_opened(charlie, at(12, 1, 4), subject="P2 bug", priority="P2", category="bug")
    escalate(g3, Level.COMMUNITY, Level.TIER_2, at(12, 2, 4))

    g4 = ticket_opened(
        charlie, at(9, 20, 10), priority="P3", category="integration", channel="portal"
    )
    a1 = ticket_opened(alice, at(10, 6, 10), priority="P1", category="bug", channel="email")
    monitoring(globex, charlie)
    for ticket, rating, answered in (
        (g1, 5, at(10, 6, 9)),
        (g2, 4, at(11, 4, 9)),
        (a1, 1, at(10, 7, 9)),
    ):
        Survey.objects.create(
            kind=SurveyKind.CSAT,
            token_hash=f"hash-{ticket.id}",
            contact=ticket.requester,
            organization=ticket.organization,
            ticket=ticket,
            sent_at=answered,
            expires_at=answered,
            rating=rating,
            answered_at=answered,
        )
    return Quarter(globex, acme, {"G1": g1, "G2": g2, "G3": g3, "G4": g4, "A1": a1})


def test_the_review_has_the_known_numbers(q4: Quarter):
    review = qbr_build(organization=q4.globex, period=Q4, now=NOW)

    t = review.tickets
    assert (t["created"], t["resolved"], t["open"]) == (3, 2, 2)
    assert [(r["key"], r["count"]) for r in t["by_category"]] == [("bug", 2), ("performance", 1)]
    assert [(r["key"], r["count"]) for r in t["by_priority"]] == [
        ("P1", 2),
        ("P2", 1),
        ("P3", 0),
        ("P4", 0),
    ]

    assert (review.sla.first_response.value, review.sla.first_response.count) == (0.5, 2)
    assert review.sla.first_response.met is False
    assert (review.sla.resolution.value, review.sla.resolution.count) == (1.0, 2)
    p1 = review.sla.by_priority[0]
    assert (p1[0], p1[1].value, p1[2].value) == ("P1", 0.5, 1.0)
    assert review.sla.by_priority[1][1].value is None  # G3's clock is still running

    assert review.escalations == {"total": 2, "engineering": 1, "product": 0}
    assert review.escalation_rate.value == pytest.approx(2 / 3)
    assert (review.csat.value, review.csat.count, review.csat.met) == (4.5, 2, False)

    (deployment,) = review.deployments
    (uptime,) = deployment.uptime
    assert (uptime.online_seconds, uptime.monitored_seconds) == (2196 * 3600, 2208 * 3600)
    assert (deployment.cost, deployment.tasks) == (Decimal(80), 4)
    assert (deployment.budget, deployment.budget_used_percent) == (Decimal(300), Decimal("26.7"))
    assert deployment.budget_alerts == 1

    risks = review.risks
    assert [x.number for x in risks.urgent_tickets] == [q4.tickets["G3"].number]
    assert risks.breached_tickets == []
    assert [p.summary for p in risks.problems] == ["Agent c3 has not committed for 6 hours"]
    assert [a.threshold for a in risks.budget_alerts] == [80]


def test_markdown_export_states_the_numbers(q4: Quarter):
    text = qbr_markdown(qbr_build(organization=q4.globex, period=Q4, now=NOW))
    assert text.startswith("# Quarterly Business Review - Globex, 2026-Q4\n")
    assert "Period: 2026-10-01 to 2026-12-31 (UTC)" in text
    assert "- Created: 3\n- Resolved: 2\n- Open at the end of the quarter: 2\n" in text
    assert "| Bug | 2 |\n| Performance | 1 |\n" in text
    assert "| P1 | 2 |\n| P2 | 1 |\n| P3 | 0 |\n| P4 | 0 |\n" in text
    assert "- First response: 50.0% (target ≥ 95.0%: missed, 2 decided)" in text
    assert "- Resolution: 100.0% (target ≥ 95.0%: met, 2 decided)" in text
    assert "- Tickets escalated: 2 (to Engineering: 1, to Product: 0)" in text
    assert "- CSAT: 4.50/5 (target > 4.50/5: missed, 2 answers)" in text
    assert "- Escalation rate: 66.7% (target < 10.0%: missed, 3 tickets created)" in text
    assert "- Agent c1 uptime: 99.46% (target 99.9%)" in text
    assert "- Cost: 80.00 of a 300.00 budget (26.7%); 4 agent tasks, 20.0000 per task" in text
    assert f"- P2 {q4.tickets['G3'].number} open: P2 bug" in text
    assert "- globex-prod crossed 80% of its monthly budget in November 2026 (81.00 spent)" in text
    assert "Acme" not in text


def test_html_export_is_a_document_with_the_same_numbers(q4: Quarter):
    html = qbr_html(qbr_build(organization=q4.globex, period=Q4, now=NOW))
    assert html.startswith("<!doctype html>")
    assert "<h1>Quarterly Business Review - Globex, 2026-Q4</h1>" in html
    assert "<li>Created: 3</li>" in html
    assert "<td>Bug</td><td>2</td>" in html
    assert "First response: 50.0% (target ≥ 95.0%: missed, 2 decided)" in html
    assert "Agent c1 uptime: 99.46% (target 99.9%)" in html


def test_an_empty_quarter_says_so(globex: Organization):
    text = qbr_markdown(qbr_build(organization=globex, period=quarter("2026-Q1"), now=NOW))
    assert "- Created: 0" in text
    assert "- First response: no data (target ≥ 95.0%: not judged)" in text
    assert "- CSAT: no data (target > 4.50/5: not judged)" in text
    assert "- No monitored deployments." in text
    assert "## Open risks\n- None.\n" in text


# -- email ----------------------------------------------------------------------------------------


def qbr_deliveries():
    return Delivery.objects.filter(idempotency_key__startswith="email:qbr:")


def test_each_contact_is_emailed_once_per_quarter(q4: Quarter, charlie, gina):
    assert qbr_email_send(organization=q4.globex, period=Q4, now=NOW) == 2
    assert qbr_email_send(organization=q4.globex, period=Q4, now=NOW) == 0
    assert sorted(qbr_deliveries().values_list("target", flat=True)) == [
        "charlie@globex.example",
        "gina@globex.example",
    ]
    assert {d.idempotency_key for d in qbr_deliveries()} == {
        f"email:qbr:{q4.globex.id}:2026-Q4:{u.id}" for u in (charlie, gina)
    }
    mail.outbox.clear()
    for delivery in qbr_deliveries():
        assert delivery_attempt(delivery_id=delivery.id, now=NOW).outcome == "sent"
    message = mail.outbox[0]
    assert message.subject == "Quarterly Business Review - Globex, 2026-Q4"
    assert "- Created: 3" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    assert "<li>Created: 3</li>" in str(message.alternatives[0][0])
    assert "/portal/reports/qbr/globex/?quarter=2026-Q4" in message.body


def test_plain_members_and_admins_who_turned_it_off_are_not_emailed(q4: Quarter, gina, glen):
    gina.email_business_reviews = False
    gina.save(update_fields=["email_business_reviews"])
    assert qbr_email_send(organization=q4.globex, period=Q4, now=NOW) == 1
    assert list(qbr_deliveries().values_list("target", flat=True)) == ["charlie@globex.example"]


def test_the_beat_task_sends_last_quarters_review_to_eligible_organizations_only(q4: Quarter):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        assert tasks.qbr_quarter_start_send() == 2
        assert tasks.qbr_quarter_start_send() == 0
    targets = set(qbr_deliveries().values_list("target", flat=True))
    assert targets == {"charlie@globex.example", "gina@globex.example"}


def test_a_standard_organization_gets_no_review_by_email(q4: Quarter):
    from lifebuoy.core.errors import InvalidState

    with pytest.raises(InvalidState, match="Premium and Managed Services"):
        qbr_email_send(organization=q4.acme, period=Q4, now=NOW)
    assert not qbr_deliveries().exists()


# -- pages --------------------------------------------------------------------------------------


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_the_desk_page_and_download_both_formats(q4: Quarter, ted):
    client = client_for(ted)
    page = client.get("/desk/reports/qbr/globex/?quarter=2026-Q4")
    assert page.status_code == HTTPStatus.OK
    assert "<li>Created: 3</li>" in page.content.decode()
    assert "Email this review" not in page.content.decode()  # agents cannot send it

    md = client.get("/desk/reports/qbr/globex/?quarter=2026-Q4&format=markdown")
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    assert md["Content-Disposition"] == 'attachment; filename="qbr-globex-2026-Q4.md"'
    assert md.content.decode().startswith("# Quarterly Business Review - Globex, 2026-Q4")

    html = client.get("/desk/reports/qbr/globex/?quarter=2026-Q4&format=html")
    assert html["Content-Disposition"] == 'attachment; filename="qbr-globex-2026-Q4.html"'
    assert html.content.decode().startswith("<!doctype html>")


def test_the_desk_index_lists_premium_and_managed_organizations(q4: Quarter, ted):
    body = client_for(ted).get("/desk/reports/qbr/").content.decode()
    assert "Globex" in body
    assert "Acme" not in body


def test_a_lead_emails_the_review_with_the_button(q4: Quarter, lena):
    client = client_for(lena)
    assert "Email this review" in client.get("/desk/reports/qbr/globex/").content.decode()
    response = client.post("/desk/reports/qbr/globex/send/", {"quarter": "2026-Q4"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/desk/reports/qbr/globex/?quarter=2026-Q4"
    assert qbr_deliveries().count() == 2
    client.post("/desk/reports/qbr/globex/send/", {"quarter": "2026-Q4"})
    assert qbr_deliveries().count() == 2


def test_agents_cannot_send_and_a_bad_quarter_is_refused(q4: Quarter, ted, lena):
    response = client_for(ted).post("/desk/reports/qbr/globex/send/", {"quarter": "2026-Q4"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = client_for(lena).post("/desk/reports/qbr/globex/send/", {"quarter": "next"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not qbr_deliveries().exists()


def test_a_standard_organizations_desk_page_explains_reviews_are_for_premium(q4: Quarter, ted):
    response = client_for(ted).get("/desk/reports/qbr/acme/?quarter=2026-Q4")
    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "part of Premium and Managed Services support" in body
    assert "Created:" not in body


@pytest.mark.parametrize(
    ("quarter_text", "message"),
    [
        ("2026-Q5", "A year has quarters Q1 to Q4, not Q5"),
        ("Q4-2026", "is not a quarter; write it like 2026-Q4"),
        ("1999-Q1", "1999 is out of range"),
    ],
)
def test_a_bad_quarter_is_a_400_with_a_message(q4: Quarter, ted, charlie, quarter_text, message):
    for client, url in (
        (client_for(ted), "/desk/reports/qbr/globex/"),
        (client_for(charlie), "/portal/reports/qbr/globex/"),
    ):
        response = client.get(url, {"quarter": quarter_text, "format": "markdown"})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert message in response.content.decode()


def test_an_unknown_format_is_a_400(q4: Quarter, ted):
    response = client_for(ted).get("/desk/reports/qbr/globex/?quarter=2026-Q4&format=pdf")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "use markdown or html" in response.content.decode()


# -- isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [
        # Globex's own customers see their review, in both formats.
        ("charlie", "/portal/reports/qbr/globex/?quarter=2026-Q4", HTTPStatus.OK),
        ("charlie", "/portal/reports/qbr/globex/?quarter=2026-Q4&format=html", HTTPStatus.OK),
        ("gina", "/portal/reports/qbr/globex/?quarter=2026-Q4&format=markdown", HTTPStatus.OK),
        ("charlie", "/portal/reports/qbr/", HTTPStatus.FOUND),
        # A plain member of Globex: reviews are for its admins.
        ("glen", "/portal/reports/qbr/globex/?quarter=2026-Q4", HTTPStatus.NOT_FOUND),
        ("glen", "/portal/reports/qbr/", HTTPStatus.NOT_FOUND),
        # Another organization's customer: the same 404 as an organization that does not exist.
        ("alice", "/portal/reports/qbr/globex/?quarter=2026-Q4", HTTPStatus.NOT_FOUND),
        ("alice", "/portal/reports/qbr/globex/?format=markdown", HTTPStatus.NOT_FOUND),
        ("alice", "/portal/reports/qbr/nobody/", HTTPStatus.NOT_FOUND),
        ("charlie", "/portal/reports/qbr/acme/", HTTPStatus.NOT_FOUND),
        # A Standard organization has no reviews: its own customers get a 404 in the portal.
        ("alice", "/portal/reports/qbr/acme/", HTTPStatus.NOT_FOUND),
        ("alice", "/portal/reports/qbr/", HTTPStatus.NOT_FOUND),
        # Customers never reach the desk; staff use the desk, not the portal.
        ("charlie", "/desk/reports/qbr/globex/", HTTPStatus.FORBIDDEN),
        ("charlie", "/desk/reports/qbr/globex/?format=markdown", HTTPStatus.FORBIDDEN),
        ("charlie", "/desk/reports/qbr/", HTTPStatus.FORBIDDEN),
        ("ted", "/portal/reports/qbr/globex/", HTTPStatus.FORBIDDEN),
        ("ted", "/desk/reports/qbr/nobody/", HTTPStatus.NOT_FOUND),
    ],
)
def test_isolation_matrix(q4: Quarter, request, persona, url, status):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(url)
    assert response.status_code == status
    if status != HTTPStatus.OK:
        assert b"Created: 3" not in response.content


def test_the_portal_page_shows_the_review_without_the_send_button(q4: Quarter, charlie):
    body = client_for(charlie).get("/portal/reports/qbr/globex/?quarter=2026-Q4").content.decode()
    assert "<li>Created: 3</li>" in body
    assert "Email this review" not in body
    assert "Acme" not in body


def test_signed_out_visitors_are_sent_to_sign_in(q4: Quarter):
    response = Client().get("/portal/reports/qbr/globex/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


# -- command line -----------------------------------------------------------------------------


def test_cli_prints_the_review_in_either_format(q4: Quarter):
    from typer.testing import CliRunner

    from lifebuoy.cli.app import build

    args = ["report", "qbr", "--organization", "globex", "--quarter", "2026-Q4"]
    result = CliRunner().invoke(build(), args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Quarterly Business Review - Globex, 2026-Q4\n")
    assert "- Created: 3\n" in result.output
    result = CliRunner().invoke(build(), [*args, "--format", "html"])
    assert result.output.startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--organization", "globex", "--quarter", "2026-Q9"], 2, "not Q9"),
        (["--organization", "globex", "--format", "pdf"], 2, "use markdown or html"),
        (["--organization", "nobody"], 1, "No organization has the slug “nobody”."),
        (["--organization", "acme"], 1, "Acme is on Standard support"),
    ],
)
def test_cli_errors_are_one_sentence(q4: Quarter, args, code, message):
    from typer.testing import CliRunner

    from lifebuoy.cli.app import build

    result = CliRunner().invoke(build(), ["report", "qbr", *args])
    assert result.exit_code == code
    assert message in result.output
    assert result.output.strip().count("\n") == 0
