"""Learned words: what solved customers' problems lifts an article a little, for their own
organization, and for others only once several organizations agree."""

from __future__ import annotations

import pytest

from lifebuoy.kb.learning import (
    BOOST_MAX,
    MIN_ORGANIZATIONS,
    boost_from_counts,
    learned_boosts,
    learned_term_record,
    rerank,
)
from lifebuoy.kb.models import Article, LearnedTerm, Outcome
from lifebuoy.kb.selectors import kb_suggest
from lifebuoy.kb.services import kb_article_create, kb_suggestion_record, kb_ticket_link
from lifebuoy.tickets.tests.factories import CustomerFactory, ticket_opened

from .conftest import make_draft

QUESTION = "quokkafrost empty"


def test_the_lift_is_bounded_however_many_signals_an_article_collects():
    flood = {"invoice": {7: 10**9}, "bill": {7: 10**9}, "money": {7: 10**9}}
    assert boost_from_counts(flood) == {7: BOOST_MAX}
    # An article the text ranks far below cannot climb past the better match.
    assert rerank([(1, 10.0), (7, 6.0)], {7: BOOST_MAX}, limit=2) == [1, 7]
    assert rerank([(1, 10.0), (7, 8.0)], {7: BOOST_MAX}, limit=2) == [7, 1]


def test_a_word_that_points_everywhere_lifts_nothing_much():
    distinctive = boost_from_counts({"invoice": {1: 9}})
    everywhere = boost_from_counts({"agent": dict.fromkeys(range(1, 10), 9)})
    assert everywhere[1] < distinctive[1] / 5


def test_more_signals_lift_more_but_with_diminishing_returns():
    lifts = [boost_from_counts({"a": {1: n}, "b": {1: n}})[1] for n in (1, 3, 10, 100)]
    assert lifts == sorted(lifts)
    assert lifts[-1] - lifts[-2] < lifts[1] - lifts[0]


@pytest.fixture
def twins(ted, now) -> list[Article]:
    """Two articles written alike, so one small lift decides which comes first."""
    return [
        kb_article_create(
            actor=ted, draft=make_draft(f"Quokkafrost {what} empty"), state="published", now=now
        )
        for what in ("dashboard", "widgets")
    ]


def _order(user, twins) -> list[Article]:
    return [
        a for a in kb_suggest(user=user, subject=QUESTION, description="", limit=5) if a in twins
    ]


def _solved(user, article, now, times=3) -> None:
    for _ in range(times):
        kb_suggestion_record(
            user=user,
            outcome=Outcome.DEFLECTED,
            shown=[article.number],
            article=article,
            subject=QUESTION,
            now=now,
        )


@pytest.mark.django_db
def test_what_solved_a_customers_problem_comes_first_for_their_colleagues(
    alice, carol, charlie, twins, now
):
    first, second = _order(carol, twins)
    assert _order(charlie, twins) == [first, second]

    _solved(alice, second, now)

    assert _order(carol, twins) == [second, first]  # alice's colleague at Acme
    assert _order(charlie, twins) == [first, second]  # Globex learns nothing of Acme's words


@pytest.mark.django_db
def test_an_article_linked_to_a_ticket_teaches_that_organization_only(
    alice, carol, charlie, ted, twins, now
):
    _, second = _order(carol, twins)
    ticket = ticket_opened(alice, now, subject="Quokkafrost page is empty", description="again")
    kb_ticket_link(ticket=ticket, article=second, actor=ted, now=now)
    kb_ticket_link(ticket=ticket, article=second, actor=ted, now=now)  # counted once

    assert LearnedTerm.objects.get(term="quokkafrost").count == 1
    assert {row.organization_id for row in LearnedTerm.objects.all()} == {alice.organization_id}
    assert learned_boosts(organization_id=charlie.organization_id, text=QUESTION) == {}
    assert learned_boosts(organization_id=None, text=QUESTION) == {}  # staff: shared words only
    assert second.id in learned_boosts(organization_id=carol.organization_id, text=QUESTION)


@pytest.mark.django_db
def test_words_are_shared_only_once_several_organizations_taught_the_same_article(
    alice, charlie, ted, twins, now
):
    first, second = _order(charlie, twins)
    teachers = [CustomerFactory() for _ in range(MIN_ORGANIZATIONS)]
    for customer in teachers[:-1]:
        _solved(customer, second, now)
    assert _order(charlie, twins) == [first, second]
    assert _order(ted, twins) == [first, second]

    _solved(teachers[-1], second, now)
    assert _order(charlie, twins) == [second, first]
    assert _order(ted, twins) == [second, first]


@pytest.mark.django_db
def test_learning_never_shows_an_article_the_reader_may_not_see(alice, ted, now):
    internal = kb_article_create(
        actor=ted,
        draft=make_draft("Quokkafrost runbook", visibility="internal"),
        state="published",
        now=now,
    )
    for _ in range(20):
        learned_term_record(
            organization_id=alice.organization_id, article_id=internal.id, text=QUESTION, now=now
        )
    assert internal not in kb_suggest(user=alice, subject=QUESTION, description="", limit=10)


@pytest.mark.django_db
def test_a_submitted_ticket_teaches_nothing(alice, twins, now):
    kb_suggestion_record(
        user=alice, outcome=Outcome.SUBMITTED, shown=[twins[0].number], subject=QUESTION, now=now
    )
    assert not LearnedTerm.objects.exists()
