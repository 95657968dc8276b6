"""PostgreSQL full-text search: two weighted ``tsvector`` columns per ticket, each under a GIN
index, in ``ticket_search``.

Weights: A for the subject and number, B for the description, requester, organization and
tags, C for the conversation. ``doc_all`` holds every message, ``doc_public`` only public
ones; a customer's search reads ``doc_public`` alone, so an internal note's words are not in
anything it can match. A new message is appended to the row (``doc || new words``) under the
ticket's row lock that ``message_add`` holds, so concurrent replies never lose one another
and a reply costs one UPDATE, whatever the length of the conversation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .base import MARK_END, MARK_START, RANK_CANDIDATES, Hit, NewTicketDocument, Within
from .query import SearchQuery

# Table and configuration names below are constants; every value travels as a parameter.
TABLE = "ticket_search"
CONFIG = "english"
# ts_rank's normalization 1: a long conversation does not outrank a short, precise ticket.
NORMALIZATION = 1
# The desk's text filter keeps the newest this many matches (a page, its count, "all matching").
FILTER_MATCHES = 2_000
# Similar tickets: the words a ticket is looked up by, and how many earlier matches are ranked.
SIMILAR_WORDS = 8
SIMILAR_CANDIDATES = 400
# A word in more than this share of tickets says little about what a ticket is about.
COMMON_SHARE = 0.02
# Every match of a word is read from the index whatever the window: the words looked up
# together are in at most this share of tickets (a ticket's first word always counts).
SIMILAR_SHARE = 0.03
# The earlier tickets are read in windows of ids expected to hold this many times the matches
# still wanted; an id of a window's range costs this much of what reading a matching row does
# (bench/RESULTS.md); after this many windows the matches found so far are ranked.
SIMILAR_SPARE = 1.5
SIMILAR_ID_COST = 0.02
SIMILAR_WINDOWS = 4
# ANALYZE's sample of doc_all keeps up to ten times this many most common words, with the
# share of tickets holding each (samples 300 times this many rows).
DOC_STATISTICS = 1000
STATS_TTL = 600.0

_BUILD = f"""
INSERT INTO {TABLE} (ticket_id, doc_all, doc_public)
SELECT t.id, head || coalesce(pub, '') || coalesce(notes, ''), head || coalesce(pub, '')
FROM tickets_ticket t
JOIN accounts_user u ON u.id = t.requester_id
JOIN accounts_organization o ON o.id = t.organization_id
LEFT JOIN LATERAL (
    SELECT setweight(to_tsvector('{CONFIG}', string_agg(m.body, ' ') FILTER (
               WHERE NOT m.is_internal)), 'C') AS pub,
           setweight(to_tsvector('{CONFIG}', string_agg(m.body, ' ') FILTER (
               WHERE m.is_internal)), 'C') AS notes
    FROM tickets_message m WHERE m.ticket_id = t.id
) msg ON true
CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('{CONFIG}', t.subject || ' ' || t.id), 'A')
        || setweight(to_tsvector('{CONFIG}', concat_ws(' ', t.description, u.full_name,
               u.email, o.name, (SELECT string_agg(g.name, ' ') FROM tickets_ticket_tags tt
               JOIN tickets_tag g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id))), 'B') AS head
) h
WHERE t.id = ANY(%s)
ON CONFLICT (ticket_id) DO UPDATE
SET doc_all = EXCLUDED.doc_all, doc_public = EXCLUDED.doc_public
"""  # noqa: S608 - constant names, values as parameters

# ``_BUILD`` for a ticket created in this very transaction, from its values: no replies or notes
# yet, so both documents are the head alone. Planned in a few microseconds where ``_BUILD``, with
# its joins and lateral subqueries, takes PostgreSQL about 0.4 ms to plan on every ticket.
# Typed parameters: the statement is prepared (``lifebuoy.core.prepared``), and a string bound on
# the server has no type of its own, which ``concat_ws`` (variadic) does not accept.
_BUILD_NEW = f"""
INSERT INTO {TABLE} (ticket_id, doc_all, doc_public)
SELECT %s::bigint, h.doc, h.doc FROM (
    SELECT setweight(to_tsvector('{CONFIG}', %s::text), 'A')
        || setweight(to_tsvector('{CONFIG}', concat_ws(' ', %s::text, %s::text, %s::text,
            %s::text, %s::text)), 'B') AS doc
) h
ON CONFLICT (ticket_id) DO UPDATE
SET doc_all = EXCLUDED.doc_all, doc_public = EXCLUDED.doc_public
"""  # noqa: S608 - constant names, values as parameters

# ``_BUILD_NEW`` carried by the new ticket's own INSERT (``insert_rows``' ``also``): the same
# documents, the ticket's key read from that statement's ``main_rows``; no tags yet.
_BUILD_ALONG = f"""
INSERT INTO {TABLE} (ticket_id, doc_all, doc_public)
SELECT m.id, h.doc, h.doc FROM main_rows m CROSS JOIN LATERAL (
    SELECT setweight(to_tsvector('{CONFIG}', %s::text || ' ' || m.id), 'A')
        || setweight(to_tsvector('{CONFIG}', concat_ws(' ', %s::text, %s::text, %s::text,
            %s::text)), 'B') AS doc
) h
ON CONFLICT (ticket_id) DO UPDATE
SET doc_all = EXCLUDED.doc_all, doc_public = EXCLUDED.doc_public
"""  # noqa: S608 - constant names, values as parameters

_APPEND = f"""
UPDATE {TABLE} SET doc_all = doc_all || v.doc,
    doc_public = CASE WHEN %s THEN doc_public ELSE doc_public || v.doc END
