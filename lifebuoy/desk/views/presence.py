"""Who else is on a ticket, polled by its page every few seconds."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.parsing import parse_id
from lifebuoy.desk import presence
from lifebuoy.tickets import selectors


@staff_required
@require_POST
def ticket_presence_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """Beat for the signed-in agent; answer with the others on the ticket and any news."""
    user = signed_in_user(request)
    ticket_id = selectors.ticket_id_get_for_user(user=user, ticket_id=ticket_id)
    try:
        others = presence.presence_beat(
            ticket_id=ticket_id, user=user, state=request.POST.get("state", ""), now=timezone.now()
        )
    except ValidationFailed as error:
        fields = error.extra.get("fields", {})
        return HttpResponse(" ".join(fields.values()), status=400, content_type="text/plain")
    after = parse_id(request.POST.get("last_message")) or 0
    news = presence.presence_new_messages(ticket_id=ticket_id, user=user, after_id=after)
    context = {"ticket_id": ticket_id, "others": others, "news": news}
    return render(request, "desk/_presence.html", context)
