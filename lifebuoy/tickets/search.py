"""Text search over the tickets a person may see: subject, description and the conversation's
messages that person may read (a customer never matches on an internal note).

A plain case-insensitive substring match of every word, through the one visibility rule
(``selectors.ticket_visible``); a full-text engine can replace the matching behind the same
function without changing its callers.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed

from .models import Message, Ticket
from .selectors import ticket_visible

QUERY_MAX = 200
WORDS_MAX = 8
RESULTS_MAX = 50


def _messages_readable(user: User) -> QuerySet[Message]:
    """The messages whose words may match for ``user``: customers read public replies only."""
    messages = Message.objects.all()
    if not user.is_support_staff:
        messages = messages.filter(is_internal=False)
    return messages


def search_words(text: str) -> list[str]:
    """The words of a query, checked: raises ValidationFailed on the ``q`` field."""
    if len(text) > QUERY_MAX:
        raise ValidationFailed.for_fields({"q": f"Keep the search under {QUERY_MAX} characters."})
    words = list(dict.fromkeys(text.split()))
    if len(words) > WORDS_MAX:
        raise ValidationFailed.for_fields({"q": f"Search for at most {WORDS_MAX} words."})
    return words


def ticket_search_for_user(
    *, user: User, text: str, statuses: tuple[str, ...] = (), limit: int = RESULTS_MAX
) -> list[Ticket]:
    """The tickets ``user`` may see whose subject, description or readable messages hold every
    word of ``text`` (each word anywhere), most recently active first; ``#123`` or ``123``
    also finds that ticket by number. Empty text finds nothing."""
    words = search_words(text)
    if not words:
        return []
    readable = _messages_readable(user)
    tickets = ticket_visible(user=user)
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    for word in words:
        in_messages = readable.filter(ticket_id=OuterRef("pk"), body__icontains=word)
        match = Q(subject__icontains=word) | Q(description__icontains=word) | Q(Exists(in_messages))
        number = word.lstrip("#")
        if number.isdigit() and len(number) < 10:
            match |= Q(id=int(number))
        tickets = tickets.filter(match)
    limit = max(1, min(limit, RESULTS_MAX))
    ordered = tickets.order_by("-last_activity_at", "-id")
    return list(ordered.select_related("assignee", "owner")[:limit])
