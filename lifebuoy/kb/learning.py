"""Which words an article answers, learned from use: a small, bounded lift in ranking.

Two signals teach it: a customer's "this solved my problem" on a suggestion (the words of the
ticket they were writing) and an article that staff linked to a ticket (the ticket's subject
and description). Each is counted per organization in ``LearnedTerm``.

Invariants:
- bounded: an article's score is multiplied by at most ``1 + BOOST_MAX``, however many signals
  it collects, so an article the text does not support cannot climb past a much better match;
- an organization's words stay its own: a reader sees the counts of their own organization,
  and other organizations' counts only for a word that at least ``MIN_ORGANIZATIONS``
  organizations taught the same article. One customer's ticket can therefore never move
  another organization's results, so results cannot reveal what another organization wrote;
- the lift only reorders articles the reader's search already found: it never adds one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Final
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from .models import LearnedTerm
from .search.text import words

BOOST_MAX: Final = 0.5  # the largest lift: score × 1.5
MIN_ORGANIZATIONS: Final = 3  # organizations that must agree before a word is shared
SATURATION: Final = 3.0  # signals after which a word counts (1 - 1/e ≈ 63 %) fully
FULL_EVIDENCE: Final = 2.0  # two distinctive, well-taught words earn the whole lift
MAX_TERMS: Final = 40  # words taken from one text


def learnable_terms(text: str) -> list[str]:
    """The distinct words of ``text`` worth learning, in order (no numbers, at most 40)."""
    found = (w for w in words(text) if not w.isdigit())
    return list(dict.fromkeys(found))[:MAX_TERMS]


# Changes (to a new random value) whenever learned words are recorded: what was ranked with
# them before is ranked again (``lifebuoy.kb.selectors.kb_suggest`` keys its cache with it).
LEARNED_VERSION_KEY: Final = "kb:learned:version"


def learned_version() -> str:
    return str(cache.get(LEARNED_VERSION_KEY, ""))


def _learned_changed() -> None:
    cache.set(LEARNED_VERSION_KEY, uuid4().hex, None)


def learned_term_record(*, organization_id: int, article_id: int, text: str, now: datetime) -> int:
    """Count one signal that ``text`` was answered by the article; returns the words counted.

    Two concurrent first signals for the same word may count once: harmless for a ranking
    hint, and cheaper than locking."""
    terms = learnable_terms(text)
    if not terms:
        return 0
    mine = LearnedTerm.objects.filter(organization_id=organization_id, article_id=article_id)
    mine.filter(term__in=terms).update(count=F("count") + 1, updated_at=now)
    known = set(mine.filter(term__in=terms).values_list("term", flat=True))
    LearnedTerm.objects.bulk_create(
        [
            LearnedTerm(
                organization_id=organization_id,
                article_id=article_id,
                term=term,
                count=1,
                updated_at=now,
            )
            for term in terms
            if term not in known
        ],
        ignore_conflicts=True,
    )
    # Now, for this transaction's own reads, and again after the commit: a ranking another
    # process made in between, from the words before this change, is not kept.
    _learned_changed()
    transaction.on_commit(_learned_changed)
    return len(terms)


def _visible_counts(
    *, organization_id: int | None, terms: list[str], article_ids: Collection[int] | None
) -> dict[str, dict[int, int]]:
    """term -> article -> signals the reader may draw on (see the module's invariants)."""
    learned = LearnedTerm.objects.filter(term__in=terms)
    if article_ids is not None:
        learned = learned.filter(article_id__in=list(article_ids))
    rows = learned.values("term", "article_id").annotate(
        organizations=Count("organization_id", distinct=True),
        own=Sum("count", filter=Q(organization_id=organization_id)),
        total=Sum("count"),
    )
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        shared = row["organizations"] >= MIN_ORGANIZATIONS
        n = row["total"] if shared else (row["own"] or 0)
        if n > 0:
            counts[row["term"]][row["article_id"]] = n
    return counts


def boost_from_counts(counts: dict[str, dict[int, int]]) -> dict[int, float]:
    """The lift per article, in [0, BOOST_MAX].

    A word counts by how distinctive it is (the share of its signals that went to this
    article: "agent" points everywhere, "invoice" to one place) and by how often it was
    taught (saturating: the hundredth signal adds almost nothing)."""
    evidence: dict[int, float] = defaultdict(float)
    for per_article in counts.values():
        total = sum(per_article.values())
        for article_id, n in per_article.items():
            evidence[article_id] += (n / total) * (1 - math.exp(-n / SATURATION))
    return {a: BOOST_MAX * min(1.0, e / FULL_EVIDENCE) for a, e in evidence.items()}


def learned_boosts(
    *, organization_id: int | None, text: str, article_ids: Collection[int] | None = None
) -> dict[int, float]:
    """Article id -> lift for a reader of ``organization_id`` (None: staff, shared words only),
    among ``article_ids`` (the articles being ranked: how distinctive a word is is judged
    among them) or among all articles."""
    terms = learnable_terms(text)
    if not terms or (article_ids is not None and not article_ids):
        return {}
    counts = _visible_counts(organization_id=organization_id, terms=terms, article_ids=article_ids)
    return boost_from_counts(counts)


def rerank(hits: Iterable[tuple[int, float]], boosts: dict[int, float], limit: int) -> list[int]:
    """Article ids by score × (1 + lift), best first; ties keep the engine's order."""
    scored = [(score * (1 + boosts.get(a, 0.0)), -i, a) for i, (a, score) in enumerate(hits)]
    scored.sort(reverse=True)
    return [a for _, _, a in scored[:limit]]
