"""Merging duplicates from the queue: the ticked tickets, a target picked on a confirmation page."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk.services import queue_counts_forget
from lifebuoy.tickets import selectors, services

MERGE_MAX = 20


@staff_required
@require_POST
def merge_view(request: WSGIRequest) -> HttpResponse:
    """First the confirmation (which ticket the others go into), then the merge itself."""
    user = signed_in_user(request)
    query = QueryDict(request.POST.get("query", ""))
    back = reverse("desk:queue") + (f"?{query.urlencode()}" if query else "")
    ids = sorted({n for n in map(parse_id, request.POST.getlist("ticket")) if n is not None})
    tickets = list(
        selectors.ticket_visible(user=user)
        .filter(id__in=ids)
        .select_related("organization", "requester")
        .order_by("id")
    )
    if len(tickets) < 2 or len(tickets) > MERGE_MAX:
        messages.error(request, f"Tick between 2 and {MERGE_MAX} tickets to merge.")
        return redirect(back)
    target_id = parse_id(request.POST.get("target"))
    target = next((t for t in tickets if t.id == target_id), None)
    if request.POST.get("confirm") == "1" and target is not None:
        sources = [t.id for t in tickets if t.id != target.id]
        with ServiceCall(request):
            services.ticket_merge(actor=user, target=target, sources=sources, now=timezone.now())
            numbers = ", ".join(f"#{n}" for n in sources)
            messages.success(request, f"Merged {numbers} into {target.number}.")
            queue_counts_forget(user=user)
            return redirect("desk:detail", ticket_id=target.id)
    context = {"tickets": tickets, "target": target or tickets[0], "query": query.urlencode()}
    return render(request, "desk/merge.html", context)
