"""The ticket page asks once which panels have rows, and skips the reads of the empty ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.desk.panel_rows import PanelRows, panel_rows
from lifebuoy.desk.views import tickets as tickets_views
from lifebuoy.escalations.models import EscalationPolicy, EscalationState, Firing, Page, Rule
from lifebuoy.integrations.slack.models import SlackChannel, SlackThread
from lifebuoy.kb.models import Article, State, TicketArticleLink
from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create
from lifebuoy.notifications.models import Delivery, DeliveryKind, TicketCc, TicketFollower
from lifebuoy.surveys.models import Survey, SurveyKind
from lifebuoy.tickets.models import Attachment, Tag, Ticket
from lifebuoy.tickets.tests.factories import MessageFactory, TicketFactory
from lifebuoy.timetracking.models import EntryKind, TimeEntry

pytestmark = pytest.mark.django_db

Row = Callable[[Ticket, User, User], object]


def _tag(ticket: Ticket, staff: User, customer: User) -> None:
    ticket.tags.add(Tag.objects.create(name="agent-offline"))


def _follow_up(ticket: Ticket, staff: User, customer: User) -> None:
    TicketFactory(organization=ticket.organization, requester=customer, follow_up_of=ticket)


def _follower(ticket: Ticket, staff: User, customer: User) -> None:
    TicketFollower.objects.create(ticket=ticket, user=staff, created_at=timezone.now())


def _cc(ticket: Ticket, staff: User, customer: User) -> None:
    TicketCc.objects.create(ticket=ticket, user=customer, created_at=timezone.now())


def _slack_thread(ticket: Ticket, staff: User, customer: User) -> None:
    channel = SlackChannel.objects.create(
        channel_id="C0PANEL", organization=ticket.organization, created_at=timezone.now()
    )
    SlackThread.objects.create(
        channel=channel, thread_ts="1.2", ticket=ticket, created_at=timezone.now()
    )


def _escalation_state(ticket: Ticket, staff: User, customer: User) -> None:
    EscalationState.objects.create(ticket=ticket, level=3)


def _suggestion(ticket: Ticket, staff: User, customer: User) -> None:
    rule = Rule.objects.create(key="p1", name="P1", target_level=3, condition="priority")
    Firing.objects.create(
        rule=rule, ticket=ticket, outcome="suggested", reason="P1", fired_at=timezone.now()
    )


def _page(ticket: Ticket, staff: User, customer: User) -> None:
    policy = EscalationPolicy.objects.create(name="P1 24/7", covered_tiers=[3, 4])
    Page.objects.create(ticket=ticket, policy=policy, created_at=timezone.now())


def _time_entry(ticket: Ticket, staff: User, customer: User) -> None:
    now = timezone.now()
    TimeEntry.objects.create(
        ticket=ticket, agent=staff, kind=EntryKind.MANUAL, seconds=600, worked_on=now.date(),
        created_at=now,
    )  # fmt: skip


def _running_timer_elsewhere(ticket: Ticket, staff: User, customer: User) -> None:
    """The viewer's timer on another ticket shows in this ticket's panel too."""
    other = TicketFactory(organization=ticket.organization, requester=customer)
    now = timezone.now()
    TimeEntry.objects.create(
        ticket=other, agent=staff, kind=EntryKind.TIMER, started_at=now, worked_on=now.date(),
        created_at=now,
    )  # fmt: skip


def _kb_link(ticket: Ticket, staff: User, customer: User) -> None:
    article = Article.objects.create(
        number=99001, title="Agent offline", issue="i", root_cause="r", solution="s",
        prevention="p", state=State.PUBLISHED, created_at=timezone.now(),
    )  # fmt: skip
    TicketArticleLink.objects.create(ticket=ticket, article=article, created_at=timezone.now())


def _delivery(ticket: Ticket, staff: User, customer: User) -> None:
    now = timezone.now()
    Delivery.objects.create(
        kind=DeliveryKind.EMAIL, idempotency_key="panel-rows", target=customer.email,
        ticket=ticket, next_attempt_at=now, created_at=now,
    )  # fmt: skip


def _deployment(ticket: Ticket, staff: User, customer: User) -> None:
    """The organization's monitored deployment shows on all its tickets' requester panels."""
    data = NewDeployment(
        name="Acme trinity", repository="https://git.example/a.git", owner=customer
    )
    deployment_create(
        organization=ticket.organization, data=data, consent=False, now=timezone.now()
    )


def _attachment(ticket: Ticket, staff: User, customer: User) -> None:
    message = MessageFactory(ticket=ticket, author=customer, body="The log, attached.")
    Attachment.objects.create(
        message=message, file="attachments/c2.log", filename="c2.log",
        content_type="text/plain", size=12,
    )  # fmt: skip


def _survey(ticket: Ticket, staff: User, customer: User) -> None:
    now = timezone.now()
    Survey.objects.create(
        kind=SurveyKind.CSAT, token_hash="f" * 64, contact=customer,
        organization=ticket.organization, ticket=ticket, sent_at=now,
        expires_at=now + timedelta(days=7),
    )  # fmt: skip


CASES: list[tuple[str, Row]] = [
    ("tags", _tag),
    ("follow_ups", _follow_up),
    ("followers", _follower),
    ("ccs", _cc),
    ("slack_thread", _slack_thread),
    ("escalation", _escalation_state),
    ("escalation", _suggestion),
    ("escalation", _page),
    ("time", _time_entry),
    ("time", _running_timer_elsewhere),
    ("kb_links", _kb_link),
    ("deliveries", _delivery),
    ("survey", _survey),
    ("deployments", _deployment),
    ("attachments", _attachment),
]


def test_a_bare_ticket_has_no_panel_rows(alice: User, bob: User) -> None:
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    assert not any(
        asdict(
            panel_rows(
                ticket_id=ticket.id, viewer_id=bob.id, organization_id=ticket.organization_id
            )
        ).values()
    )


@pytest.mark.parametrize(("panel", "make_row"), CASES, ids=[f.__name__[1:] for _, f in CASES])
def test_a_row_shows_in_its_own_panel_only(
    panel: str, make_row: Row, alice: User, bob: User, ted: User
) -> None:
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    make_row(ticket, bob, alice)
    seen = asdict(
        panel_rows(ticket_id=ticket.id, viewer_id=bob.id, organization_id=ticket.organization_id)
    )
    assert [name for name, present in seen.items() if present] == [panel]
    other = TicketFactory(organization=alice.organization, requester=alice)
    # Another ticket of the same people has none of it (a running timer follows its agent, a
    # deployment belongs to the organization).
    mine = asdict(
        panel_rows(ticket_id=other.id, viewer_id=bob.id, organization_id=other.organization_id)
    )[panel]
    assert mine is (make_row in (_running_timer_elsewhere, _deployment))
    theirs = asdict(
        panel_rows(ticket_id=other.id, viewer_id=ted.id, organization_id=other.organization_id)
    )[panel]
    assert theirs is (make_row is _deployment)
    elsewhere = TicketFactory()  # another organization's
    assert not asdict(
        panel_rows(
            ticket_id=elsewhere.id, viewer_id=ted.id, organization_id=elsewhere.organization_id
        )
    )[panel]


def _page_both_ways(client: Client, ticket: Ticket, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The page as rendered with the probe, and with every panel told it has rows."""
    pages = []
    everything = PanelRows(*(True for _ in fields(PanelRows)))
    for probed in (True, False):
        with monkeypatch.context() as patch:
            if not probed:
                patch.setattr(tickets_views, "panel_rows", lambda **_: everything)
            html = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html))
    return pages


