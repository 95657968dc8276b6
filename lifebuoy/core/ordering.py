"""Lists people order by hand (saved views, macros): moving one entry up or down."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


def position_swap(siblings: QuerySet[Any], *, item_id: int, up: bool) -> None:
    """Swap the entry ``item_id`` with its neighbour among ``siblings`` (the entries of its list,
    each with a ``position``), then number the list 1, 2, 3 … again; at either end nothing moves.
    The list's rows stay locked until the caller's transaction ends, so two moves at once take
    turns."""
    entries = list(siblings.select_for_update().order_by("position", "id"))
    index = next(i for i, entry in enumerate(entries) if entry.id == item_id)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(entries):
        return
    entries[index], entries[other] = entries[other], entries[index]
    for position, entry in enumerate(entries, start=1):
        if entry.position != position:
            siblings.model.objects.filter(id=entry.id).update(position=position)
