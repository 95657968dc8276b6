"""Similar tickets on PostgreSQL at scale: the words a ticket is looked up by are chosen by the
share of tickets holding each (the database's statistics of the index), and the earlier
tickets are read a window of ids at a time. A test database is too small for either to matter
on its own, so the statistics and the windows' sizes are set here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.search import backend_for, postgres

from .factories import ticket_opened

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics"),
]

Shares = Callable[[dict[str, float]], None]


@pytest.fixture
def statistics(monkeypatch: pytest.MonkeyPatch) -> Shares:
    """Stand in for ANALYZE: these (stemmed) words and shares; any other word is rarer."""

    def shares(common: dict[str, float]) -> None:
        stats = postgres.WordShares(common, 0.0001)
        monkeypatch.setattr(postgres, "_common_words", lambda cursor: stats)

    return shares


def similar_ids(ticket: Ticket) -> list[int]:
    with connection.cursor() as cursor:
        hits = backend_for().similar(
            cursor, ticket_id=ticket.id, text=f"{ticket.subject} {ticket.description}", limit=10
        )
    return [hit.ticket_id for hit in hits]


def test_the_rarest_words_are_looked_up_and_common_ones_left_out(alice, now, statistics):
    # "hub" is in half the tickets; "wombat" would take the words past 3 % of the tickets
    statistics({"hub": 0.5, "cabl": 0.012, "wombat": 0.019})

    def opened(subject: str) -> Ticket:
        return ticket_opened(alice, now, subject=subject, description="-")

    opened("Hub down")
    opened("Wombat seen")
    cable = opened("Cable cut")
    quokka = opened("Quokka nest")
    current = opened("Hub cable wombat quokka")
    assert sorted(similar_ids(current)) == [cable.id, quokka.id]


def test_the_newest_matches_are_ranked_however_the_windows_fall(
    alice, now, statistics, monkeypatch
):
    statistics({"wombat": 0.02, "burrow": 0.01})
    monkeypatch.setattr(postgres, "SIMILAR_CANDIDATES", 3)

    def opened(subject: str) -> Ticket:
        return ticket_opened(alice, now, subject=subject, description="-")

    opened("Wombat burrow collapsed")  # the best match, but older than the newest three
    opened("Wombat again")
    opened("Unrelated invoice")
    third = opened("Wombat spotted")
    opened("Another invoice")
    best = opened("Wombat burrow flooded")
    opened("Third invoice")
    newest = opened("Wombat near the rack")
    current = opened("Wombat burrow")
    with monkeypatch.context() as whole_range:
        whole_range.setattr(postgres, "SIMILAR_WINDOWS", 1)  # every earlier ticket at once
        whole = similar_ids(current)
    assert whole[0] == best.id
    assert sorted(whole) == [third.id, best.id, newest.id]
    # Windows of one or two ids, grown by the matches each held, and the rest read at last
    monkeypatch.setattr(postgres, "SIMILAR_SPARE", 0.02)
    monkeypatch.setattr(postgres, "SIMILAR_ID_COST", 0.0)
    assert similar_ids(current) == whole
    with connection.cursor() as cursor:  # the windows' planner setting ended with them
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"
