"""The full-text engine behind ticket search, on whichever database runs the tests (SQLite
here, PostgreSQL under ``run-on-postgres``): its syntax, ranking, passages and index upkeep,
and the one rule that matters most: a customer's search never reads an internal note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.models import Status
from lifebuoy.tickets.search.indexing import search_reindex
from lifebuoy.tickets.search.query import search_query_parse
from lifebuoy.tickets.search.selectors import (
    similar_ticket_list_for_user,
    ticket_search_for_user,
)
from lifebuoy.tickets.selectors import TicketFilters, ticket_list_for_user
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_merge, ticket_update

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


def found(user, text, **kw) -> list[str]:
    return [h.ticket.subject for h in ticket_search_for_user(user=user, text=text, **kw)]


@pytest.fixture
def desk(alice, bob, charlie, now):
    hub = ticket_opened(alice, now, subject="Hub stuck after merge conflict", tags=("git",))
    message_add(ticket=hub, author=bob, body="Resolve the merge conflict with rebase.", now=now)
    message_add(
        ticket=hub,
        author=bob,
        body="Customer's hub runs the kestrel build, do not mention it.",
        is_internal=True,
        now=now + timedelta(minutes=1),
    )
    cost = ticket_opened(
        alice,
        now + timedelta(minutes=2),
        subject="Cost overrun in October",
        description="The bill doubled; is the merge step to blame?",
    )
    globex = ticket_opened(charlie, now, subject="Globex hub stuck", description="Merge conflict")
    return hub, cost, globex


def test_the_search_syntax_phrases_exclusions_and_or(alice, desk):
    assert found(alice, '"merge conflict"') == ["Hub stuck after merge conflict"]
    assert found(alice, '"conflict merge"') == []  # a phrase keeps its order
    assert found(alice, "merge -rebase") == ["Cost overrun in October"]
    assert found(alice, "kestrel or october") == ["Cost overrun in October"]  # never the note
    assert sorted(found(alice, "rebase or october")) == [
        "Cost overrun in October",
        "Hub stuck after merge conflict",
    ]
    assert found(alice, "the") == []  # nothing to look for: no match, on both engines
    assert found(alice, "-rebase") == []


def test_it_finds_requester_organization_tags_and_number(alice, ted, desk):
    hub = desk[0]
    assert found(ted, "acme git") == ["Hub stuck after merge conflict"]
    assert "Hub stuck after merge conflict" in found(ted, alice.email)
    assert found(ted, f"#{hub.id}")[0] == "Hub stuck after merge conflict"


def test_subject_outranks_conversation_and_newer_wins_a_tie(alice, ted, desk, now):
    # "rebase" is in the hub's reply; "quokka" in one subject and another's description
    assert found(ted, "merge")[0] == "Hub stuck after merge conflict"  # subject and reply
    described = ticket_opened(alice, now, subject="Slow", description="A quokka ate the cable")
    titled = ticket_opened(alice, now, subject="Quokka in the server room", description="x")
    assert found(ted, "quokka") == [titled.subject, described.subject]
    older = ticket_opened(alice, now, subject="Wombat alert", description="x")
    newer = ticket_opened(alice, now, subject="Wombat alert", description="x")
    assert [h.ticket.id for h in ticket_search_for_user(user=ted, text="wombat")] == [
        newer.id,
        older.id,
    ]


def test_the_passage_comes_from_the_matching_message_with_its_words_marked(alice, bob, desk):
    (hit,) = ticket_search_for_user(user=alice, text="rebase")
    assert "<mark>rebase</mark>" in hit.snippet.lower()
    assert "kestrel" not in hit.snippet
    (staff_hit,) = ticket_search_for_user(user=bob, text="kestrel")
    assert "<mark>kestrel</mark>" in staff_hit.snippet


def test_a_passage_escapes_what_the_customer_wrote(alice, bob, now):
    ticket = ticket_opened(alice, now, subject="Odd", description="x")
    message_add(ticket=ticket, author=alice, body="<script>alert(1)</script> walrus", now=now)
    (hit,) = ticket_search_for_user(user=bob, text="walrus")
    assert "<script>" not in hit.snippet
    assert "<mark>walrus</mark>" in hit.snippet


@pytest.mark.parametrize(
    "probe",
    ["kestrel", '"kestrel build"', "kestrel or nothingatall", "hub kestrel", "mention"],
)
def test_no_query_of_a_customer_ever_matches_an_internal_note(alice, carol, charlie, desk, probe):
    for customer in (alice, carol, charlie):
        assert found(customer, probe) == []
        listed = ticket_list_for_user(user=customer, filters=TicketFilters(text=probe)).items
        assert listed == []


def test_customers_never_find_another_organizations_tickets_and_staff_find_all(
    alice, charlie, ted, grace, desk
):
    assert found(alice, "hub stuck") == ["Hub stuck after merge conflict"]
    assert found(charlie, "hub stuck") == ["Globex hub stuck"]
    assert found(charlie, f"#{desk[0].id}") == []
    for staff in (ted, grace):
        assert sorted(found(staff, "hub stuck")) == [
            "Globex hub stuck",
            "Hub stuck after merge conflict",
        ]
        assert found(staff, "kestrel") == ["Hub stuck after merge conflict"]


def test_the_desk_filter_combines_with_the_other_filters(ted, desk):
    acme = desk[0].organization_id
    filters = TicketFilters(text="merge", organization=acme)
    subjects = [t.subject for t in ticket_list_for_user(user=ted, filters=filters).items]
    assert subjects == ["Cost overrun in October", "Hub stuck after merge conflict"]  # newest first
    closed = TicketFilters(text="merge", organization=acme, status=(Status.CLOSED,))
    assert ticket_list_for_user(user=ted, filters=closed).items == []


def test_tags_changed_and_tickets_merged_are_searchable_at_once(alice, bob, ted, desk, now):
    hub, cost, _ = desk
    ticket_update(ticket=cost, actor=bob, changes=TicketChanges(tags=("billing",)), now=now)
    assert found(ted, "billing") == ["Cost overrun in October"]
    ticket_merge(target=cost, sources=[hub], actor=bob, now=now)
    assert found(ted, "rebase") == ["Cost overrun in October"]  # the conversation moved


def test_a_rolled_back_reply_leaves_no_words_behind(alice, ted, desk, now):
    def reply_then_fail() -> None:
        with transaction.atomic():
            message_add(ticket=desk[1], author=alice, body="platypus", now=now)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        reply_then_fail()
    assert found(ted, "platypus") == []


def test_the_backfill_indexes_tickets_written_without_the_index(alice, ted, desk, now):
    from django.db import connection

    from lifebuoy.tickets.search import backend_for

    with connection.cursor() as cursor:
        backend_for().drop_schema(cursor)
        backend_for().create_schema(cursor)
    assert found(ted, "rebase") == []
    assert sum(search_reindex(batch_size=2)) == 3
    assert found(ted, "rebase") == ["Hub stuck after merge conflict"]


def test_an_overlong_or_crowded_query_is_a_field_error(alice):
    for text in ("x" * 201, " ".join(f"w{n}" for n in range(9))):
        with pytest.raises(ValidationFailed) as refused:
            ticket_search_for_user(user=alice, text=text)
        assert "q" in refused.value.extra["fields"]


def test_the_parsed_query_reads_the_same_for_both_engines():
    query = search_query_parse('hub "merge conflict" or rebase -kestrel the')
    assert query.websearch() == 'hub "merge conflict" or rebase -kestrel'
    assert query.fts5(("head",)) == (
        '{head} : ((("hub") AND ("merge conflict" OR "rebase")) NOT "kestrel")'
    )
    assert search_query_parse("#42").number == 42
    assert search_query_parse("or or").is_empty


def test_similar_tickets_are_earlier_ones_resolved_first_with_their_resolution(
    alice, bob, ted, now
):
    solved = ticket_opened(
        alice, now, subject="Consolidation slow on the hub", category="performance"
    )
    message_add(ticket=solved, author=bob, body="Raise the hub's worker pool to 8.", now=now)
    ticket_update(ticket=solved, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    still_open = ticket_opened(
        alice, now, subject="Consolidation slow again", category="performance"
    )
    ticket_opened(alice, now, subject="Unrelated invoice question", description="Billing.")
    current = ticket_opened(alice, now, subject="Hub consolidation slow", category="performance")
    later = ticket_opened(alice, now, subject="Consolidation slow hub")

    similar = similar_ticket_list_for_user(user=ted, ticket=current)
    assert [s.ticket.id for s in similar] == [solved.id, still_open.id]
    assert similar[0].resolution == "Raise the hub's worker pool to 8."
    assert later.id not in [s.ticket.id for s in similar]
    assert similar_ticket_list_for_user(user=alice, ticket=current) == []


@pytest.mark.parametrize("tags", [(), ("urgent",)])
def test_a_new_ticket_is_indexed_as_a_rebuild_would_index_it(alice, now, tags):
    from django.db import connection

    from lifebuoy.tickets.search import backend_for

    ticket = ticket_opened(
        alice, now, subject="Validator stuck on C3", description="C3 has *not* validated", tags=tags
    )
    written = _search_row(ticket.id)
    with connection.cursor() as cursor:
        backend_for(connection).index_tickets(cursor, [ticket.id])
    assert written is not None
    assert written == _search_row(ticket.id)


def test_a_new_ticket_without_tags_is_indexed_by_its_own_insert_on_postgresql(alice, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        ticket = ticket_opened(alice, now, subject="Indexed at once", description="No tags")
    searched = [q["sql"] for q in queries if "ticket_search" in q["sql"]]
    with_ticket = [sql for sql in searched if 'INSERT INTO "tickets_ticket"' in sql]
    if connection.vendor == "postgresql":  # one statement writes the ticket and its documents
        assert searched == with_ticket
        assert len(with_ticket) == 1
    else:  # FTS5's own statements
        assert searched
        assert with_ticket == []
    assert _search_row(ticket.id) is not None
    assert [h.ticket.id for h in ticket_search_for_user(user=alice, text="indexed")] == [ticket.id]


def _search_row(ticket_id: int) -> tuple[object, ...] | None:
    """The ticket's row in the search index, as text (the same on every engine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT doc_all::text, doc_public::text FROM ticket_search WHERE ticket_id = %s",
                [ticket_id],
            )
        else:
            cursor.execute(
                "SELECT head, body, people, replies, notes FROM ticket_search_fts WHERE rowid = %s",
                [ticket_id],
            )
        rows = cursor.fetchall()
    assert len(rows) <= 1
    return tuple(rows[0]) if rows else None
