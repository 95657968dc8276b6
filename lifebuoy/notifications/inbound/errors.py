"""The one error inbound parsing raises."""

from __future__ import annotations


class MailRejected(Exception):
    """The message cannot become a ticket; ``str(exc)`` is the logged reason."""
