"""Knowledge-base search behind one interface; the backend follows the database in use.

SQLite (the embedded default) uses FTS5, PostgreSQL its full-text search with a GIN index.
Both receive the same parsed query: words without stop words, each expanded by
``terms.expand`` into the known words it may stand for (typos, unfinished words).
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from .base import Hit, Query, Restriction, SearchBackend
from .postgres import PostgresBackend
from .sqlite import SqliteBackend
from .terms import expand, remember
from .text import Document, document_for, words

__all__ = [
    "Document",
    "Hit",
    "Query",
    "Restriction",
    "SearchBackend",
    "backend_for",
    "document_for",
    "index_documents",
    "run_search",
]

_BACKENDS: dict[str, SearchBackend] = {
    "sqlite": SqliteBackend(),
    "postgresql": PostgresBackend(),
}


def backend_for(conn: Any = connection) -> SearchBackend:
    try:
        return _BACKENDS[conn.vendor]
    except KeyError:
        raise RuntimeError(f"No knowledge-base search backend for {conn.vendor}") from None


def index_documents(documents: list[Document]) -> None:
    """Write ``documents`` into the index; call inside the transaction that saved them."""
    if not documents:
        return
    vocabulary: set[str] = set()
    for document in documents:
        vocabulary |= document.vocabulary()
    remember(vocabulary)
    with connection.cursor() as cursor:
        backend_for(connection).index(cursor, documents)


def run_search(
    text: str, *, restriction: Restriction, match_all: bool, limit: int, complete_last: bool
) -> list[Hit]:
    unique = list(dict.fromkeys(words(text)))[:64]
    groups = expand(unique, complete_last=complete_last)
    query = Query(groups=tuple(groups), restriction=restriction, match_all=match_all, limit=limit)
    with connection.cursor() as cursor:
        return backend_for(connection).search(cursor, query)
