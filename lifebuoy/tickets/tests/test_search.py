"""Searching one's tickets: subject, description and readable replies, through the one
visibility rule; an internal note's words never match for a customer. Run on SQLite and
(``run-on-postgres``) on PostgreSQL: both engines behave alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.search.selectors import ticket_search_for_user
from lifebuoy.tickets.services import message_add

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(alice, charlie, bob, now):
    consolidation = ticket_opened(
        alice, now, subject="Consolidation slow", description="Takes 90 minutes since Monday."
    )
    message_add(
        ticket=consolidation,
        author=bob,
        body="Please run the gc and send the output.",
        now=now + timedelta(minutes=5),
    )
    message_add(
        ticket=consolidation,
        author=bob,
        body="Suspect the flamingo cache is corrupt.",
        is_internal=True,
        now=now + timedelta(minutes=6),
    )
    quality = ticket_opened(alice, now, subject="C3 validation", description="Nothing validated")
    globex = ticket_opened(charlie, now, subject="Consolidation slow at Globex", description="x")
    return consolidation, quality, globex


def found(user, text, **kw):
    return [h.ticket.subject for h in ticket_search_for_user(user=user, text=text, **kw)]


def test_it_matches_subject_description_and_public_replies_of_visible_tickets(alice, tickets):
    assert found(alice, "consolidation") == ["Consolidation slow"]  # never Globex's
    assert found(alice, "90 MINUTES") == ["Consolidation slow"]
    assert found(alice, "gc output") == ["Consolidation slow"]  # a reply, words in any order
    assert found(alice, "validations") == ["C3 validation"]  # the same stem
    assert found(alice, "gc validated") == []  # every word must match
    assert found(alice, f"#{tickets[1].id}") == ["C3 validation"]


def test_an_internal_notes_words_never_match_for_a_customer(alice, bob, carol, tickets):
    assert found(alice, "flamingo") == []
    assert found(carol, "flamingo cache") == []
    assert found(bob, "flamingo") == ["Consolidation slow"]  # staff read notes


def test_it_narrows_by_status_and_finds_nothing_for_empty_text(alice, tickets):
    assert found(alice, "consolidation", statuses=("closed",)) == []
    assert found(alice, "   ") == []


def test_an_overlong_search_is_a_field_error(alice, tickets):
    with pytest.raises(ValidationFailed) as refused:
        ticket_search_for_user(user=alice, text="x" * 201)
    assert "q" in refused.value.extra["fields"]
    with pytest.raises(ValidationFailed):
        ticket_search_for_user(user=alice, text=" ".join(f"w{n}" for n in range(9)))
