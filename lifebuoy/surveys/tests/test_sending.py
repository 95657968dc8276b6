"""When surveys go out, to whom, and exactly once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connections

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.models import Delivery
from lifebuoy.surveys.models import Survey, SurveyKind
from lifebuoy.surveys.periods import nps_period_of
from lifebuoy.surveys.services.sending import csat_sweep, nps_sweep
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import CustomerFactory, TicketFactory
from tests.concurrency import threaded_db_test

from .conftest import resolved_ticket, token_of

pytestmark = pytest.mark.django_db


def _survey_emails() -> list[Delivery]:
    return list(Delivery.objects.filter(idempotency_key__startswith="email:survey:"))


def test_a_csat_survey_goes_out_after_the_delay_and_not_before(alice, ted, now, settings):
    settings.LIFEBUOY_CSAT_DELAY_HOURS = 24
    ticket = resolved_ticket(alice, ted, now)
    assert csat_sweep(now=now + timedelta(hours=23, minutes=59)).sent == 0
    assert not Survey.objects.exists()

    assert csat_sweep(now=now + timedelta(hours=24)).sent == 1
    survey = Survey.objects.get()
    assert (survey.kind, survey.ticket, survey.contact) == ("csat", ticket, alice)
    assert survey.resolved_at == now
    assert survey.expires_at == now + timedelta(hours=24, days=14)
    [email] = _survey_emails()
    assert email.target == alice.email
    assert f"[Ticket #{ticket.id}]" in email.payload["subject"]
    for rating in range(1, 6):
        assert f"?rating={rating}" in email.payload["text"]
    # only the hash of the link's secret is stored
    assert token_of(email) not in survey.token_hash


def test_sweeping_again_sends_nothing_more(alice, ted, now):
    resolved_ticket(alice, ted, now - timedelta(days=2))
    assert csat_sweep(now=now).sent == 1
    assert csat_sweep(now=now).sent == 0
    assert csat_sweep(now=now + timedelta(days=1)).sent == 0
    assert len(_survey_emails()) == 1


def test_a_reopened_ticket_waits_and_gets_one_survey_in_all(alice, ted, now):
    ticket = resolved_ticket(alice, ted, now - timedelta(hours=30))
    message_add(ticket=ticket, author=alice, body="Still broken.", now=now - timedelta(hours=29))
    assert csat_sweep(now=now).sent == 0  # reopened: nothing to ask about yet
    ticket_update(
        ticket=Ticket.objects.get(id=ticket.id),
        actor=ted,
        changes=TicketChanges(status="resolved"),
        now=now - timedelta(hours=5),
    )
    assert csat_sweep(now=now).sent == 0  # the delay runs from the latest resolution
    assert csat_sweep(now=now + timedelta(hours=19)).sent == 1
    message_add(ticket=ticket, author=alice, body="Broken again.", now=now + timedelta(hours=20))
    ticket_update(
        ticket=Ticket.objects.get(id=ticket.id),
        actor=ted,
        changes=TicketChanges(status="resolved"),
        now=now + timedelta(hours=21),
    )
    assert csat_sweep(now=now + timedelta(days=3)).sent == 0  # one survey per ticket
    assert Survey.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("category", "channel"),
    [("training", "portal"), ("custom_development", "email"), ("bug", "monitoring")],
)
def test_out_of_scope_and_monitoring_tickets_are_not_surveyed(alice, ted, now, category, channel):
    resolved_ticket(alice, ted, now - timedelta(days=2), category=category, channel=channel)
    assert csat_sweep(now=now).sent == 0


def test_staff_inactive_and_unmailable_requesters_are_not_surveyed(acme, ted, now):
    forum = CustomerFactory(organization=acme, email="someone@forum.invalid")
    inactive = CustomerFactory(organization=acme)
    hired = CustomerFactory(organization=acme)  # a customer who joined the support team since
    for requester in (forum, inactive, hired):
        resolved_ticket(requester, ted, now - timedelta(days=2))
    User.objects.filter(id=inactive.id).update(is_active=False)
    User.objects.filter(id=hired.id).update(role=Role.AGENT)
    assert csat_sweep(now=now).sent == 0


def test_history_is_not_surveyed_when_surveys_are_turned_on(alice, ted, now):
    resolved_ticket(alice, ted, now - timedelta(days=30))
    assert csat_sweep(now=now).sent == 0


def test_turning_csat_off_stops_the_sweep(alice, ted, now, settings):
    settings.LIFEBUOY_CSAT_ENABLED = False
    resolved_ticket(alice, ted, now - timedelta(days=2))
    assert csat_sweep(now=now).sent == 0


@threaded_db_test
def test_two_concurrent_sweeps_email_each_customer_exactly_once(acme, ted, now):
    customers = [CustomerFactory(organization=acme) for _ in range(8)]
    tickets = [resolved_ticket(c, ted, now - timedelta(days=2)) for c in customers]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results = []

    def sweep():
        try:
            barrier.wait()
            results.append(csat_sweep(now=now))
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.sent for r in results) == len(tickets)
    assert Survey.objects.count() == len(tickets)
    emails = _survey_emails()
    assert sorted(e.target for e in emails) == sorted(c.email for c in customers)


# -- NPS ----------------------------------------------------------------------------------------


def test_nps_periods_are_calendar_quarters_by_default():
    q = nps_period_of(datetime(2026, 11, 24, tzinfo=UTC), 3)
    assert (q.start, q.end, q.label) == (date(2026, 10, 1), date(2027, 1, 1), "2026-Q4")
    assert q.previous().label == "2026-Q3"
    assert nps_period_of(datetime(2026, 1, 5, tzinfo=UTC), 3).previous().label == "2025-Q4"
    assert nps_period_of(datetime(2026, 1, 5, tzinfo=UTC), 1).previous().label == "2025-12"
    with pytest.raises(ValueError, match="1, 2, 3, 4, 6 or 12"):
        nps_period_of(datetime(2026, 1, 5, tzinfo=UTC), 5)


def test_nps_goes_once_per_contact_per_quarter_to_active_customers(
    alice, carol, charlie, ted, monkeypatch
):
    q3 = datetime(2026, 8, 10, tzinfo=UTC)
    TicketFactory(requester=alice, opened_at=q3)  # alice opens two tickets, still one survey
    TicketFactory(requester=alice, opened_at=q3 + timedelta(days=20))
    TicketFactory(requester=charlie, opened_at=q3, channel="monitoring")  # monitoring opened it
    TicketFactory(requester=carol, opened_at=datetime(2026, 10, 2, tzinfo=UTC))  # Q4, not Q3
    CustomerFactory(organization=alice.organization)  # never wrote

    early_q4 = datetime(2026, 10, 3, 9, tzinfo=UTC)
    assert nps_sweep(now=early_q4).sent == 1
    survey = Survey.objects.get(kind=SurveyKind.NPS)
    assert (survey.contact, survey.period_label, survey.period_start) == (
        alice,
        "2026-Q3",
        date(2026, 7, 1),
    )
    assert survey.ticket is None
    assert nps_sweep(now=early_q4 + timedelta(days=1)).sent == 0
    assert nps_sweep(now=datetime(2026, 12, 31, tzinfo=UTC)).sent == 0
    # The next quarter surveys Q4's active customers: carol, and not alice again for Q3.
    assert nps_sweep(now=datetime(2027, 1, 2, tzinfo=UTC)).sent == 1
    assert Survey.objects.filter(kind=SurveyKind.NPS, contact=carol).get().period_label == (
        "2026-Q4"
    )
    emails = _survey_emails()
    assert sorted(e.target for e in emails) == [alice.email, carol.email]
    assert "recommend" in emails[0].payload["text"]
    for rating in range(11):
        assert f"?rating={rating}" in emails[0].payload["text"]
