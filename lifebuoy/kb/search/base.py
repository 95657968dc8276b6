"""The search interface every backend implements, and the query it receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .terms import TermGroup
from .text import Document

# Relative weight of a match in each field: the title says what the article is about, the
# symptoms are written in the words customers use, the body is long and talks about much.
TITLE_WEIGHT = 10.0
SUMMARY_WEIGHT = 4.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class Restriction:
    """Which articles may be returned at all. Built by the selectors from the reader's rights."""

    states: tuple[str, ...]
    visibilities: tuple[str, ...]
    category: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class Query:
    groups: tuple[TermGroup, ...]
    restriction: Restriction
    match_all: bool  # every word must match (searching) or any word may (suggesting)
    limit: int = 10


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float  # higher is better, comparable only within one result list


class SearchBackend(Protocol):
    vendor: str

    def create_schema(self, cursor: Any) -> None: ...

    def drop_schema(self, cursor: Any) -> None: ...

    def index(self, cursor: Any, documents: list[Document]) -> None: ...

    def search(self, cursor: Any, query: Query) -> list[Hit]: ...


def restriction_sql(restriction: Restriction) -> tuple[str, list[Any]]:
    """``AND …`` conditions on the article table (alias ``a``) and their parameters."""
    parts = [
        f"a.state IN ({', '.join(['%s'] * len(restriction.states))})",
        f"a.visibility IN ({', '.join(['%s'] * len(restriction.visibilities))})",
    ]
    params: list[Any] = [*restriction.states, *restriction.visibilities]
    if restriction.category:
        parts.append("a.category = %s")
        params.append(restriction.category)
    if restriction.version:
        parts.append("a.versions_key LIKE %s")
        params.append(f"%|{restriction.version}|%")
    return " AND " + " AND ".join(parts), params


def usable_groups(query: Query) -> list[TermGroup]:
    """Groups that can match; with ``match_all`` one unmatched word empties the result."""
    groups = [g for g in query.groups if g.alternatives]
    if query.match_all and len(groups) < len(query.groups):
        return []
    return groups
