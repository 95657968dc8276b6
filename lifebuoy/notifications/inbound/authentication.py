"""Did the sender's domain vouch for this message? Read from a trusted server's verdict.

Lifebuoy does not check DKIM signatures or DMARC policies itself: the receiving mail server
does, and records its verdict in an ``Authentication-Results`` header (RFC 8601) named by its
*authserv-id*. Anyone can write such a header into a message, so only the operator's own server
counts (``LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID``), only the topmost header bearing its id is read
(the one it added last), and that server must remove forged headers that claim its id, as RFC
8601 asks of it.

A message passes when that verdict says ``dmarc=pass`` for the ``From`` domain, or
``dkim=pass`` for a signing domain aligned with it (the same domain or a parent of it). With no
trusted server configured, nothing is verified: every message is ``unchecked``.
"""

from __future__ import annotations

import contextlib
from email.message import Message
from enum import StrEnum

import authres

from lifebuoy.notifications.inbound.sender import raw_header_values


class MailAuth(StrEnum):
    PASS = "pass"  # noqa: S105  # a verdict, not a password; the From domain sent it
    FAIL = "fail"  # a trusted server is configured and did not say so
    UNCHECKED = "unchecked"  # no trusted server configured


def _ascii(domain: str) -> str:
    domain = domain.strip().strip(".").lower()
    with contextlib.suppress(UnicodeError):
        domain = domain.encode("idna").decode("ascii")
    return domain


def _aligned(signer: str, from_domain: str) -> bool:
    return "." in signer and (from_domain == signer or from_domain.endswith("." + signer))


def _property(result: authres.AuthenticationResult, kind: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == kind and prop.name == name:
            return _ascii(str(prop.value))
    return ""


def _passes(results: list[authres.AuthenticationResult], from_domain: str) -> bool:
    for result in results:
        if result.result != "pass":
            continue
        if result.method == "dmarc" and _property(result, "header", "from") in ("", from_domain):
            return True
        if result.method == "dkim" and _aligned(_property(result, "header", "d"), from_domain):
            return True
    return False


def mail_authentication(msg: Message, *, from_domain: str, trusted_authserv_id: str) -> MailAuth:
    """The trusted server's verdict on ``msg`` for the (ASCII) ``from_domain``."""
    trusted = trusted_authserv_id.strip().lower()
    if not trusted:
        return MailAuth.UNCHECKED
    for value in raw_header_values(msg, "authentication-results"):
        try:
            header = authres.AuthenticationResultsHeader.parse_value(value.strip())
        except Exception:  # noqa: S112  # a header we cannot read vouches for nothing
            continue
        if str(header.authserv_id).lower() == trusted:
            return MailAuth.PASS if _passes(header.results, _ascii(from_domain)) else MailAuth.FAIL
    return MailAuth.FAIL
