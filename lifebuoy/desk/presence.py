"""Who else has a ticket open, and whether they are writing: kept in the cache, never in the
database.

Each open ticket page beats every few seconds with its state; an entry nobody renews is gone
after ``PRESENCE_TTL`` seconds, and the whole record expires on its own when the page closes.
Two beats that land at the same instant may lose one of them; the next beat, seconds later,
puts it back, so nobody needs a lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.models import Message

PRESENCE_TTL = 15  # seconds an entry lives without a beat; pages beat every 5
VIEWING = "viewing"
REPLYING = "replying"
STATES = (VIEWING, REPLYING)
NEW_MAX = 50  # "50 new messages" is enough to say; more are not counted

# user id -> (display name, state, expires at as a POSIX timestamp)
_Entries = dict[int, tuple[str, str, float]]


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str

    @property
    def replying(self) -> bool:
        return self.state == REPLYING


@dataclass(frozen=True)
class NewMessages:
    """What arrived since the page was loaded (other people's messages only)."""

    count: int
    last_author: str


def _key(ticket_id: int) -> str:
    return f"desk:presence:{ticket_id}"


def presence_beat(*, ticket_id: int, user: User, state: str, now: datetime) -> list[Presence]:
    """Record that ``user`` has the ticket open (``state``: viewing or replying); return the
    others who do."""
    if state not in STATES:
        raise ValidationFailed.for_fields({"state": f"Say one of: {', '.join(STATES)}."})
    at = now.timestamp()
    entries: _Entries = cache.get(_key(ticket_id)) or {}
    live = {uid: entry for uid, entry in entries.items() if entry[2] > at}
    live[user.id] = (user.display_name, state, at + PRESENCE_TTL)
    cache.set(_key(ticket_id), live, PRESENCE_TTL * 2)
    others = [
        Presence(user_id=uid, name=name, state=st)
        for uid, (name, st, _) in live.items()
        if uid != user.id
    ]
    return sorted(others, key=lambda p: (not p.replying, p.name))


def presence_new_messages(*, ticket_id: int, user: User, after_id: int) -> NewMessages | None:
    """Messages others added to the ticket after the one with ``after_id`` (staff see notes)."""
    newer = Message.objects.filter(ticket_id=ticket_id, id__gt=after_id).exclude(author=user)
    if not user.is_support_staff:
        newer = newer.filter(is_internal=False)
    authors = list(newer.order_by("-id").values_list("author_id", flat=True)[:NEW_MAX])
    if not authors:
        return None
    last = User.objects.get(id=authors[0])
    return NewMessages(count=len(authors), last_author=last.display_name)
