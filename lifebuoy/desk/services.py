"""Writes of the desk: the queue views agents save, rename, reorder, share and delete."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.http import QueryDict

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.core.ordering import position_swap
from lifebuoy.macros.models import Macro
from lifebuoy.macros.services import macro_reply_send
from lifebuoy.tickets.models import Message, Ticket
from lifebuoy.tickets.services import TicketChanges, ticket_update

from .models import Audience, SavedView, TicketSeen
from .selectors import COUNTS_GENERATION

NAME_MAX = 80


@dataclass(frozen=True)
class Reply:
    """What the composer sends: the text, whether it is an internal note, its files, and the
    status to set afterwards (empty: keep it)."""

    body: str
    is_internal: bool
    files: Sequence[UploadedFile] = ()
    then_status: str = ""


QUERY_MAX = 2000
# Paging is not part of a view: it always opens on its first page.
_NOT_SAVED = ("cursor", "trail", "saved")


def _may_share(user: User) -> bool:
    return user.role in (Role.LEAD, Role.ADMIN)


def _clean(name: str, audience: str, actor: User) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    if not name:
        errors["name"] = "Give the view a name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    if audience not in Audience.values:
        errors["audience"] = "Share with one of the listed audiences."
    elif audience != Audience.PRIVATE and not _may_share(actor):
        errors["audience"] = "Only support leads share views; yours stays private."
    if errors:
        raise ValidationFailed.for_fields(errors)
    return name, audience


def saved_query(query: str) -> str:
    """The part of a queue's query string a view keeps: its filters and order, not the page,
    and not the fields left empty."""
    params = QueryDict(mutable=True)
    for name, values in QueryDict(query).lists():
        if name not in _NOT_SAVED:
            params.setlist(name, [v for v in values if v])  # untouched fields say nothing
    kept = params.urlencode()
    if len(kept) > QUERY_MAX:
        raise ValidationFailed.for_fields({"query": "These filters are too long to save."})
    return kept


@transaction.atomic
def saved_view_create(
    *, owner: User, name: str, query: str, audience: str, now: datetime
) -> SavedView:
    if not owner.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff save queue views.")
    name, audience = _clean(name, audience, owner)
    # Lock the owner's row so two saves at once get different positions.
    User.objects.select_for_update().filter(id=owner.id).first()
    last = SavedView.objects.filter(owner=owner).aggregate(last=Max("position"))["last"]
    return SavedView.objects.create(
        owner=owner,
        name=name,
        query=saved_query(query),
        audience=audience,
        position=(last or 0) + 1,
        created_at=now,
    )


@transaction.atomic
def saved_view_update(*, view: SavedView, actor: User, name: str, audience: str) -> SavedView:
    name, audience = _clean(name, audience, actor)
    SavedView.objects.filter(id=view.id).update(name=name, audience=audience)
    view.refresh_from_db()
    return view


@transaction.atomic
def saved_view_move(*, view: SavedView, actor: User, up: bool) -> None:
    """Swap the view with its neighbour in its owner's list; at either end nothing moves."""
    position_swap(SavedView.objects.filter(owner_id=view.owner_id), item_id=view.id, up=up)


def saved_view_delete(*, view: SavedView, actor: User) -> None:
    SavedView.objects.filter(id=view.id).delete()


def tickets_seen(*, user: User, ticket_ids: Iterable[int], now: datetime) -> None:
    """Remember that ``user`` looked at these tickets at ``now`` (one upsert, race-free)."""
    rows = [
        TicketSeen(user=user, ticket_id=ticket_id, seen_at=now) for ticket_id in set(ticket_ids)
    ]
    TicketSeen.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "ticket"], update_fields=["seen_at"]
    )


def queue_counts_forget(*, user: User) -> None:
    """Start a new generation of ``user``'s cached counts (after a change of their own)."""
    cache.set(f"{COUNTS_GENERATION}:{user.id}", time.time_ns(), None)


@transaction.atomic
def ticket_reply_send(
    *,
    ticket: Ticket,
    actor: User,
    reply: Reply,
    macro: Macro | None,
    now: datetime,
) -> Message:
    """Send the composer's reply or note, then apply the macro it started from and set the
    status the agent sent it with ("send and set pending/resolved"), all or nothing."""
    message = macro_reply_send(
        ticket=ticket,
        actor=actor,
        macro=macro,
        body=reply.body,
        is_internal=reply.is_internal,
        files=reply.files,
        now=now,
    )
    if reply.then_status:
        ticket.refresh_from_db()
        ticket_update(
            ticket=ticket, actor=actor, changes=TicketChanges(status=reply.then_status), now=now
        )
    return message
