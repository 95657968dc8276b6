"""How the API performs writes: one transaction that ends with the answer already rendered, and
``Idempotency-Key`` for retries. Both are installed on every operation in ``config/api.py``.

``write_in_transaction`` wraps an operation's whole run (authentication, input validation, the
handler and serializing its result) for POST, PUT, PATCH and DELETE in ``transaction.atomic()``.
The response body is bytes before COMMIT is sent, so once a write has committed there is no
query left that a lost database connection could turn into a 500: either the connection is lost
before the commit (nothing was written, the 500 is true and a retry is safe) or the answer goes
out. Side effects queued with ``on_commit`` (mail, tasks) still run only after the commit. An
unexpected exception rolls the whole write back; a refusal (4xx) keeps what ran before it, as
each service's own transaction did before, except one raised by a service that opened no
savepoint of its own here after it began writing (``lifebuoy.core.savepoints``), which rolls
the whole write back.

``idempotency_key`` wraps the handler (it runs after authentication, so the sender is known)
and, when the request carries an ``Idempotency-Key``, claims it or answers with what the first
request with that key answered (``lifebuoy/core/idempotency.py``). The answer is stored by
``write_in_transaction`` in the same transaction, once it is rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, RawPostDataException
from django.http.response import HttpResponseBase
from django.utils import timezone

from lifebuoy.core.idempotency import (
    KEY_META,
    StoredAnswer,
    idempotency_key_answer,
    idempotency_key_check,
    idempotency_key_claim,
    idempotency_key_release,
)
from lifebuoy.core.models import IdempotencyKey
from lifebuoy.core.savepoints import whole_write_transaction, write_refused

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAYED_HEADER = "Idempotent-Replayed"

View = Callable[..., Any]


@dataclass(eq=False)
class _Write:
    claim: IdempotencyKey | None = None


_current_write: ContextVar[_Write | None] = ContextVar("lifebuoy_api_write", default=None)


def write_in_transaction(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """ninja ``mode="view"`` decorator: wraps ``Operation.run``."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in WRITE_METHODS:
            return run(request, *args, **kwargs)
        write = _Write()
        token = _current_write.set(write)
        try:
            with whole_write_transaction():
                response = run(request, *args, **kwargs)
                # A refusal raised by a service that had begun writing without a savepoint
                # (``lifebuoy.core.savepoints``) rolls everything back, the claim with it.
                if write.claim is not None and not write_refused():
                    _keep_answer(write.claim, response)
        finally:
            _current_write.reset(token)
        return response

    return wrapper


def _keep_answer(claim: IdempotencyKey, response: HttpResponseBase) -> None:
    if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
        idempotency_key_answer(
            claim=claim,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=response.content.decode("utf-8"),
        )
    else:
        idempotency_key_release(claim=claim)


def idempotency_key(view_func: View) -> View:
    """ninja ``mode="operation"`` decorator: wraps the handler, after authentication."""

    @wraps(view_func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        write = _current_write.get()
        sent = request.META.get(KEY_META)
        principal = _principal(request)
        if write is None or sent is None or principal is None:
            return view_func(request, *args, **kwargs)
        outcome = idempotency_key_claim(
            principal=principal,
            key=idempotency_key_check(sent),
            fingerprint=request_fingerprint(request),
            now=timezone.now(),
        )
        if isinstance(outcome, StoredAnswer):
            return _replay(outcome)
        write.claim = outcome
        return view_func(request, *args, **kwargs)

    return wrapper


def _replay(answer: StoredAnswer) -> HttpResponse:
    response = HttpResponse(
        answer.body, status=answer.status_code, content_type=answer.content_type or None
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _principal(request: HttpRequest) -> str | None:
    """Who sent the request, as keys are scoped: a person, or a digest of another token."""
    auth = getattr(request, "auth", None)
    if isinstance(auth, AbstractBaseUser):
        return f"user:{auth.pk}"
    if isinstance(auth, str) and auth:
        return "token:" + hashlib.sha256(auth.encode()).hexdigest()[:64]
    return None


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the method, the path with its query and the body. A multipart body has been
    streamed into ``request.POST``/``FILES`` by then, so it is its fields and files' contents."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    try:
        digest.update(request.body)
    except RawPostDataException:
        for name, values in sorted(request.POST.lists()):
            digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    return digest.hexdigest()
