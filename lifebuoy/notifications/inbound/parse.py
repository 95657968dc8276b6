"""Turn raw inbound mail into plain facts, whatever state it arrives in.

Nothing here raises on bad input except ``MailRejected`` (with the reason we log): broken
MIME, unknown charsets and malformed headers degrade to the best text we can recover. HTML is
reduced to text with scripts and styles removed; the desk renders it again as Markdown through
the sanitizer, so no markup from a sender ever reaches an agent's browser.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message

import nh3

from lifebuoy.notifications.inbound.authentication import MailAuth, mail_authentication
from lifebuoy.notifications.inbound.sender import (
    Sender,
    decode_words,
    mail_sender,
    raw_header_values,
)

MESSAGE_ID_MAX = 300
SUBJECT_MAX = 200
TEXT_MAX = 45_000
MAX_ATTACHMENTS = 20
MAX_DEPTH = 60  # MIME nesting deeper than this is not read
_ID = re.compile(r"<[^<>\s]{1,500}>")
_BLOCK_END = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/pre)\b[^>]*>")
_CELL_END = re.compile(r"(?i)<\s*/t[dh]\s*>")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    attachments: list[InboundAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value
    content_type: str = "text/plain"
    authentication: MailAuth = MailAuth.UNCHECKED
    notes: list[str] = field(default_factory=list)  # what we had to drop or repair

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, most specific first."""
        return list(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset, which may be missing, wrong or unknown."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            codecs.lookup(candidate)
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")


def header_value(msg: Message, name: str) -> str:
    """A header's first value as text: encoded-words decoded, raw 8-bit bytes read as UTF-8."""
    values = raw_header_values(msg, name)
    if not values:
        return ""
    return " ".join(decode_words(values[0]).replace("\x00", "").split())


def message_id_of(msg: Message, raw: bytes) -> str:
    """The Message-ID, or a stable one derived from the bytes when it is missing or absurd."""
    found = _ID.findall(header_value(msg, "Message-ID"))
    if found and len(found[0]) <= MESSAGE_ID_MAX:
        return found[0]
    return f"<sha256.{hashlib.sha256(raw).hexdigest()[:40]}@inbound.lifebuoy.invalid>"


def html_to_text(markup: str) -> str:
    """Readable text from HTML: line breaks kept, scripts and styles dropped with their content."""
    marked = _CELL_END.sub(lambda m: m.group(0) + " ", markup)
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", marked)
    stripped = nh3.clean(marked, tags=set(), clean_content_tags={"script", "style", "head"})
    lines = [" ".join(line.split()) for line in html.unescape(stripped).splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return decode_bytes(payload, charset)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = re.sub(r"[\x00-\x1f/\\]", "_", str(name)).strip(" .")
    return name[-200:] or "attachment"


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html"):
        return False
    return not part.is_multipart()


@dataclass
class _Bodies:
    plain: str = ""
    markup: str = ""
    forwarded: list[str] = field(default_factory=list)


def _collect(msg: Message, parsed: ParsedMail, max_bytes: int) -> tuple[str, str, list[str]]:
    """The message's plain and HTML text, and the quoted text of each forwarded message."""
    bodies = _Bodies()
    _visit(msg, parsed, max_bytes, bodies, attach=True, depth=0)
    return bodies.plain, bodies.markup, bodies.forwarded


def _visit(
    part: Message, parsed: ParsedMail, max_bytes: int, bodies: _Bodies, *, attach: bool, depth: int
) -> None:
    if depth > MAX_DEPTH:
        return
    if part.get_content_type() == "message/rfc822":
        if attach:
            _forwarded(part, parsed, max_bytes, bodies, depth)
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _visit(sub, parsed, max_bytes, bodies, attach=attach, depth=depth + 1)
        return
    if part.get_content_maintype() == "multipart":  # no usable boundary: read it as text
        bodies.plain = bodies.plain or _part_text(part)
    elif _is_attachment(part):
        if attach:
            _attach(part, parsed, max_bytes)
    elif part.get_content_subtype() == "plain" and not bodies.plain:
        bodies.plain = _part_text(part)
    elif part.get_content_subtype() == "html" and not bodies.markup:
        bodies.markup = _part_text(part)


def _forwarded(
    part: Message, parsed: ParsedMail, max_bytes: int, bodies: _Bodies, depth: int
) -> None:
    """A forwarded message: its text quoted in ours, the original kept as an .eml file."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    inner_bodies = _Bodies()
    _visit(inner, parsed, max_bytes, inner_bodies, attach=False, depth=depth + 1)
    text = inner_bodies.plain.strip() or html_to_text(inner_bodies.markup)
    subject = header_value(inner, "Subject") or "(no subject)"
    sender = header_value(inner, "From") or "an unknown sender"
    quoted = "\n".join(f"> {line}".rstrip() for line in text.splitlines()) or "> (no text)"
    bodies.forwarded.append(f"**Forwarded message** from {sender}: “{subject}”\n\n{quoted}")
    try:
        data = inner.as_bytes()
    except Exception:  # a message too broken to write back out; its text is quoted above
        parsed.notes.append(f"The forwarded message “{subject}” could not be kept as a file.")
        return
    number = len(bodies.forwarded)
    _keep(parsed, f"forwarded-{number}.eml", "message/rfc822", data, max_bytes)


def _attach(part: Message, parsed: ParsedMail, max_bytes: int) -> None:
    name = _filename(part)
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        parsed.notes.append(f"The attachment “{name}” could not be decoded and was dropped.")
        return
    _keep(parsed, name, part.get_content_type(), data, max_bytes)


def _keep(parsed: ParsedMail, name: str, content_type: str, data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        parsed.notes.append(
            f"The attachment “{name}” ({len(data):,} bytes) was over the {max_bytes:,}-byte "
            "limit and was dropped."
        )
        return
    if len(parsed.attachments) >= MAX_ATTACHMENTS:
        parsed.notes.append(f"The attachment “{name}” was dropped: at most {MAX_ATTACHMENTS}.")
        return
    parsed.attachments.append(
        InboundAttachment(filename=name, content_type=content_type[:100], data=data)
    )


_INTERESTING = (
    "auto-submitted",
    "precedence",
    "return-path",
    "list-id",
    "list-unsubscribe",
    "x-autoreply",
    "x-autorespond",
    "x-loop",
    "x-failed-recipients",
)


def parse_mail(
    raw: bytes,
    *,
    max_attachment_bytes: int,
    trusted_authserv_id: str = "",
    msg: Message | None = None,
    sender: Sender | None = None,
) -> ParsedMail:
    """Parse ``raw``; raise MailRejected when there is no one clear sender. ``msg``: ``raw``
    already parsed whole (``policy.compat32``), and ``sender`` its sender, when the caller has
    them (the gateway reads each message once)."""
    if msg is None:
        msg = message_from_bytes(raw, policy=policy.compat32)
    if sender is None:
        sender = mail_sender(msg)
    present = {name.lower() for name in msg}  # one pass over the headers, not one per name
    parsed = ParsedMail(
        message_id=message_id_of(msg, raw),
        from_address=sender.address,
        from_name=sender.name,
        subject=(header_value(msg, "Subject") or "(no subject)")[:SUBJECT_MAX],
        text="",
        in_reply_to=_ID.findall(header_value(msg, "In-Reply-To"))[:5],
        references=_ID.findall(header_value(msg, "References"))[-50:],
        headers={h: header_value(msg, h) for h in _INTERESTING if h in present},
        content_type=msg.get_content_type(),
        authentication=mail_authentication(
            msg,
            from_domain=sender.address.rpartition("@")[2],
            trusted_authserv_id=trusted_authserv_id,
        ),
    )
    plain, markup, forwarded = _collect(msg, parsed, max_attachment_bytes)
    text = plain.strip() or html_to_text(markup)
    text = "\n\n".join(part for part in (text, *forwarded) if part)
    if msg.defects:
        parsed.notes.append("The message was malformed; the text below is what we recovered.")
    if len(text) > TEXT_MAX:
        text = text[:TEXT_MAX]
        parsed.notes.append(f"The text was cut at {TEXT_MAX:,} characters.")
    parsed.text = text.replace("\x00", "").replace("\r\n", "\n")
    return parsed
