"""SQLite FTS5: a full-text table beside the articles, ranked with BM25 and field weights."""

from __future__ import annotations

from typing import Any

from .base import (
    BODY_WEIGHT,
    SUMMARY_WEIGHT,
    TITLE_WEIGHT,
    Hit,
    Query,
    restriction_sql,
    usable_groups,
)
from .text import Document

# Table and configuration names below are constants; every value travels as a parameter.
TABLE = "kb_article_fts"
# Below this many matching articles ranking is exact; above it, the first found are ranked.
RANK_CANDIDATES = 1000


class SqliteBackend:
    vendor = "sqlite"

    def create_schema(self, cursor: Any) -> None:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
            "title, summary, body, tokenize='porter unicode61 remove_diacritics 2')"
        )

    def drop_schema(self, cursor: Any) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def index(self, cursor: Any, documents: list[Document]) -> None:
        ids = [(d.article_id,) for d in documents]
        cursor.executemany(f"DELETE FROM {TABLE} WHERE rowid = %s", ids)  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [(d.article_id, d.title, d.summary, d.body) for d in documents],
        )

    def search(self, cursor: Any, query: Query) -> list[Hit]:
        groups = usable_groups(query)
        if not groups:
            return []
        joiner = " AND " if query.match_all else " OR "
        match = joiner.join(
            "(" + " OR ".join(f'"{alt}"' for alt in g.alternatives) + ")" for g in groups
        )
        where, params = restriction_sql(query.restriction)
        # Rank at most RANK_CANDIDATES matches, the first the index yields (lowest rowids): FTS5
        # scores every row it returns, so a word found in 50,000 articles would otherwise cost
        # ~40 ms. The bound is a rowid range, which FTS5 applies inside the index.
        cursor.execute(
            f"SELECT f.rowid, bm25({TABLE}, %s, %s, %s) AS rank "  # noqa: S608
            f"FROM {TABLE} f JOIN kb_article a ON a.id = f.rowid "
            f"WHERE {TABLE} MATCH %s AND f.rowid <= (SELECT max(rowid) FROM ("
            f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s))"
            f"{where} ORDER BY rank LIMIT %s",
            [
                TITLE_WEIGHT,
                SUMMARY_WEIGHT,
                BODY_WEIGHT,
                match,
                match,
                RANK_CANDIDATES,
                *params,
                query.limit,
            ],
        )
        return [Hit(article_id=row[0], score=-row[1]) for row in cursor.fetchall()]
