"""Idempotency keys: a retried API write gets the first answer instead of being done twice.

A client that sends a write with ``Idempotency-Key: <a string of its own>`` and hears nothing
back (a timeout, a dropped connection, a proxy's 502) sends the same request with the same key
again. The first request claimed the key by inserting a row inside the transaction of its write,
and stored its rendered answer in that row before committing. So the retry finds:

1. no row: the first request did not commit, so this is the first time the work is done. While
   the first one is still running, the retry's insert waits on the unique index (PostgreSQL) or
   the database lock (SQLite) until the first one commits or rolls back, so two requests with one
   key never both do the work;
2. a row with the same fingerprint (method, path, body): its status and body are the answer, and
   nothing is done again;
3. a row with another fingerprint: the key was reused for a different request, which is refused
   (422) rather than guessed at.

Only successful answers are kept: a refused request changed nothing, so the same key may be sent
again once the cause is fixed. Keys are forgotten after ``KEY_LIFETIME`` (a periodic purge; an
expired key is also treated as unused when it is seen).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from lifebuoy.core.errors import InvalidState, ValidationFailed
from lifebuoy.core.models import IdempotencyKey

KEY_HEADER = "Idempotency-Key"
KEY_META = "HTTP_IDEMPOTENCY_KEY"  # the header as the WSGI environ names it
KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class StoredAnswer:
    """What the first request with this key answered."""

    status_code: int
    content_type: str
    body: str


def idempotency_key_check(key: str) -> str:
    """The key as sent, if usable: 1 to 255 visible ASCII characters."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not all(" " < ch <= "~" for ch in key):
        raise ValidationFailed(
            "invalid_idempotency_key",
            f"The {KEY_HEADER} header must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, "
            "e.g. a UUID.",
        )
    return key


def idempotency_key_claim(
    *, principal: str, key: str, fingerprint: str, now: datetime
) -> IdempotencyKey | StoredAnswer:
    """Claim ``key`` for this request, or return the answer already given for it.

    Must run inside the transaction of the write, so that the claim and the write commit (or
    vanish) together; the caller stores the answer with :func:`idempotency_key_answer` before
    that transaction commits, or releases the claim.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An idempotency key is claimed inside the write's transaction.")
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    principal=principal, key=key, fingerprint=fingerprint, created_at=now
                )
        except IntegrityError:
            pass  # claimed by an earlier request that has committed
        earlier = IdempotencyKey.objects.filter(principal=principal, key=key).first()
        if earlier is None:
            continue  # purged since
        if earlier.created_at <= now - KEY_LIFETIME:
            IdempotencyKey.objects.filter(id=earlier.id).delete()
            continue
        if earlier.fingerprint != fingerprint:
            raise ValidationFailed(
                "idempotency_key_reused",
                f"This {KEY_HEADER} was already used for a different request (another path or "
                "body). Send a new key with each new request; repeat a key only to retry the "
                "very same request.",
            )
        if earlier.status_code == 0:  # cannot be seen committed; kept as a guard
            raise InvalidState(
                "idempotency_key_in_progress",
                f"A request with this {KEY_HEADER} is still being processed; retry shortly.",
            )
        return StoredAnswer(earlier.status_code, earlier.content_type, earlier.body)
    raise InvalidState(
        "idempotency_key_in_progress",
        f"A request with this {KEY_HEADER} is still being processed; retry shortly.",
    )


def idempotency_key_answer(
    *, claim: IdempotencyKey, status_code: int, content_type: str, body: str
) -> None:
    """Store the answer in the claim, in the write's transaction."""
    claim.status_code, claim.content_type, claim.body = status_code, content_type, body
    claim.save(update_fields=["status_code", "content_type", "body"])


def idempotency_key_release(*, claim: IdempotencyKey) -> None:
    """Forget a claim whose request was refused: the key may be used again."""
    IdempotencyKey.objects.filter(id=claim.id).delete()


def idempotency_keys_purge(*, now: datetime, batch_size: int = 10_000) -> int:
    """Delete keys older than ``KEY_LIFETIME``, oldest first, in one bounded batch; the number
    deleted (the task runs again before a busy day's keys pile up)."""
    ids = list(
        IdempotencyKey.objects.filter(created_at__lte=now - KEY_LIFETIME)
        .order_by("created_at")
        .values_list("id", flat=True)[:batch_size]
    )
    if not ids:
        return 0
    deleted, _ = IdempotencyKey.objects.filter(id__in=ids).delete()
    return deleted
