"""IMAP polling, for hosted mailboxes that cannot forward to the SMTP gateway.

Each unseen message is fetched without marking it (``BODY.PEEK[]``), handed to the same
store-then-process pipeline as the gateway, and only then flagged ``\\Seen`` (and deleted, if
configured). A crash between the two steps fetches the message again next time; its Message-ID
makes the second copy a harmless duplicate. So nothing is lost and nothing is doubled.
"""

from __future__ import annotations

import imaplib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Receive = Callable[[bytes], str]  # raw message -> outcome


@dataclass(frozen=True)
class Mailbox:
    host: str
    user: str
    password: str
    port: int = 993
    use_ssl: bool = True
    folder: str = "INBOX"
    delete_after: bool = False
    timeout: float = 30.0


def _connect(box: Mailbox) -> imaplib.IMAP4:
    if box.use_ssl:
        return imaplib.IMAP4_SSL(box.host, box.port, timeout=box.timeout)
    return imaplib.IMAP4(box.host, box.port, timeout=box.timeout)


def _raw_of(data: list[object]) -> bytes | None:
    for item in data:
        if (
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes)
        ):  # (envelope, literal)
            return item[1]
    return None


def imap_poll(*, box: Mailbox, receive: Receive, limit: int = 200) -> int:
    """Fetch up to ``limit`` unseen messages; returns how many were handed over."""
    client = _connect(box)
    handled = 0
    try:
        client.login(box.user, box.password)
        client.select(box.folder)
        _, found = client.uid("SEARCH", "UNSEEN")
        uids = [u for u in (found[0] or b"").split() if re.fullmatch(rb"\d+", u)][:limit]
        for uid in uids:
            _, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = _raw_of(list(data))
            if raw is None:
                logger.warning("IMAP message %s could not be fetched", uid)
                continue
            outcome = receive(raw)  # raises if storing failed: the message stays unseen
            flags = "(\\Seen \\Deleted)" if box.delete_after else "(\\Seen)"
            client.uid("STORE", uid.decode(), "+FLAGS", flags)
            logger.info("IMAP message %s: %s", uid, outcome)
            handled += 1
        if box.delete_after and handled:
            client.expunge()
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed", exc_info=True)
    return handled
