"""Reads for the knowledge base. ``kb_article_get_for_user`` is the one gate for an article;
``kb_article_visible`` and ``kb_restriction_for`` carry the same rule into lists and search:
support staff see every article, everybody else only published customer-facing ones."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from lifebuoy.accounts.models import STAFF_ROLES, Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.core.parsing import parse_id
from lifebuoy.tickets.models import Ticket

from . import template
from .learning import learned_boosts, learned_version, rerank
from .models import (
    Article,
    ArticleRevision,
    Outcome,
    State,
    SuggestionRecord,
    TicketArticleLink,
    Visibility,
)
from .search import Hit, Restriction, run_search, search_stamps, vocabulary_current

SEARCH_LIMIT_MAX = 50
SUGGESTION_COUNT = 3
# Articles the engine ranks before learned words reorder them: the lift is at most 1.5×, so an
# article outside the engine's first twenty would not reach the first three anyway.
CANDIDATES = 20
SUGGEST_TTL = 300  # seconds a ticket's suggestions are kept while no article changes
WEEKLY_REVIEW_DAYS = 7
QUARTERLY_REVIEW_DAYS = 91
ARTICLE_NUMBER_MAX = 999_999_999  # nine digits: KB-1001 and on


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_active and user.is_support_staff


def kb_article_visible(*, user: User | None) -> QuerySet[Article]:
    """Every article ``user`` may read; without a signed-in staff member, the public ones."""
    if _is_staff(user):
        return Article.objects.all()
    return Article.objects.filter(state=State.PUBLISHED, visibility=Visibility.CUSTOMER)


def parse_article_key(key: str) -> int | None:
    """``KB-1001``, ``kb-1001`` or ``1001`` to 1001; anything else to None."""
    return parse_id(key.strip().upper().removeprefix("KB-"), max_value=ARTICLE_NUMBER_MAX)


def kb_article_get_for_user(*, user: User | None, key: str) -> Article:
    """The gate: an article that does not exist and one you may not read are the same 404."""
    number = parse_article_key(key)
    article = None
    if number is not None:
        article = (
            kb_article_visible(user=user).select_related("owner").filter(number=number).first()
        )
    if article is None:
        raise NotFound("article_not_found", f"Article {key} was not found.")
    return article


def kb_restriction_for(
    *,
    user: User | None,
    category: str | None = None,
    version: str | None = None,
    visibility: str | None = None,
    state: str | None = None,
) -> Restriction:
    """The search restriction for ``user``: filters narrow what the reader may see, never widen."""
    if _is_staff(user):
        states = (state,) if state else (State.PUBLISHED.value, State.DRAFT.value)
        visibilities = (
            (visibility,) if visibility else (Visibility.CUSTOMER.value, Visibility.INTERNAL.value)
        )
    else:
        states = (State.PUBLISHED.value,)
        visibilities = (Visibility.CUSTOMER.value,)
    return Restriction(
        states=states, visibilities=visibilities, category=category or None, version=version or None
    )


# Search results show a summary; the long text fields stay in the database.
_SUMMARY_ONLY = ("symptoms", "root_cause", "solution", "prevention", "body_html", "related")


def _load(ids: list[int]) -> list[Article]:
    found = Article.objects.defer(*_SUMMARY_ONLY).in_bulk(ids)
    return [found[i] for i in ids if i in found]


def _organization_of(user: User | None) -> int | None:
    """Whose learned words rank for ``user``: a customer's organization; staff draw only on
    words several organizations share (see ``lifebuoy.kb.learning``)."""
    if user is None or _is_staff(user):
        return None
    return user.organization_id


def _ranked(user: User | None, text: str, hits: list[Hit], limit: int) -> list[Article]:
    boosts = learned_boosts(
        organization_id=_organization_of(user),
        text=text,
        article_ids=[h.article_id for h in hits],
    )
    return _load(rerank(((h.article_id, h.score) for h in hits), boosts, limit))


def kb_search(
    *, user: User | None, text: str, restriction: Restriction, limit: int = 10
) -> list[Article]:
    """Ranked articles for a search box: every word must match (allowing typos, prefixes and
    the vocabulary's words for it); when nothing matches them all, articles matching any word.
    Learned words reorder the engine's first ``CANDIDATES``."""
    limit = max(1, min(limit, SEARCH_LIMIT_MAX))
    vocabulary = vocabulary_current()
    wanted = max(limit, CANDIDATES)
    hits = run_search(
        text,
        restriction=restriction,
        match_all=True,
        limit=wanted,
        complete_last=True,
        vocabulary=vocabulary,
    )
    if not hits:
        hits = run_search(
            text,
            restriction=restriction,
            match_all=False,
            limit=wanted,
            complete_last=True,
            vocabulary=vocabulary,
        )
    return _ranked(user, text, hits, limit)


def kb_suggest(
    *, user: User | None, subject: str, description: str, limit: int = SUGGESTION_COUNT
) -> list[Article]:
    """The articles most likely to answer a ticket with this subject and description."""
    restriction = kb_restriction_for(user=user, state=State.PUBLISHED.value)
    # The subject is the customer's own summary: counted twice, as a heavier query part.
    text = f"{subject}\n{subject}\n{description}"
    # Every view of a ticket asks again with the same text: the engine's answer is kept until
    # an article or the vocabulary changes (the key holds both stamps) or SUGGEST_TTL passes.
    # Learned words differ by organization and change often: the ranked articles are kept
    # apart, per reader's organization, until learned words are recorded again.
    articles_stamp, vocabulary_stamp = search_stamps()
    vocabulary = vocabulary_current(vocabulary_stamp)
    wanted = max(limit, CANDIDATES)
    key = (
        "kb:suggest:"
        + hashlib.sha256(
            repr((text, restriction, wanted, articles_stamp, vocabulary_stamp)).encode()
        ).hexdigest()
    )
    ranked_key = f"{key}:{limit}:{_organization_of(user)}:{learned_version()}"
    ranked: list[Article] | None = cache.get(ranked_key)
    if ranked is not None:
        return ranked
    hits: list[Hit] | None = cache.get(key)
    if hits is None:
        hits = run_search(
            text,
            restriction=restriction,
            match_all=False,
            limit=wanted,
            complete_last=False,
            vocabulary=vocabulary,
        )
        cache.set(key, hits, SUGGEST_TTL)
    ranked = _ranked(user, text, hits, limit)
    cache.set(ranked_key, ranked, SUGGEST_TTL)
    return ranked


def kb_article_list(
    *, user: User | None, restriction: Restriction, limit: int = 100
) -> list[Article]:
    """Articles without a search text, by ID, within ``restriction``."""
    qs = kb_article_visible(user=user).filter(
        state__in=restriction.states, visibility__in=restriction.visibilities
    )
    if restriction.category:
        qs = qs.filter(category=restriction.category)
    if restriction.version:
        qs = qs.filter(versions_key__contains=f"|{restriction.version}|")
    return list(qs.order_by("number")[:limit])


def kb_related_for_user(*, user: User | None, article: Article) -> list[Article]:
    numbers = [n for n in (parse_article_key(k) for k in article.related) if n is not None]
    return list(kb_article_visible(user=user).filter(number__in=numbers).order_by("number"))


def kb_revision_list(*, article: Article) -> QuerySet[ArticleRevision]:
    return article.revisions.select_related("editor")


def kb_articles_for_ticket(*, ticket: Ticket) -> list[Article]:
    links = TicketArticleLink.objects.filter(ticket=ticket).select_related("article")
    return [link.article for link in links]


def kb_weekly_review(*, now: datetime, limit: int = 10) -> list[Article]:
    """The most viewed published articles not reviewed in the past week."""
    cutoff = now - timedelta(days=WEEKLY_REVIEW_DAYS)
    return list(
        Article.objects.filter(state=State.PUBLISHED, view_count__gt=0)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff))
        .select_related("owner")
        .order_by("-view_count", "number")[:limit]
    )


