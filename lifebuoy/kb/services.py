"""Writes for the knowledge base: articles and their revisions, links to tickets, suggestion
outcomes, views and reviews.

Invariants:
- every change to an article writes an ArticleRevision (a full snapshot, the editor, the
  changed fields) and re-indexes the article in the same transaction, so search never
  disagrees with what is stored;
- only support staff write articles; customers only produce views and suggestion records;
- a deflection with its article and a new link of an article to a ticket each teach the
  ranking the words that article answered, for the organization concerned only
  (``lifebuoy.kb.learning``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.tickets.models import Ticket

from . import template
from .drafts import document_of, draft_from_values, fields_from_draft, snapshot
from .learning import learned_term_record
from .models import (
    Article,
    ArticleRevision,
    Outcome,
    State,
    SuggestionRecord,
    TicketArticleLink,
)
from .search import index_documents
from .selectors import kb_can_review, kb_quarterly_review, kb_weekly_review

FIRST_NUMBER = 1001


def _require_staff(actor: User) -> None:
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can change articles.")


def _check_state(state: str) -> None:
    if state not in State.values:
        raise ValidationFailed.for_fields({"state": f"Choose one of: {', '.join(State.values)}."})


def _revise(article: Article, actor: User | None, now: datetime, note: str) -> ArticleRevision:
    """Record the article as it now is, with the fields that differ from the last revision."""
    previous = article.revisions.order_by("-number").first()
    current = snapshot(article)
    if previous is None:
        changed = ["created"]
    else:
        changed = [k for k, v in current.items() if previous.snapshot.get(k) != v]
    revision = ArticleRevision.objects.create(
        article=article,
        number=(previous.number + 1) if previous else 1,
        editor=actor,
        snapshot=current,
        changed_fields=changed,
        note=note[:200],
        created_at=now,
    )
    index_documents([document_of(article)])
    return revision


def _next_number() -> int:
    highest = Article.objects.aggregate(highest=Max("number"))["highest"]
    return max(FIRST_NUMBER, (highest or 0) + 1)


@transaction.atomic
def kb_article_create(
    *,
    actor: User,
    draft: template.ArticleDraft,
    now: datetime,
    state: str = State.DRAFT,
    owner: User | None = None,
) -> Article:
    """A new article from the template; it gets the next free ``KB-<number>``."""
    _require_staff(actor)
    _check_state(state)
    article = Article.objects.create(
        number=_next_number(),
        state=state,
        owner=owner or actor,
        last_updated=now.date(),
        published_at=now if state == State.PUBLISHED else None,
        created_at=now,
        **fields_from_draft(draft),
    )
    _revise(article, actor, now, "Created")
    return article


@transaction.atomic
def kb_article_update(
    *,
    article: Article,
    actor: User,
    draft: template.ArticleDraft,
    now: datetime,
    state: str | None = None,
    owner: User | None = None,
    note: str = "",
) -> Article:
    """Replace the article's template fields (and optionally state and owner)."""
    _require_staff(actor)
    if state is not None:
        _check_state(state)
    article = Article.objects.select_for_update().get(id=article.id)
    for name, value in fields_from_draft(draft).items():
        setattr(article, name, value)
    if state is not None and state != article.state:
        if state == State.PUBLISHED and article.published_at is None:
            article.published_at = now
        article.state = state
    if owner is not None:
        article.owner = owner
    article.last_updated = now.date()
    article.save()
    _revise(article, actor, now, note or "Edited")
    return article


@transaction.atomic
def kb_article_set_state(*, article: Article, actor: User, state: str, now: datetime) -> Article:
    """Publish, archive or return an article to draft."""
    _require_staff(actor)
    _check_state(state)
    article = Article.objects.select_for_update().get(id=article.id)
    if article.state == state:
        return article
    article.state = state
    fields = ["state", "updated_at"]
    if state == State.PUBLISHED and article.published_at is None:
        article.published_at = now
        fields.append("published_at")
    article.save(update_fields=fields)
    _revise(article, actor, now, f"State set to {state}")
    return article


@transaction.atomic
def kb_article_restore(
    *, article: Article, actor: User, revision_number: int, now: datetime
) -> Article:
    """Bring back an earlier revision's content, state and owner, as a new revision."""
    _require_staff(actor)
    revision = article.revisions.filter(number=revision_number).first()
    if revision is None:
        raise NotFound(
            "revision_not_found", f"{article.article_id} has no revision {revision_number}."
        )
    data: dict[str, Any] = dict(revision.snapshot)
    draft = draft_from_values(data)
    owner_id = data.get("owner_id")
    owner = User.objects.filter(id=owner_id).first() if owner_id else None
    return kb_article_update(
        article=article,
        actor=actor,
        draft=draft,
        state=data.get("state"),
        owner=owner,
        now=now,
        note=f"Restored revision {revision_number}",
    )


