"""Who a message is from: one address, read from the raw ``From`` header, never from decoded text.

An encoded-word (RFC 2047, ``=?utf-8?q?…?=``) may only carry a display name. Decoding the
header first and parsing the address afterwards lets a sender smuggle address syntax through
one: ``=?utf-8?q?amara=40banyan=2Eexample?= <attacker@evil.example>`` would read as Amara. So
the address is parsed from the raw header with the standard library's strict parser, only the
display name is decoded, and anything ambiguous is refused with a reason the inbound log shows:

- no ``From`` header, or more than one;
- zero or several addresses, or group syntax (RFC 5322 allows neither in ``From``);
- an encoded-word anywhere but the display name, or one whose text holds ``@``, ``<`` or ``>``;
- an address the parser had to repair, a quoted local part with ``@`` in it, an address
  literal (``user@[127.0.0.1]``), or a domain that is not a valid internationalized name.

Domains are kept in their ASCII (punycode) form, so a look-alike such as ``bаnyan.example``
with a Cyrillic ``а`` reads as ``xn--bnyan-…`` and never matches the real one. ``Sender``,
``Reply-To`` and the envelope are never used to decide who wrote a message.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from email import errors, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import Message
from functools import lru_cache

from lifebuoy.notifications.inbound.errors import MailRejected

ADDRESS_MAX = 254
NAME_MAX = 200
_ADDRESS = re.compile(r"^[^@\s<>\"()\[\],;:\\]{1,64}@[a-z0-9.-]{1,253}\.[a-z0-9-]{2,63}$")
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_HIDDEN = frozenset("@<>")


@dataclass(frozen=True)
class Sender:
    address: str
    name: str


def header_text(value: str) -> str:
    """A raw header value as text: folding undone, raw 8-bit bytes read as UTF-8 (RFC 6532)."""
    value = _FOLD.sub("", value)
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def raw_header_values(msg: Message, name: str) -> list[str]:
    """Every value of header ``name``, top first, as text and not decoded further."""
    wanted = name.lower()
    return [header_text(str(value)) for key, value in msg.raw_items() if key.lower() == wanted]


def decode_words(text: str) -> str:
    """RFC 2047 encoded-words decoded; the text as it was when they are broken."""
    if "=?" in text:
        with contextlib.suppress(Exception):
            text = str(make_header(decode_header(text)))
    return text


def _refuse(reason: str) -> MailRejected:
    return MailRejected(f"no usable sender: {reason}")


def _check_encoded_words(raw: str) -> None:
    angle = raw.rfind("<")
    for match in _ENCODED_WORD.finditer(raw):
        if angle < 0 or match.start() > angle:
            raise _refuse("an encoded-word stands where the address is")
        if _HIDDEN & set(decode_words(match.group(0))):
            raise _refuse("address syntax is hidden in an encoded-word")


def _domain(domain: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _refuse(f"the domain {domain[:60]!r} is not a valid name") from exc
    return ascii_domain.lower()


def _address(parsed: Address) -> str:
    local, domain = parsed.username, parsed.domain
    if not domain:
        raise _refuse("the address has no domain")
    if domain.startswith("["):
        raise _refuse("address literals are not accepted")
    if "@" in local:
        raise _refuse("the local part holds an @")
    address = f"{local.lower()}@{_domain(domain)}"
    if len(address) > ADDRESS_MAX or not _ADDRESS.match(address):
        raise _refuse(f"{address[:80]!r} is not a mail address")
    return address


def _name(display_name: str) -> str:
    name = " ".join(_CONTROL.sub(" ", display_name).split())
    # A name that looks like an address would show agents someone the mail is not from.
    return "" if "@" in name else name[:NAME_MAX]


def _about_display_name(defect: errors.MessageDefect) -> bool:
    """Clients' sloppy encoded-words (quoted, unspaced); by now known to be in the name only."""
    text = str(defect).replace("-", " ")
    return "encoded word" in text


def mail_sender(msg: Message) -> Sender:
    """The one sender of ``msg``; raise MailRejected (with the reason) when it is not clear."""
    values = raw_header_values(msg, "from")
    if not values:
        raise _refuse("there is no From header")
    if len(values) > 1:
        raise _refuse(f"there are {len(values)} From headers")
    return _sender_of(values[0].strip())


# The same people write again and again: their From header is read once per process (the
# reading depends on its text alone). A refused one is not kept, and is read again each time.
@lru_cache(maxsize=2048)
def _sender_of(raw: str) -> Sender:
    _check_encoded_words(raw)
    try:
        header = policy.default.header_factory("From", raw)
    except Exception as exc:  # the parser's own failures on hostile input
        raise _refuse("the From header cannot be parsed") from exc
    defects = [
        d
        for d in header.defects
        if isinstance(d, errors.InvalidHeaderDefect) and not _about_display_name(d)
    ]
    if defects:
        raise _refuse(f"the From header is malformed ({defects[0]})")
    if any(group.display_name is not None for group in header.groups):
        raise _refuse("the From header uses group syntax")
    addresses = header.addresses
    if len(addresses) != 1:
        raise _refuse(f"the From header names {len(addresses)} addresses")
    return Sender(address=_address(addresses[0]), name=_name(addresses[0].display_name))