@pytest.mark.parametrize("filled", [False, True], ids=["bare ticket", "every panel filled"])
def test_the_page_shows_the_same_with_or_without_the_probe(
    filled: bool, client: Client, alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    if filled:
        for _, make_row in CASES:
            make_row(ticket, bob, alice)
    client.force_login(bob)
    with time_machine.travel(timezone.now(), tick=False):
        probed, unprobed = _page_both_ways(client, ticket, monkeypatch)
    assert probed == unprobed
    assert ("Agent offline" in probed) is filled  # the linked article, say
    assert ("c2.log" in probed) is filled  # and the attachment


def test_a_bare_tickets_page_reads_no_empty_panels_table(client: Client, alice: User, bob: User):
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    client.force_login(bob)
    client.get(f"/desk/tickets/{ticket.id}/")
    with CaptureQueriesContext(connection) as page:
        client.get(f"/desk/tickets/{ticket.id}/")
    tables = ("ticketfollower", "ticketcc", "slackthread", "escalationstate", "firing",
              "escalations_page", "timeentry", "ticketarticlelink", "delivery", "surveys_survey",
              "ticket_tags", "monitoring_deployment", "tickets_attachment")  # fmt: skip
    readers = [q["sql"] for q in page.captured_queries if any(t in q["sql"] for t in tables)]
    assert len(readers) == 1
    assert readers[0].startswith("SELECT (EXISTS")
