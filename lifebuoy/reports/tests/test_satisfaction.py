"""CSAT, NPS and praise from survey answers built by hand, with the answers worked out."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.periods import iso_week
from lifebuoy.reports.selectors.common import Scope
from lifebuoy.reports.selectors.satisfaction import csat, csat_praise, nps
from lifebuoy.surveys.models import Survey
from lifebuoy.tickets.tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db

WEEK = iso_week("2026-W48")  # Monday 23 to Monday 30 November 2026
INSIDE = WEEK.start + timedelta(days=2)
_tokens = itertools.count()


def _answer(
    kind: str,
    contact: User,
    rating: int | None,
    answered_at: datetime | None = INSIDE,
    comment: str = "",
    org: Organization | None = None,
) -> Survey:
    org = org or contact.organization
    assert org is not None
    ticket = None
    if kind == "csat":
        ticket = TicketFactory(requester=contact, organization=org)
    else:  # one NPS answer per contact and period: a colleague of ``contact`` answers
        contact = CustomerFactory(organization=org)
    return Survey.objects.create(
        kind=kind,
        token_hash=f"{next(_tokens):064d}",
        contact=contact,
        organization=org,
        ticket=ticket,
        period_start=date(2026, 7, 1) if kind == "nps" else None,
        sent_at=WEEK.start - timedelta(days=1),
        expires_at=WEEK.end + timedelta(days=14),
        rating=rating,
        comment=comment,
        answered_at=answered_at if rating is not None else None,
    )


def test_csat_is_the_average_rating_of_answers_in_the_period(
    alice, charlie, django_assert_num_queries
):
    for rating in (5, 5, 4, 1):
        _answer("csat", alice, rating)
    _answer("csat", alice, 1, answered_at=WEEK.start - timedelta(seconds=1))  # the week before
    _answer("csat", alice, 1, answered_at=WEEK.end)  # the next week (end is excluded)
    _answer("csat", alice, None)  # sent, not answered
    _answer("nps", alice, 0)  # another survey
    with django_assert_num_queries(1):
        metric = csat(WEEK)
    assert (metric.value, metric.count, metric.met) == (3.75, 4, False)
    assert metric.show() == "3.75/5"
    assert metric.target_text() == "> 4.50/5"


def test_csat_meets_its_target_above_four_and_a_half(alice):
    for rating in (5, 5, 5, 4):
        _answer("csat", alice, rating)
    assert csat(WEEK).value == 4.75
    assert csat(WEEK).met is True


def test_no_answers_is_no_data(alice):
    _answer("csat", alice, None)
    for metric in (csat(WEEK), nps(WEEK)):
        assert (metric.value, metric.count, metric.met) == (None, 0, None)
        assert metric.show() == "no data"


def test_csat_and_nps_narrow_to_a_scope(alice, charlie):
    _answer("csat", alice, 2)  # Acme, Standard tier
    _answer("csat", charlie, 5)  # Globex, Premium tier
    _answer("nps", alice, 0)
    _answer("nps", charlie, 10)
    assert csat(WEEK).value == 3.5
    assert csat(WEEK, Scope(organization_id=alice.organization_id)).value == 2
    assert csat(WEEK, Scope(tier=3)).value == 5
    assert nps(WEEK, Scope(organization_id=charlie.organization_id)).value == 100
    assert nps(WEEK, Scope(tier=2)).value == -100


def test_nps_is_promoters_minus_detractors(alice, django_assert_num_queries):
    # promoters 10, 9, 9; passives 8, 7; detractors 6, 3, 0 -> (3 - 3) / 8 = 0
    for rating in (10, 9, 9, 8, 7, 6, 3, 0):
        _answer("nps", alice, rating)
    with django_assert_num_queries(1):
        assert nps(WEEK).value == 0
    for rating in (10, 10, 10, 10):
        _answer("nps", alice, rating)
    # promoters 7, detractors 3 of 12 -> 100 * 4 / 12 = 33.3
    metric = nps(WEEK)
    assert (metric.value, metric.count, metric.met) == (33.3, 12, False)


def test_nps_above_fifty_meets_the_target(alice):
    for rating in (10, 10, 9, 7, 2):  # (3 - 1) / 5 -> 40; one more promoter -> (4 - 1) / 6 = 50
        _answer("nps", alice, rating)
    assert (nps(WEEK).value, nps(WEEK).met) == (40, False)
    _answer("nps", alice, 9)
    assert (nps(WEEK).value, nps(WEEK).met) == (50, False)  # the target is "more than 50"
    _answer("nps", alice, 10)
    assert nps(WEEK).met is True  # (5 - 1) / 7 = 57.1


def test_praise_is_the_latest_top_rated_comments_with_ticket_numbers(
    alice, django_assert_num_queries
):
    older = _answer("csat", alice, 5, comment="Fixed in minutes.", answered_at=INSIDE)
    newer = _answer(
        "csat", alice, 5, comment="Ana was\n  brilliant.", answered_at=INSIDE + timedelta(hours=1)
    )
    _answer("csat", alice, 5, comment="")  # no words to quote
    _answer("csat", alice, 4, comment="Good, not great.")
    _answer("csat", alice, 5, comment="Last week.", answered_at=WEEK.start - timedelta(hours=1))
    _answer("nps", alice, 10, comment="Love it.")
    with django_assert_num_queries(1):
        praise = csat_praise(WEEK)
    assert [(p["number"], p["comment"]) for p in praise] == [
        (f"#{newer.ticket_id}", "Ana was brilliant."),
        (f"#{older.ticket_id}", "Fixed in minutes."),
    ]
    assert praise[0]["organization"] == "Acme"
    assert len(csat_praise(WEEK, limit=1)) == 1


def test_long_praise_is_cut_to_one_short_line(alice):
    _answer("csat", alice, 5, comment="Superb " * 100)
    [praise] = csat_praise(WEEK)
    assert len(praise["comment"]) == 280
    assert praise["comment"].endswith("…")


def test_answers_are_counted_in_the_week_they_were_given_not_sent(alice):
    survey = _answer("csat", alice, 5, answered_at=WEEK.end + timedelta(days=1))
    assert survey.sent_at < WEEK.end
    assert csat(WEEK).count == 0
    assert csat(iso_week("2026-W49")).value == 5


def test_every_period_is_utc(alice):
    _answer("csat", alice, 4, answered_at=datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    assert csat(WEEK).value == 4
