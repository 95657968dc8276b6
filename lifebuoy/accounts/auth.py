"""Sign-in by email address: one person, however they type their address.

Addresses are stored lower-cased (``UserManager.create_user``); whatever is typed at a sign-in
is normalized the same way before it is looked up or counted towards a lockout, so
``Amara@Banyan.Example`` signs in as ``amara@banyan.example`` and its failed attempts count
against that one address.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def email_normalize(raw: str) -> str:
    return raw.strip().lower()


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the address a lockout is counted against."""
    field: str = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        data = getattr(request, "POST", None) or {}
        raw = data.get(field)
    return email_normalize(raw) if isinstance(raw, str) else ""
