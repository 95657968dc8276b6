"""The knowledge base's pages: the agents' editor under /desk/kb/ (search, write in the
template, revisions, reviews, links) and, below it, the customers' pages under /portal/kb/
(search, read, "this solved my problem")."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.kb import selectors, services
from lifebuoy.kb.drafts import draft_from_article, parse_or_error
from lifebuoy.kb.forms import (
    BLANK_ARTICLE,
    ArticleEditorForm,
    LinkForm,
    SearchForm,
    SolvedForm,
    StaffSearchForm,
    parse_shown,
)
from lifebuoy.kb.models import Article, Category, Outcome, State
from lifebuoy.kb.template import render_article
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import ticket_get_for_user


@staff_required
def kb_list_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = StaffSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    restriction = selectors.kb_restriction_for(
        user=user,
        category=data.get("category"),
        version=data.get("version"),
        visibility=data.get("visibility"),
        state=data.get("state"),
    )
    text = data.get("q") or ""
    if text.strip():
        articles = selectors.kb_search(user=user, text=text, restriction=restriction, limit=50)
    else:
        articles = selectors.kb_article_list(user=user, restriction=restriction, limit=500)
    return render(request, "kb/desk_list.html", {"form": form, "articles": articles})


def _initial_markdown(request: WSGIRequest, user: User) -> str:
    ticket_id = parse_id(request.GET.get("ticket"))
    if ticket_id is not None:
        ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
        return render_article(selectors.kb_ticket_draft(ticket=ticket))
    return BLANK_ARTICLE


@staff_required
def kb_create_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ArticleEditorForm(
        request.POST or None, initial={"markdown": _initial_markdown(request, user)}
    )
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            article = services.kb_article_create(
                actor=user,
                draft=parse_or_error(form.cleaned_data["markdown"]),
                state=form.cleaned_data["state"],
                owner=form.cleaned_data["owner"],
                now=timezone.now(),
            )
            messages.success(request, f"{article.article_id} created.")
            return redirect("kb:detail", key=article.article_id)
    return render(request, "kb/desk_edit.html", {"form": form, "article": None})


@staff_required
def kb_detail_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.kb_article_get_for_user(user=user, key=key)
    context = {
        "article": article,
        "related": selectors.kb_related_for_user(user=user, article=article),
        "revisions": selectors.kb_revision_list(article=article),
        "states": State.choices,
        "can_review": selectors.kb_can_review(user=user, article=article),
    }
    return render(request, "kb/desk_detail.html", context)


@staff_required
def kb_edit_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.kb_article_get_for_user(user=user, key=key)
    initial = {
        "markdown": render_article(draft_from_article(article)),
        "state": article.state,
        "owner": article.owner_id,
    }
    form = ArticleEditorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            services.kb_article_update(
                article=article,
                actor=user,
                draft=parse_or_error(form.cleaned_data["markdown"]),
                state=form.cleaned_data["state"],
                owner=form.cleaned_data["owner"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
            )
            messages.success(request, f"{article.article_id} saved.")
            return redirect("kb:detail", key=article.article_id)
    return render(request, "kb/desk_edit.html", {"form": form, "article": article})


def _act(
    request: WSGIRequest, article: Article, done: str, action: Callable[[], object]
) -> HttpResponse:
    with ServiceCall(request):
        action()
        messages.success(request, done)
    return redirect("kb:detail", key=article.article_id)


@staff_required
@require_POST
def kb_state_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.kb_article_get_for_user(user=user, key=key)
    state = request.POST.get("state", "")
    return _act(
        request,
        article,
        f"{article.article_id} is now {state}.",
        lambda: services.kb_article_set_state(
            article=article, actor=user, state=state, now=timezone.now()
        ),
    )


@staff_required
@require_POST
def kb_restore_view(request: WSGIRequest, key: str, number: int) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.kb_article_get_for_user(user=user, key=key)
    return _act(
        request,
        article,
        f"Revision {number} restored.",
        lambda: services.kb_article_restore(
            article=article, actor=user, revision_number=number, now=timezone.now()
        ),
    )


@staff_required
@require_POST
def kb_reviewed_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = selectors.kb_article_get_for_user(user=user, key=key)
    return _act(
        request,
        article,
        f"{article.article_id} marked as reviewed.",
        lambda: services.kb_article_mark_reviewed(article=article, actor=user, now=timezone.now()),
    )


@staff_required
def kb_review_view(request: WSGIRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "weekly": selectors.kb_weekly_review(now=now),
        "quarterly": selectors.kb_quarterly_review(now=now),
        "deflection": selectors.kb_deflection_rate(),
    }
    return render(request, "kb/desk_review.html", context)


@staff_required
@require_POST
def kb_link_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """Link an article to a ticket from the ticket page."""
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Name the article to link, for example KB-1001.")
        return redirect("desk:detail", ticket_id=ticket.id)
    with ServiceCall(request):
        article = selectors.kb_article_get_for_user(user=user, key=form.cleaned_data["article"])
        services.kb_ticket_link(ticket=ticket, article=article, actor=user, now=timezone.now())
        messages.success(request, f"{article.article_id} linked to {ticket.number}.")
    return redirect("desk:detail", ticket_id=ticket.id)


# The customer portal


def _portal_article(user: User, key: str) -> Article:
    try:
        return selectors.kb_article_get_for_user(user=user, key=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def portal_kb_home_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    restriction = selectors.kb_restriction_for(
        user=user, category=data.get("category"), version=data.get("version")
    )
    text = data.get("q") or ""
    if text.strip():
        articles = selectors.kb_search(user=user, text=text, restriction=restriction, limit=20)
    else:
        articles = selectors.kb_article_list(user=user, restriction=restriction)
    context = {"form": form, "articles": articles, "searched": bool(text.strip())}
    context["categories"] = Category.choices
    return render(request, "kb/portal_home.html", context)


@login_required
def portal_kb_article_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = _portal_article(user, key)
    services.kb_article_record_view(article=article)
    related = selectors.kb_related_for_user(user=user, article=article)
    return render(request, "kb/portal_article.html", {"article": article, "related": related})


@login_required
@require_POST
def portal_kb_solved_view(request: WSGIRequest) -> HttpResponse:
    """The customer read a suggestion and needs no ticket: a deflection."""
    user = signed_in_user(request)
    form = SolvedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That did not work; please try again.")
        return redirect("portal:create")
    article = _portal_article(user, form.cleaned_data["article"])
    services.kb_suggestion_record(
        user=user,
        outcome=Outcome.DEFLECTED,
        shown=parse_shown(form.cleaned_data["shown"]),
        article=article,
        subject=form.cleaned_data["subject"],
        now=timezone.now(),
    )
    messages.success(request, "Glad that helped. No ticket was opened.")
    return redirect("kb_portal:article", key=article.article_id)


def kb_record_submitted(request: WSGIRequest, ticket: Ticket) -> None:
    """Called by the portal's new-ticket view: the customer saw suggestions (their numbers
    come in the form's ``kb_shown`` field) and submitted the ticket anyway."""
    services.kb_suggestion_record(
        user=signed_in_user(request),
        outcome=Outcome.SUBMITTED,
        shown=parse_shown(request.POST.get("kb_shown", "")),
        ticket=ticket,
        subject=ticket.subject,
        now=timezone.now(),
    )