def kb_article_record_view(*, article: Article) -> None:
    """Count one read of the article (in SQL, so concurrent readers are all counted)."""
    Article.objects.filter(id=article.id).update(view_count=F("view_count") + 1)


@transaction.atomic
def kb_article_mark_reviewed(*, article: Article, actor: User, now: datetime) -> Article:
    """A support lead or the owner confirms the article is still right; reminders stop."""
    if not kb_can_review(user=actor, article=article):
        raise PermissionDenied("not_allowed", "Only a support lead or the owner can review this.")
    article.reviewed_at = now
    article.review_reminded_at = None
    article.save(update_fields=["reviewed_at", "review_reminded_at"])
    return article


@transaction.atomic
def kb_ticket_link(
    *, ticket: Ticket, article: Article, actor: User, now: datetime
) -> TicketArticleLink:
    """Record that ``article`` answered ``ticket``. Linking twice keeps the first link."""
    _require_staff(actor)
    if article.state == State.ARCHIVED:
        raise InvalidState("article_archived", f"{article.article_id} is archived.")
    link, created = TicketArticleLink.objects.get_or_create(
        ticket=ticket, article=article, defaults={"linked_by": actor, "created_at": now}
    )
    if created:
        learned_term_record(
            organization_id=ticket.organization_id,
            article_id=article.id,
            text=f"{ticket.subject}\n{ticket.description}",
            now=now,
        )
    return link


@transaction.atomic
def kb_suggestion_record(
    *,
    user: User,
    outcome: str,
    shown: list[int],
    now: datetime,
    article: Article | None = None,
    ticket: Ticket | None = None,
    subject: str = "",
) -> SuggestionRecord | None:
    """How one portal attempt with suggestions ended: solved by an article (a deflection) or
    a ticket submitted anyway. Nothing is recorded when no suggestion was shown."""
    if outcome not in Outcome.values:
        raise ValidationFailed.for_fields({"outcome": "Unknown outcome."})
    numbers = list(dict.fromkeys(shown))[:20]
    if article is not None and article.number not in numbers:
        numbers.insert(0, article.number)
    if not numbers:
        return None
    if outcome == Outcome.DEFLECTED and article is not None and user.organization_id:
        learned_term_record(
            organization_id=user.organization_id, article_id=article.id, text=subject, now=now
        )
    return SuggestionRecord.objects.create(
        user=user,
        organization_id=user.organization_id,
        outcome=outcome,
        shown=numbers,
        article=article,
        ticket=ticket,
        subject=subject[:200],
        created_at=now,
    )


def kb_review_reminders_send(*, now: datetime) -> int:
    """Email each owner the articles of theirs due for the weekly or quarterly review.

    Sent at most once a day per article, and again every time until it is marked reviewed.
    Returns the number of emails sent."""
    due = {a.id: a for a in [*kb_weekly_review(now=now), *kb_quarterly_review(now=now)]}
    by_owner: dict[int, list[Article]] = defaultdict(list)
    for article in due.values():
        reminded = article.review_reminded_at
        if article.owner is None or (reminded and (now - reminded).total_seconds() < 86_400):
            continue
        by_owner[article.owner.id].append(article)
    for articles in by_owner.values():
        owner = articles[0].owner
        assert owner is not None  # noqa: S101  # grouped by owner above
        lines = [f"- {a.article_id} {a.title} ({a.view_count} views)" for a in articles]
        send_mail(
            subject=f"{len(articles)} knowledge-base article(s) due for review",
            message="Please review and mark as reviewed:\n" + "\n".join(lines),
            from_email=None,
            recipient_list=[owner.email],
        )
        Article.objects.filter(id__in=[a.id for a in articles]).update(review_reminded_at=now)
    return len(by_owner)


@transaction.atomic
def kb_reindex(*, batch_size: int = 1000) -> int:
    """Rebuild the search index of every article (after a restore from backup, say)."""
    count = 0
    for start in range(0, Article.objects.count(), batch_size):
        batch = list(Article.objects.order_by("id")[start : start + batch_size])
        index_documents([document_of(a) for a in batch])
        count += len(batch)
    return count
