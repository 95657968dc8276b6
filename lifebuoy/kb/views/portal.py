"""Knowledge-base pages in the customer portal, and "this solved my problem"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user
from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.kb import selectors, services
from lifebuoy.kb.forms import SearchForm, SolvedForm, parse_shown
from lifebuoy.kb.models import Article, Category, Outcome
from lifebuoy.tickets.models import Ticket


def _article(user: User, key: str) -> Article:
    try:
        return selectors.kb_article_get_for_user(user=user, key=key)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def kb_home_view(request: WSGIRequest) -> HttpResponse:
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
def kb_article_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    article = _article(user, key)
    services.kb_article_record_view(article=article)
    related = selectors.kb_related_for_user(user=user, article=article)
    return render(request, "kb/portal_article.html", {"article": article, "related": related})


@login_required
@require_POST
def kb_solved_view(request: WSGIRequest) -> HttpResponse:
    """The customer read a suggestion and needs no ticket: a deflection."""
    user = signed_in_user(request)
    form = SolvedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That did not work; please try again.")
        return redirect("portal:create")
    article = _article(user, form.cleaned_data["article"])
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
