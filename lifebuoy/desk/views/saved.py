"""Saved queue views: save the queue as it is, and rename, share, reorder or delete a view."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk import selectors, services
from lifebuoy.desk.forms import SavedViewEditForm, SaveViewForm
from lifebuoy.desk.models import Audience, SavedView


def saved_view_url(view: SavedView) -> str:
    query = f"{view.query}&saved={view.id}" if view.query else f"saved={view.id}"
    return f"{reverse('desk:queue')}?{query}"


@staff_required
@require_POST
def saved_view_create_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SaveViewForm(request.POST)
    back = f"{reverse('desk:queue')}?{form.data.get('query', '')}"
    if not form.is_valid():
        messages.error(request, "The view was not saved: " + form.errors.as_text())
        return redirect(back)
    with ServiceCall(request):
        view = services.saved_view_create(
            owner=user,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
            audience=form.cleaned_data["audience"] or Audience.PRIVATE,
            now=timezone.now(),
        )
        messages.success(request, f"Saved the view “{view.name}”.")
        return redirect(saved_view_url(view))
    return redirect(back)


@staff_required
def saved_view_list_view(request: WSGIRequest) -> HttpResponse:
    """The agent's own views, and for leads the shared ones, to rename, share, move or delete."""
    user = signed_in_user(request)
    mine, shared = selectors.saved_view_list_for_user(user=user)
    editable_shared = [v for v in shared if selectors.saved_view_editable(user=user, view=v)]
    rows = [
        (
            view,
            SavedViewEditForm(
                initial={"name": view.name, "audience": view.audience}, prefix=f"v{view.id}"
            ),
        )
        for view in [*mine, *editable_shared]
    ]
    return render(request, "desk/saved_views.html", {"rows": rows, "mine": mine})


@staff_required
@require_POST
def saved_view_change_view(request: WSGIRequest, view_id: str) -> HttpResponse:
    user = signed_in_user(request)
    view = selectors.saved_view_get_for_editor(user=user, view_id=view_id)
    action = request.POST.get("action", "")
    with ServiceCall(request):
        if action in ("up", "down"):
            services.saved_view_move(view=view, actor=user, up=action == "up")
        elif action == "delete":
            services.saved_view_delete(view=view, actor=user)
            messages.success(request, f"Deleted the view “{view.name}”.")
        else:
            form = SavedViewEditForm(request.POST, prefix=f"v{view.id}")
            if form.is_valid():
                services.saved_view_update(
                    view=view,
                    actor=user,
                    name=form.cleaned_data["name"],
                    audience=form.cleaned_data["audience"],
                )
                messages.success(request, "View saved.")
            else:
                messages.error(request, "Not saved: " + form.errors.as_text())
    return redirect("desk:saved_views")
