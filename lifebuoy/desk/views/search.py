"""The desk's search page: tickets, people, organizations and articles for one query."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk.forms import DeskSearchForm
from lifebuoy.desk.selectors import SearchResults, desk_search, ticket_number_opened


@staff_required
def search_view(request: WSGIRequest) -> HttpResponse:
    """``#123`` (or ``123``) opens that ticket; other text shows what it finds, grouped."""
    user = signed_in_user(request)
    form = DeskSearchForm(request.GET)
    results: SearchResults | None = None
    with ServiceCall(request, form) as call:
        if form.is_valid():
            text = form.cleaned_data["q"]
            number = ticket_number_opened(user=user, text=text)
            if number is not None:
                return redirect("desk:detail", ticket_id=number)
            results = desk_search(user=user, text=text)
    context = {"form": form, "results": results, "q": form.data.get("q", "")}
    status = 200 if results is not None and not call.failed else 400
    return render(request, "desk/search.html", context, status=status)
