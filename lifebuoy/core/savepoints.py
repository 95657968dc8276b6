"""A service's transaction without a savepoint where nothing depends on one: directly inside an
API write's transaction (``lifebuoy.core.write_endpoints``).

``transaction.atomic`` inside another atomic block opens a savepoint (SAVEPOINT, then RELEASE:
two more statements) so that the caller can catch the service's exception and go on with its
own transaction. An API write's caller is that transaction itself, and it never goes on after
an exception the service left: an unexpected one rolls the whole request back, and a refusal
(``LifebuoyError``, answered 4xx) now does too, instead of rolling back to the savepoint and
committing what ran before the service (its ``Idempotency-Key`` claim, which a refusal releases
anyway, and at most the token's last-use time, written once a minute). Services decorated with
``atomic_service`` check their input before they begin the transaction, so an ordinary refusal
leaves the request's transaction untouched; what remains is a refusal after the first write.

The inbound mail path (``notifications.inbound.services``) runs each message in such a whole
transaction too: it never goes on after a service's exception either, but rolls everything back
and records the message as failed, for a retry. ``ticket_reply``, which only the portal, Slack
and mail call, is an ``atomic_service`` for it.

Everywhere else (a service inside another service, a task, a view) the block is
``transaction.atomic()`` as before, with its savepoint when nested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

P = ParamSpec("P")
R = TypeVar("R")

# The depth of atomic blocks (counting savepoint-less ones) at which an API write's own
# transaction stands; None outside an API write.
_write_depth: ContextVar[int | None] = ContextVar("lifebuoy_write_depth", default=None)


@contextmanager
def whole_write_transaction() -> Iterator[None]:
    """An API write's transaction: a service directly inside it opens no savepoint, and a
    refusal it raises rolls the whole transaction back (see ``write_refused``)."""
    with transaction.atomic():
        token = _write_depth.set(len(connection.savepoint_ids))
        try:
            yield
        finally:
            _write_depth.reset(token)


def write_refused() -> bool:
    """Whether a service inside the write's transaction raised after it began its own block
    without a savepoint: the transaction can only be rolled back now."""
    return transaction.get_rollback()


def atomic_service(func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic`` for a service, without the savepoint directly inside an API write."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        depth = _write_depth.get()
        direct = depth is not None and len(connection.savepoint_ids) == depth
        with transaction.atomic(savepoint=not direct):
            return func(*args, **kwargs)

    return wrapper
