"""Mail that must never open a ticket or get an answer: auto-replies, bounces, lists, loops.

RFC 3834 asks automatic responders to mark their mail (Auto-Submitted) and never to answer
mail marked so; bounces come from the null sender (RFC 5321, ``MAIL FROM:<>``); list traffic
carries List-Id or Precedence. Our own acknowledgements say ``Auto-Submitted: auto-replied``.
"""

from __future__ import annotations

from lifebuoy.notifications.inbound.parse import ParsedMail

_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "majordomo", "listserv"})


def automatic_reason(mail: ParsedMail, *, envelope_from: str | None, own_address: str) -> str:
    """Why ``mail`` is automatic (and must be ignored), or "" for mail a person wrote."""
    h = mail.headers
    auto_submitted = h.get("auto-submitted", "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = h.get("precedence", "").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "bounce: null envelope sender"
    if h.get("return-path", "").replace(" ", "") == "<>":
        return "bounce: Return-Path <>"
    if mail.content_type == "multipart/report" or "x-failed-recipients" in h:
        return "delivery status report"
    if "list-id" in h or "list-unsubscribe" in h:
        return "mailing-list traffic"
    if "x-autoreply" in h or "x-autorespond" in h:
        return "auto-reply (X-Autoreply)"
    local = mail.from_address.split("@")[0]
    if local in _DAEMONS:
        return f"bounce from {local}"
    if mail.from_address == own_address.lower() or own_address.lower() in h.get("x-loop", ""):
        return "loop: sent by this desk"
    return ""
