"""Hot configuration look-ups kept in process memory for a few seconds.

Filing a ticket reads the same few configuration rows every time: which queue an organization's
tickets go to, its SLA policy with the targets, its webhook endpoints. They change a few times a
year and are read on every ticket, so each process keeps what it looked up for ``TTL_SECONDS``.

- A change saved or deleted through the ORM in this process empties the cache at once (see
  ``invalidate_on_change``), so the next look-up reads the database again.
- Another process sees the change when its copy expires, at most ``TTL_SECONDS`` later.
- Cache values, not live rows that callers will change: callers must treat what they get as
  read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

TTL_SECONDS = 5.0
MAX_ENTRIES = 2_000

_entries: dict[Hashable, tuple[float, Any]] = {}
_lock = threading.Lock()


def config_cached(key: Hashable, compute: Callable[[], T], *, ttl: float = TTL_SECONDS) -> T:
    """The value cached under ``key``, or ``compute()``'s result, cached for ``ttl`` seconds."""
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        value: T = hit[1]
        return value
    value = compute()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now + ttl, value)
    return value


def config_cache_clear(**_: Any) -> None:
    """Forget everything (a receiver for model signals, hence the keyword arguments)."""
    with _lock:
        _entries.clear()


def invalidate_on_change(*models: type[Model]) -> None:
    """Empty the cache whenever a row of one of ``models`` is saved or deleted."""
    for model in models:
        uid = f"config-cache:{model._meta.label}"
        post_save.connect(config_cache_clear, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(config_cache_clear, sender=model, dispatch_uid=f"{uid}:delete")
