"""PostgreSQL full-text search: a weighted ``tsvector`` per article under a GIN index."""

from __future__ import annotations

from typing import Any

from .base import (
    Hit,
    Query,
    restriction_sql,
    usable_groups,
)
from .text import Document, words

# Table and configuration names below are constants; every value travels as a parameter.
TABLE = "kb_article_search"
CONFIG = "english"
# Below this many matching articles ranking is exact; above it, the first found are ranked.
RANK_CANDIDATES = 500
# ts_rank takes the weights of the D (body), C (unused), B (symptoms) and A (title) labels.
# Title and symptoms still weigh most, but the body counts for more than in BM25 on SQLite:
# ts_rank has no inverse document frequency, so how many of the customer's words an article
# covers at all is the strongest evidence it has (hit@3 0.875 with body at 0.1, 0.95 at 0.3).
_WEIGHTS = "{0.3, 0.0, 0.6, 1.0}"


def _distinct(text: str) -> str:
    """Each word once: ts_rank then counts in how many fields a word occurs rather than how
    often, and the vector stays small enough to be stored inline, uncompressed, so ranking
    candidates does not decompress them."""
    return " ".join(dict.fromkeys(words(text)))


class PostgresBackend:
    vendor = "postgresql"

    def create_schema(self, cursor: Any) -> None:
        # No foreign key to kb_article: Django truncates its own tables without CASCADE (test
        # flushes, `flush`), which a reference from this table would refuse. Searches join on
        # kb_article, so a row left behind by a deleted article is never returned.
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "article_id bigint PRIMARY KEY, document tsvector NOT NULL)"
        )
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)"
        )

    def drop_schema(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index(self, cursor: Any, documents: list[Document]) -> None:
        cursor.executemany(
            f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, "  # noqa: S608
            f"setweight(to_tsvector('{CONFIG}', %s), 'A') || "
            f"setweight(to_tsvector('{CONFIG}', %s), 'B') || "
            f"setweight(to_tsvector('{CONFIG}', %s), 'D')) "
            "ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
            [
                (d.article_id, _distinct(d.title), _distinct(d.summary), _distinct(d.body))
                for d in documents
            ],
        )

    def search(self, cursor: Any, query: Query) -> list[Hit]:
        groups = usable_groups(query)
        if not groups:
            return []
        joiner = " & " if query.match_all else " | "
        tsquery = joiner.join("(" + " | ".join(g.alternatives) + ")" for g in groups)
        where, params = restriction_sql(query.restriction)
        # Rank at most RANK_CANDIDATES matches, the first the index yields: ts_rank reads every
        # candidate's tsvector, so a word found in 50,000 articles would cost ~100 ms. Without an
        # ORDER BY the bitmap scan stops after that many rows.
        cursor.execute(
            f"WITH candidates AS MATERIALIZED (SELECT article_id FROM {TABLE} "  # noqa: S608
            f"WHERE document @@ to_tsquery('{CONFIG}', %s) LIMIT %s) "
            f"SELECT s.article_id, ts_rank(%s::float4[], s.document, q) AS rank "
            f"FROM candidates c JOIN {TABLE} s ON s.article_id = c.article_id "
            f"JOIN kb_article a ON a.id = c.article_id, to_tsquery('{CONFIG}', %s) q "
            f"WHERE true{where} ORDER BY rank DESC, s.article_id LIMIT %s",
            [tsquery, RANK_CANDIDATES, _WEIGHTS, tsquery, *params, query.limit],
        )
        return [Hit(article_id=row[0], score=float(row[1])) for row in cursor.fetchall()]