FROM (SELECT setweight(to_tsvector('{CONFIG}', %s), 'C') AS doc) v
WHERE ticket_id = %s
"""  # noqa: S608 - constant names, values as parameters

# One passage of up to 30 words from the best match on (a short message whole).
_HEADLINE_OPTIONS = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=15"


def _column(public_only: bool) -> str:
    return "doc_public" if public_only else "doc_all"


class PostgresBackend:
    vendor = "postgresql"

    def create_schema(self, cursor: Any) -> None:
        # No foreign key to tickets_ticket: Django empties its own tables without CASCADE
        # (test flushes), which a reference would refuse. Searches join on the ticket table,
        # and a ticket's first indexing replaces any row left behind under its id.
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (ticket_id bigint PRIMARY KEY, "
            "doc_all tsvector NOT NULL, doc_public tsvector NOT NULL)"
        )
        self.keep_inline(cursor)
        self.keep_word_statistics(cursor)
        for column in ("doc_all", "doc_public"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {TABLE}_{column} ON {TABLE} USING gin ({column})"
            )

    def keep_inline(self, cursor: Any) -> None:
        """Store the documents compressed in the row rather than out of line: a phrase or a
        weighted match is checked against each candidate's document, and reading it from the
        row costs a quarter of fetching it from the TOAST table (bench/RESULTS.md)."""
        cursor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN doc_all SET STORAGE MAIN, "
            "ALTER COLUMN doc_public SET STORAGE MAIN"
        )

    def keep_word_statistics(self, cursor: Any) -> None:
        """Have ANALYZE list the share of tickets holding each of up to 10,000 words of
        ``doc_all``, down to about 0.05 % of tickets (by default it lists 1,000, which at a
        million tickets leaves every word under 1.35 % unknown); similar tickets choose their
        words and size their reads by it (bench/RESULTS.md)."""
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN doc_all SET STATISTICS {DOC_STATISTICS}")

    def drop_schema(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index_tickets(self, cursor: Any, ticket_ids: list[int]) -> None:
        if ticket_ids:
            cursor.execute(_BUILD, [ticket_ids])

    def index_new_ticket(self, cursor: Any, document: NewTicketDocument) -> None:
        tags = " ".join(document.tags) if document.tags else None  # NULL, as with no tag rows
        cursor.execute(
            _BUILD_NEW,
            [
                document.ticket_id,
                f"{document.subject} {document.ticket_id}",
                document.description,
                document.requester_name,
                document.requester_email,
                document.organization_name,
                tags,
            ],
        )

    def new_ticket_along(
        self,
        *,
        subject: str,
        description: str,
        requester_name: str,
        requester_email: str,
        organization_name: str,
    ) -> tuple[str, list[Any]]:
        """The documents of a ticket without tags, as a statement its own INSERT carries (see
        ``_BUILD_ALONG``): what ``index_new_ticket`` writes, without a statement of its own."""
        params = [subject, description, requester_name, requester_email, organization_name]
        return _BUILD_ALONG, list(params)

    def index_message(self, cursor: Any, *, ticket_id: int, body: str, is_internal: bool) -> None:
        cursor.execute(_APPEND, [is_internal, body, ticket_id])
        if cursor.rowcount == 0:  # a ticket from before the index: build it whole
            self.index_tickets(cursor, [ticket_id])

    def match_sql(self, query: SearchQuery, *, public_only: bool) -> tuple[str, list[Any]]:
        column = _column(public_only)
        # The newest FILTER_MATCHES matches, fetched on their own (an array the planner cannot
        # fold into the list's query): a rare word through the GIN index, a common one newest
        # first along the primary key. Left to join freely, the planner walks the whole ticket
        # table for a word it has no statistics for, guessing it common.
        sql = (
            f"SELECT unnest(ARRAY(SELECT ticket_id FROM {TABLE} "  # noqa: S608
            f"WHERE {column} @@ websearch_to_tsquery('{CONFIG}', %s) "
            f"ORDER BY ticket_id DESC LIMIT {FILTER_MATCHES}))"
        )
        return sql, [query.websearch()]

    def search(
        self,
        cursor: Any,
        query: SearchQuery,
        *,
        public_only: bool,
        within: Within | None,
        limit: int,
    ) -> list[Hit]:
        column = _column(public_only)
        scope, params = "", []
        if within is not None:
            scope, params = f"AND s.ticket_id IN ({within.sql})", list(within.params)
        tsquery = f"websearch_to_tsquery('{CONFIG}', %s)"  # a constant the planner can look at
        # The newest RANK_CANDIDATES matches are ranked: for a rare word that is all of them
        # (found through the GIN index); a common one is read newest first along the primary
        # key and stops there, instead of ranking a third of the table.
        cursor.execute(
            f"WITH candidates AS MATERIALIZED (SELECT s.ticket_id FROM {TABLE} s "  # noqa: S608
            f"WHERE s.{column} @@ {tsquery} {scope} ORDER BY s.ticket_id DESC LIMIT %s) "
            f"SELECT s.ticket_id, ts_rank(s.{column}, {tsquery}, {NORMALIZATION}) AS rank "
            f"FROM candidates c JOIN {TABLE} s ON s.ticket_id = c.ticket_id "
            "ORDER BY rank DESC, s.ticket_id DESC LIMIT %s",
            [query.websearch(), *params, RANK_CANDIDATES, query.websearch(), limit],
        )
        return [Hit(ticket_id=row[0], score=float(row[1])) for row in cursor.fetchall()]

    def snippets(
        self, cursor: Any, query: SearchQuery, *, public_only: bool, ticket_ids: list[int]
    ) -> dict[int, str]:
        if not ticket_ids:
            return {}
        internal = "AND NOT m.is_internal" if public_only else ""
        vector = f"to_tsvector('{CONFIG}', m.body)"
        # The message that matches the whole query, else the one matching most of its words,
        # newest first among equals; else the description. The passage marks every query word.
        cursor.execute(
            f"WITH q AS (SELECT websearch_to_tsquery('{CONFIG}', %s) AS q_all, "  # noqa: S608
            f"websearch_to_tsquery('{CONFIG}', %s) AS q_any), "
            "best AS (SELECT DISTINCT ON (m.ticket_id) m.ticket_id, m.body "
            f"FROM tickets_message m, q WHERE m.ticket_id = ANY(%s) {internal} "
            f"AND {vector} @@ q.q_any "
            f"ORDER BY m.ticket_id, {vector} @@ q.q_all DESC, ts_rank({vector}, q.q_any) DESC, "
            "m.created_at DESC, m.id DESC) "
            f"SELECT t.id, ts_headline('{CONFIG}', coalesce(b.body, t.description), q.q_any, %s) "
            "FROM tickets_ticket t LEFT JOIN best b ON b.ticket_id = t.id, q "
            "WHERE t.id = ANY(%s)",
            [query.websearch(), query.websearch_any(), ticket_ids, _HEADLINE_OPTIONS, ticket_ids],
        )
        return {row[0]: row[1] for row in cursor.fetchall()}

    def similar(self, cursor: Any, *, ticket_id: int, text: str, limit: int) -> list[Hit]:
        words = self._distinctive(cursor, text)
        if not words:
            return []
        lexemes = [lexeme for lexeme, _ in words]
        share = min(1.0, sum(share for _, share in words))
        candidates = self._newest_matches(cursor, lexemes, share=share, below=ticket_id)
        if not candidates:
            return []
        # Ranked with the subject and description weighing most.
        cursor.execute(
            "SELECT ticket_id, ts_rank('{0.1, 0.3, 0.6, 1.0}', doc_all, "  # noqa: S608
            f"to_tsquery('simple', %s)) AS rank FROM {TABLE} WHERE ticket_id = ANY(%s) "
            "ORDER BY rank DESC, ticket_id DESC LIMIT %s",
            [" | ".join(map(_quoted, lexemes)), candidates, limit],
        )
        return [Hit(ticket_id=row[0], score=float(row[1])) for row in cursor.fetchall()]

    def _newest_matches(
        self, cursor: Any, lexemes: list[str], *, share: float, below: int
    ) -> list[int]:
        """The newest SIMILAR_CANDIDATES tickets with ids below ``below`` holding any of these
        words anywhere (a weight restriction would make the index recheck every candidate);
        ``share`` is the share of tickets expected to hold one.

        GIN yields its matches in no order, and walking the primary key backwards checks every
        ticket's words until enough match (400 matches of words in 3 % of tickets: 13,000
        documents unpacked). So the ids are read a window at a time, newest first, each window
        sized to hold SIMILAR_SPARE times the matches still wanted: one bitmap per word, ANDed
        with the window's range of the primary key, and only those rows are read. The planner
        prices checking a document's words far below what unpacking it costs and would walk
        the primary key through the window instead, so plain index scans are off meanwhile.
        """
        match = " OR ".join(["doc_all @@ to_tsquery('simple', %s)"] * len(lexemes))
        found: list[int] = []
        upper = below
        with _bitmap_scans_only(cursor):
            for window in range(SIMILAR_WINDOWS):
                wanted = SIMILAR_CANDIDATES - len(found)
                lower = _window_start(upper, wanted, share, last=window == SIMILAR_WINDOWS - 1)
                cursor.execute(
                    f"SELECT ticket_id FROM {TABLE} WHERE ({match}) "  # noqa: S608
                    "AND ticket_id >= %s AND ticket_id < %s ORDER BY ticket_id DESC LIMIT %s",
                    [*map(_quoted, lexemes), lower, upper, wanted],
                )
                ids = [row[0] for row in cursor.fetchall()]
                found += ids
                if len(ids) == wanted or lower == 0:
                    break
                # Fewer than expected: the words are rarer here than in the statistics' sample.
                share = len(ids) / (upper - lower) if ids else share / 4
                upper = lower
        return found

    def _distinctive(self, cursor: Any, text: str) -> list[tuple[str, float]]:
        """The text's words (stemmed) that few tickets share, rarest first, each with the share
        of tickets holding it: PostgreSQL's statistics of the column list the common words and
        how common each is; a word they leave out is rarer than the least common they list."""
        cursor.execute(f"SELECT tsvector_to_array(to_tsvector('{CONFIG}', %s))", [text])
        lexemes: list[str] = cursor.fetchone()[0] or []
        stats = _common_words(cursor)
        ranked = sorted(
            (stats.shares.get(lexeme, stats.floor), -len(lexeme), lexeme)
            for lexeme in lexemes
            if len(lexeme) > 2
        )
        chosen: list[tuple[str, float]] = []
        for share, _, lexeme in ranked:
            total = sum(s for _, s in chosen) + share
            if len(chosen) == SIMILAR_WORDS or share > COMMON_SHARE or total > SIMILAR_SHARE:
                break
            chosen.append((lexeme, share))
        return chosen


@contextmanager
def _bitmap_scans_only(cursor: Any) -> Iterator[None]:
    """No plain index scans for the statements run meanwhile: set for the transaction (or
    savepoint) around them, whose rollback undoes it after a failure, and reset after them."""
    with transaction.atomic(using=cursor.db.alias):
        cursor.execute("SET LOCAL enable_indexscan = off")
        yield
        cursor.execute("RESET enable_indexscan")


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _window_start(upper: int, wanted: int, share: float, *, last: bool) -> int:
    """The lowest id of the window of earlier tickets below ``upper`` to read next: enough ids
    to hold about SIMILAR_SPARE times the ``wanted`` matches at this ``share`` of tickets, or
    all of them when reading every match below costs less than a window's matches and range
    (or this is the last window)."""
    if last or share <= 0:
        return 0
    span = SIMILAR_SPARE * wanted / share
    if share * upper <= SIMILAR_SPARE * wanted + SIMILAR_ID_COST * span:
        return 0
    return max(0, upper - math.ceil(span))


@dataclass(frozen=True)
class WordShares:
    shares: dict[str, float]  # the share of tickets holding each common word
    floor: float  # any other word is in fewer (0 without statistics: nothing analyzed yet)


_common: tuple[float, WordShares] = (0.0, WordShares({}, 0.0))


def _common_words(cursor: Any) -> WordShares:
    """The most common words of ``doc_all`` and the share of tickets holding each, from the
    planner's statistics (kept by ANALYZE), read at most every STATS_TTL seconds."""
    global _common  # noqa: PLW0603 - a per-process cache of slowly changing statistics
    read_at, words = _common
    if time.monotonic() - read_at < STATS_TTL:
        return words
    cursor.execute(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE tablename = %s AND attname = 'doc_all'",
        [TABLE],
    )
    row = cursor.fetchone()
    if row and row[0]:
        # The frequencies are followed by their minimum, maximum and the share of empty ones.
        words = WordShares(dict(zip(row[0], row[1], strict=False)), float(row[1][len(row[0])]))
    else:
        words = WordShares({}, 0.0)
    _common = (time.monotonic(), words)
    return words
