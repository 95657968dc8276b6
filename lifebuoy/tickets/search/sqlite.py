"""SQLite FTS5: one full-text row per ticket in ``ticket_search_fts``, ranked with BM25.

Columns: ``head`` (subject and number), ``body`` (description), ``people`` (requester,
organization, tags), ``replies`` (public messages) and ``notes`` (internal notes). A customer's
query carries a column filter naming the first four, so an internal note's words cannot match
for them, and their snippets are cut from those columns only. FTS5 cannot append to a column,
so a ticket's row is written again from its stored rows on every change (the embedded desk's
tickets are short; PostgreSQL appends instead).
"""

from __future__ import annotations

from typing import Any

from .base import MARK_END, MARK_START, RANK_CANDIDATES, Hit, NewTicketDocument, Within
from .query import STOP_WORDS, SearchQuery, words_of

# Table names below are constants; every value travels as a parameter.
TABLE = "ticket_search_fts"
PUBLIC_COLUMNS = ("head", "body", "people", "replies")
# BM25 weights of head, body, people, replies and notes (the A, B, B, C, C of PostgreSQL).
WEIGHTS = (10.0, 4.0, 4.0, 1.0, 1.0)
CHUNK = 500
SIMILAR_WORDS = 8
SIMILAR_CANDIDATES = 400

_BUILD = f"""
INSERT INTO {TABLE} (rowid, head, body, people, replies, notes)
SELECT t.id, t.subject || ' ' || t.id, t.description,
    u.full_name || ' ' || u.email || ' ' || o.name || ' ' || coalesce(
        (SELECT group_concat(g.name, ' ') FROM tickets_ticket_tags tt
         JOIN tickets_tag g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id), ''),
    coalesce((SELECT group_concat(m.body, ' ') FROM tickets_message m
              WHERE m.ticket_id = t.id AND NOT m.is_internal), ''),
    coalesce((SELECT group_concat(m.body, ' ') FROM tickets_message m
              WHERE m.ticket_id = t.id AND m.is_internal), '')
FROM tickets_ticket t
JOIN accounts_user u ON u.id = t.requester_id
JOIN accounts_organization o ON o.id = t.organization_id
WHERE t.id IN ({{ids}})
"""  # noqa: S608 - constant names, values as parameters


def _marks(n: int) -> str:
    return ", ".join(["%s"] * n)


class SqliteBackend:
    vendor = "sqlite"

    def create_schema(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "head, body, people, replies, notes, tokenize='porter unicode61 remove_diacritics 2')"
        )

    def drop_schema(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index_tickets(self, cursor: Any, ticket_ids: list[int]) -> None:
        for start in range(0, len(ticket_ids), CHUNK):
            chunk = ticket_ids[start : start + CHUNK]
            marks = _marks(len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608
            cursor.execute(_BUILD.format(ids=marks), chunk)

    def index_new_ticket(self, cursor: Any, document: NewTicketDocument) -> None:
        people = " ".join(
            [
                document.requester_name,
                document.requester_email,
                document.organization_name,
                " ".join(document.tags),
            ]
        )
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid = %s", [document.ticket_id])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {TABLE} (rowid, head, body, people, replies, notes) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, '', '')",
            [
                document.ticket_id,
                f"{document.subject} {document.ticket_id}",
                document.description,
                people,
            ],
        )

    def index_message(self, cursor: Any, *, ticket_id: int, body: str, is_internal: bool) -> None:
        self.index_tickets(cursor, [ticket_id])

    def match_sql(self, query: SearchQuery, *, public_only: bool) -> tuple[str, list[Any]]:
        columns = PUBLIC_COLUMNS if public_only else ()
        return f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [query.fts5(columns)]  # noqa: S608

    def search(
        self,
        cursor: Any,
        query: SearchQuery,
        *,
        public_only: bool,
        within: Within | None,
        limit: int,
    ) -> list[Hit]:
        match = query.fts5(PUBLIC_COLUMNS if public_only else ())
        scope, params = (
            ("", []) if within is None else (f"AND +rowid IN ({within.sql})", list(within.params))
        )
        # The newest RANK_CANDIDATES matches are ranked (a rowid bound FTS5 applies inside the
        # index), so a word found in half the tickets costs what a rarer one does. The "+" keeps
        # the visible tickets a filter on FTS5's matches: as the index's input, each visible
        # ticket would be one more FTS5 lookup.
        cursor.execute(
            f"SELECT rowid, bm25({TABLE}, %s, %s, %s, %s, %s) AS rank FROM {TABLE} "  # noqa: S608
            f"WHERE {TABLE} MATCH %s {scope} AND rowid >= coalesce((SELECT min(rowid) FROM ("
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s {scope} "
            "ORDER BY rowid DESC LIMIT %s)), 0) ORDER BY rank, rowid DESC LIMIT %s",
            [*WEIGHTS, match, *params, match, *params, RANK_CANDIDATES, limit],
        )
        return [Hit(ticket_id=row[0], score=-float(row[1])) for row in cursor.fetchall()]

    def snippets(
        self, cursor: Any, query: SearchQuery, *, public_only: bool, ticket_ids: list[int]
    ) -> dict[int, str]:
        if not ticket_ids:
            return {}
        # Column numbers in the order a passage is preferred: a reply, a note, the description,
        # the subject (never the people column: names and addresses make no passage).
        order = (3, 1, 0) if public_only else (3, 4, 1, 0)
        parts = ", ".join(
            f"snippet({TABLE}, {n}, '{MARK_START}', '{MARK_END}', ' … ', 24)" for n in order
        )
        cursor.execute(
            f"SELECT rowid, {parts} FROM {TABLE} WHERE {TABLE} MATCH %s "  # noqa: S608
            f"AND rowid IN ({_marks(len(ticket_ids))})",
            [query.fts5(PUBLIC_COLUMNS if public_only else ()), *ticket_ids],
        )
        found: dict[int, str] = {}
        for row in cursor.fetchall():
            passages = [p for p in row[1:] if p]
            marked = [p for p in passages if MARK_START in p]
            found[row[0]] = (marked or passages or [""])[0]
        return found

    def similar(self, cursor: Any, *, ticket_id: int, text: str, limit: int) -> list[Hit]:
        # Longer words first: without statistics, length is the best cheap hint of rarity.
        words = sorted(
            {w for w in words_of(text) if w not in STOP_WORDS and len(w) > 2 and not w.isdecimal()},
            key=lambda w: (-len(w), w),
        )[:SIMILAR_WORDS]
        if not words:
            return []
        match = "{head body} : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        cursor.execute(
            f"SELECT rowid, bm25({TABLE}, %s, %s, %s, %s, %s) AS rank FROM {TABLE} "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND rowid < %s AND rowid >= coalesce((SELECT min(rowid) "
            f"FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s AND rowid < %s "
            "ORDER BY rowid DESC LIMIT %s)), 0) ORDER BY rank, rowid DESC LIMIT %s",
            [*WEIGHTS, match, ticket_id, match, ticket_id, SIMILAR_CANDIDATES, limit],
        )
        return [Hit(ticket_id=row[0], score=-float(row[1])) for row in cursor.fetchall()]
