"""The secrets in account links (invitations, changes of address): made here, and stored only
as their SHA-256, so a copy of the database holds no working link."""

from __future__ import annotations

import hashlib
import secrets


def link_token_new() -> tuple[str, str]:
    """A fresh token for a link, and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, link_token_hash(token)


def link_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
