"""REST handlers for the knowledge base: parse, gate, call a service, return a schema.

Every read goes through the same selectors as the pages: customers only ever get published,
customer-facing articles; staff get everything.
"""

from __future__ import annotations

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.core.schemas import UtcDatetime
from lifebuoy.tickets.selectors import ticket_get_for_user

from . import selectors, services
from .drafts import draft_from_values, draft_with_changes
from .models import Article, ArticleRevision, Outcome, State, SuggestionRecord
from .schemas import (
    ArticleIn,
    ArticleOut,
    ArticlePatchIn,
    ArticleSummaryOut,
    DeflectionIn,
    DeflectionRateOut,
    LinkIn,
    ReviewOut,
    RevisionOut,
    SuggestionRecordOut,
)

router = Router(tags=["knowledge base"])


class SearchQuery(Schema):
    q: str = ""
    category: str = ""
    version: str = ""
    visibility: str = ""
    state: str = ""
    limit: int = 20


def _owner(owner_id: int | None) -> User | None:
    if owner_id is None:
        return None
    owner = User.objects.filter(id=owner_id, is_active=True).first()
    if owner is None or not owner.is_support_staff:
        raise NotFound("user_not_found", f"No member of the support staff with id {owner_id}.")
    return owner


@router.get("/articles", response=list[ArticleSummaryOut])
def article_list_api(request: AuthedRequest, query: Query[SearchQuery]) -> list[Article]:
    restriction = selectors.kb_restriction_for(
        user=request.auth,
        category=query.category,
        version=query.version,
        visibility=query.visibility,
        state=query.state,
    )
    if query.q.strip():
        return selectors.kb_search(
            user=request.auth, text=query.q, restriction=restriction, limit=query.limit
        )
    return selectors.kb_article_list(user=request.auth, restriction=restriction, limit=100)


@router.get("/search", response=list[ArticleSummaryOut])
def article_search_api(request: AuthedRequest, query: Query[SearchQuery]) -> list[Article]:
    return article_list_api(request, query)


@router.post("/articles", response={201: ArticleOut})
def article_create_api(request: AuthedRequest, payload: ArticleIn) -> Status[Article]:
    article = services.kb_article_create(
        actor=request.auth,
        draft=draft_from_values(payload.dict()),
        state=payload.state,
        owner=_owner(payload.owner_id),
        now=timezone.now(),
    )
    return Status(201, article)


@router.get("/articles/{key}", response=ArticleOut)
def article_detail_api(request: AuthedRequest, key: str) -> Article:
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    services.kb_article_record_view(article=article)
    return article


@router.patch("/articles/{key}", response=ArticleOut)
def article_update_api(request: AuthedRequest, key: str, payload: ArticlePatchIn) -> Article:
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    return services.kb_article_update(
        article=article,
        actor=request.auth,
        draft=draft_with_changes(article, payload.dict()),
        state=payload.state,
        owner=_owner(payload.owner_id),
        now=timezone.now(),
    )


@router.delete("/articles/{key}", response=ArticleOut)
def article_archive_api(request: AuthedRequest, key: str) -> Article:
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    return services.kb_article_set_state(
        article=article, actor=request.auth, state=State.ARCHIVED, now=timezone.now()
    )


@router.get("/articles/{key}/revisions", response=list[RevisionOut])
def revision_list_api(request: AuthedRequest, key: str) -> list[ArticleRevision]:
    selectors.kb_require_staff(user=request.auth)
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    return list(selectors.kb_revision_list(article=article))


@router.post("/articles/{key}/revisions/{number}/restore", response=ArticleOut)
def revision_restore_api(request: AuthedRequest, key: str, number: int) -> Article:
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    return services.kb_article_restore(
        article=article, actor=request.auth, revision_number=number, now=timezone.now()
    )


@router.post("/articles/{key}/reviewed", response=ArticleOut)
def article_reviewed_api(request: AuthedRequest, key: str) -> Article:
    article = selectors.kb_article_get_for_user(user=request.auth, key=key)
    return services.kb_article_mark_reviewed(
        article=article, actor=request.auth, now=timezone.now()
    )


@router.get("/suggestions", response=list[ArticleSummaryOut])
def suggestion_list_api(
    request: AuthedRequest, subject: str = "", description: str = ""
) -> list[Article]:
    return selectors.kb_suggest(user=request.auth, subject=subject, description=description)


@router.post("/deflections", response={201: SuggestionRecordOut})
def deflection_create_api(
    request: AuthedRequest, payload: DeflectionIn
) -> Status[SuggestionRecord | None]:
    article = selectors.kb_article_get_for_user(user=request.auth, key=payload.article)
    record = services.kb_suggestion_record(
        user=request.auth,
        outcome=Outcome.DEFLECTED,
        shown=payload.shown,
        article=article,
        subject=payload.subject,
        now=timezone.now(),
    )
    return Status(201, record)


@router.get("/deflection-rate", response=DeflectionRateOut)
def deflection_rate_api(
    request: AuthedRequest, since: UtcDatetime | None = None, until: UtcDatetime | None = None
) -> selectors.DeflectionRate:
    selectors.kb_require_staff(user=request.auth)
    return selectors.kb_deflection_rate(since=since, until=until)


@router.get("/review", response=ReviewOut)
def review_list_api(request: AuthedRequest) -> dict[str, list[Article]]:
    selectors.kb_require_staff(user=request.auth)
    now = timezone.now()
    return {
        "weekly": selectors.kb_weekly_review(now=now),
        "quarterly": selectors.kb_quarterly_review(now=now),
    }


@router.get("/tickets/{ticket_id}/articles", response=list[ArticleSummaryOut])
def ticket_article_list_api(request: AuthedRequest, ticket_id: int) -> list[Article]:
    selectors.kb_require_staff(user=request.auth)
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return selectors.kb_articles_for_ticket(ticket=ticket)


@router.post("/tickets/{ticket_id}/articles", response={201: list[ArticleSummaryOut]})
def ticket_article_link_api(
    request: AuthedRequest, ticket_id: int, payload: LinkIn
) -> Status[list[Article]]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    article = selectors.kb_article_get_for_user(user=request.auth, key=payload.article)
    services.kb_ticket_link(ticket=ticket, article=article, actor=request.auth, now=timezone.now())
    return Status(201, selectors.kb_articles_for_ticket(ticket=ticket))
