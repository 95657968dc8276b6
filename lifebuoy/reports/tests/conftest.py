"""A hand-built week of tickets (ISO week 2026-W48, Monday 23 to Monday 30 November, UTC).

Acme is on Cloud Professional (Standard tier, Europe/Berlin, business hours 9-17 local, which is
8-16 UTC in November); Globex is on Enterprise (Premium tier, Asia/Kolkata).

T1 P1 bug/email (alice)         Mon 23 10:00, ted replies 10:30, resolved 12:00
T2 P2 bug/portal (carol)        Wed 25 15:00, ted replies Thu 26 09:00 (18 calendar hours but
                                2 business hours: met), bob replies 10:00, resolved 11:00;
                                escalated to Engineering Thu 26 08:00
T3 P2 performance/portal (alice) Mon 23 08:00, ted replies Tue 24 08:30 (breached at the
                                deadline, Mon 23 16:00), resolved Tue 09:00, alice writes back
                                Tue 12:00 (reopened), resolved again Wed 25 09:00
T4 P3 performance/slack (charlie) Tue 24 06:00, no answer yet; escalated to Tier 2 Tue 24 07:00
                                and to Product Wed 25 07:00
T5 P3 bug/phone (alice)         Tue 24 12:00, bob's internal note 12:30, ted replies 13:00,
                                resolved 14:00
T6 P4 bug/email (alice)         the week before: Fri 20 10:00, ted replies 11:00; resolved in
                                the week, Mon 23 10:00
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from lifebuoy.accounts.models import User
from lifebuoy.core.periods import Period, iso_week
from lifebuoy.escalations.models import EscalationStep, Level
from lifebuoy.kb.models import Outcome, SuggestionRecord
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, message_add
from lifebuoy.tickets.services import ticket_update as _ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def reply(ticket: Ticket, author: User, when: datetime, *, internal: bool = False) -> None:
    message_add(ticket=ticket, author=author, body="Reply.", now=when, is_internal=internal)


def resolve(ticket: Ticket, agent: User, when: datetime) -> None:
    _ticket_update(ticket=ticket, actor=agent, changes=TicketChanges(status="resolved"), now=when)


def escalate(ticket: Ticket, from_level: int, to_level: int, when: datetime) -> None:
    EscalationStep.objects.create(
        ticket=ticket, from_level=from_level, to_level=to_level, reason="Needs help.",
        created_at=when,
    )  # fmt: skip


@dataclass
class Week:
    period: Period
    tickets: dict[str, Ticket]


@pytest.fixture
def week(alice: User, carol: User, charlie: User, ted: User, bob: User) -> Week:
    t1 = ticket_opened(alice, at(23, 10), priority="P1", category="bug", channel="email")
    reply(t1, ted, at(23, 10, 30))
    resolve(t1, ted, at(23, 12))

    t2 = ticket_opened(carol, at(25, 15), priority="P2", category="bug", channel="portal")
    escalate(t2, Level.TIER_2, Level.ENGINEERING, at(26, 8))
    reply(t2, ted, at(26, 9))
    reply(t2, bob, at(26, 10))
    resolve(t2, ted, at(26, 11))

    t3 = ticket_opened(alice, at(23, 8), priority="P2", category="performance", channel="portal")
    reply(t3, ted, at(24, 8, 30))
    resolve(t3, ted, at(24, 9))
    reply(t3, alice, at(24, 12))
    resolve(t3, ted, at(25, 9))

    t4 = ticket_opened(charlie, at(24, 6), priority="P3", category="performance", channel="slack")
    escalate(t4, Level.COMMUNITY, Level.TIER_2, at(24, 7))
    escalate(t4, Level.TIER_2, Level.PRODUCT, at(25, 7))

    t5 = ticket_opened(alice, at(24, 12), priority="P3", category="bug", channel="phone")
    reply(t5, bob, at(24, 12, 30), internal=True)
    reply(t5, ted, at(24, 13))
    resolve(t5, ted, at(24, 14))

    t6 = ticket_opened(alice, at(20, 10), priority="P4", category="bug", channel="email")
    reply(t6, ted, at(20, 11))
    resolve(t6, ted, at(23, 10))

    for outcome, n in ((Outcome.DEFLECTED, 3), (Outcome.SUBMITTED, 1)):
        for _ in range(n):
            SuggestionRecord.objects.create(user=alice, outcome=outcome, created_at=at(24, 9))
    SuggestionRecord.objects.create(user=alice, outcome=Outcome.SUBMITTED, created_at=at(20, 9))

    tickets = {"T1": t1, "T2": t2, "T3": t3, "T4": t4, "T5": t5, "T6": t6}
    return Week(period=iso_week("2026-W48"), tickets=tickets)
