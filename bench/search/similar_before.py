"""Similar tickets as PostgreSQL answered them before the lookup was bounded per window of
ticket ids, kept to measure old and new in one run (``search_bench.py --similar-before``).

It took the newest 400 earlier tickets holding any of the text's 8 rarest words in one query;
rarity came from the column's most common elements, and a word missing from them counted as
the rarest of all.
"""

from __future__ import annotations

from typing import Any

from lifebuoy.tickets.search.base import Hit
from lifebuoy.tickets.search.postgres import CONFIG, TABLE, _common_words

WORDS = 8
CANDIDATES = 400
COMMON_SHARE = 0.02


def similar_before(
    backend: Any, cursor: Any, *, ticket_id: int, text: str, limit: int
) -> list[Hit]:
    cursor.execute(f"SELECT tsvector_to_array(to_tsvector('{CONFIG}', %s))", [text])
    lexemes: list[str] = cursor.fetchone()[0] or []
    frequency = _common_words(cursor).shares
    ranked = sorted(
        (frequency.get(lexeme, 0.0), lexeme)
        for lexeme in lexemes
        if frequency.get(lexeme, 0.0) <= COMMON_SHARE and len(lexeme) > 2
    )
    words = [lexeme for _, lexeme in ranked[:WORDS]]
    if not words:
        return []
    tsquery = " | ".join("'" + word.replace("'", "''") + "'" for word in words)
    cursor.execute(
        f"WITH candidates AS MATERIALIZED (SELECT s.ticket_id FROM {TABLE} s "
        "WHERE s.doc_all @@ to_tsquery('simple', %s) AND s.ticket_id < %s "
        "ORDER BY s.ticket_id DESC LIMIT %s) "
        "SELECT s.ticket_id, ts_rank('{0.1, 0.3, 0.6, 1.0}', s.doc_all, "
        "to_tsquery('simple', %s)) AS rank "
        f"FROM candidates c JOIN {TABLE} s ON s.ticket_id = c.ticket_id "
        "ORDER BY rank DESC, s.ticket_id DESC LIMIT %s",
        [tsquery, ticket_id, CANDIDATES, tsquery, limit],
    )
    return [Hit(ticket_id=row[0], score=float(row[1])) for row in cursor.fetchall()]
