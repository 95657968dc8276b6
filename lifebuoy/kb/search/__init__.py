"""Knowledge-base search behind one interface; the backend follows the database in use.

SQLite (the embedded default) uses FTS5, PostgreSQL its full-text search with a GIN index.
Both receive the same parsed query: words without stop words, each expanded by
``terms.expand`` into the known words it may stand for (typos, unfinished words) and by the
domain vocabulary (``vocabulary``) into the articles' words for the customer's.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from .base import Hit, Query, Restriction, SearchBackend
from .postgres import PostgresBackend
from .sqlite import SqliteBackend
from .terms import expand, remember
from .text import Document, document_for, words
from .vocabulary import Vocabulary, search_stamps, vocabulary_current

__all__ = [
    "Document",
    "Hit",
    "Query",
    "Restriction",
    "SearchBackend",
    "Vocabulary",
    "backend_for",
    "document_for",
    "index_documents",
    "run_search",
    "search_stamps",
    "vocabulary_current",
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
    text: str,
    *,
    restriction: Restriction,
    match_all: bool,
    limit: int,
    complete_last: bool,
    vocabulary: Vocabulary | None = None,
) -> list[Hit]:
    """Ranked hits for ``text``; ``vocabulary`` (default: the current one) widens its words."""
    unique = list(dict.fromkeys(words(text)))[:64]
    groups = expand(unique, complete_last=complete_last)
    if vocabulary is None:
        vocabulary = vocabulary_current()
    groups = vocabulary.widen(text, groups, add_groups=not match_all)
    query = Query(groups=tuple(groups), restriction=restriction, match_all=match_all, limit=limit)
    with connection.cursor() as cursor:
        return backend_for(connection).search(cursor, query)