def kb_quarterly_review(*, now: datetime) -> list[Article]:
    """Every published article not reviewed in the past quarter, longest-unreviewed first."""
    cutoff = now - timedelta(days=QUARTERLY_REVIEW_DAYS)
    return list(
        Article.objects.filter(state=State.PUBLISHED)
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__lt=cutoff))
        .select_related("owner")
        .order_by("reviewed_at", "number")
    )


def kb_can_review(*, user: User, article: Article) -> bool:
    return user.role in (Role.LEAD, Role.ADMIN) or article.owner_id == user.id


@dataclass(frozen=True)
class DeflectionRate:
    deflected: int
    submitted: int

    @property
    def attempts(self) -> int:
        return self.deflected + self.submitted

    @property
    def rate(self) -> float | None:
        """Share of attempts with suggestions that ended without a ticket."""
        return self.deflected / self.attempts if self.attempts else None


def kb_deflection_rate(
    *, since: datetime | None = None, until: datetime | None = None
) -> DeflectionRate:
    records = SuggestionRecord.objects.all()
    if since is not None:
        records = records.filter(created_at__gte=since)
    if until is not None:
        records = records.filter(created_at__lt=until)
    counts = records.aggregate(
        deflected=Count("id", filter=Q(outcome=Outcome.DEFLECTED)),
        submitted=Count("id", filter=Q(outcome=Outcome.SUBMITTED)),
    )
    return DeflectionRate(deflected=counts["deflected"], submitted=counts["submitted"])


def kb_ticket_draft(*, ticket: Ticket) -> template.ArticleDraft:
    """An article prefilled from a resolved ticket: the customer's words as issue and symptom,
    the agents' public replies as the solution, everything else to be written."""
    replies = [
        m.body.strip()
        for m in ticket.messages.filter(is_internal=False, author__role__in=STAFF_ROLES)
        if m.body.strip()
    ]
    description = ticket.description.strip()
    first_line = next((line for line in description.splitlines() if line.strip()), ticket.subject)
    return template.ArticleDraft(
        title=ticket.subject,
        issue=first_line.strip()[:300],
        affected_versions=["1.0"],
        severity="Medium",
        symptoms=[ticket.subject],
        root_cause="To be written: why this happened.",
        solution="\n\n".join(replies) or "To be written: the steps that fixed it.",
        prevention="To be written: how customers avoid it.",
        category="Common issues & solutions",
        visibility="internal",
        tags=[tag.name for tag in ticket.tags.all()],
    )


def kb_require_staff(*, user: User) -> None:
    """Revisions, review queues, ticket links and deflection figures are for support staff."""
    if not _is_staff(user):
        raise PermissionDenied("not_allowed", "This is available to support staff only.")
