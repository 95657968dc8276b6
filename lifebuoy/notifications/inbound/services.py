"""Inbound email: store every accepted message, then turn it into a ticket or a reply.

Order of business for one message:
1. store the raw bytes under its sender and Message-ID (the same sender's second copy is
   kept as a duplicate and stops here);
2. parse; a message without one clear sender is refused (see ``sender.py``); automatic mail
   (auto-replies, bounces, lists, our own mail) is ignored;
3. find the ticket it answers: In-Reply-To/References against the thread's known
   Message-IDs, then the ``[Ticket #N]`` token in the subject — the first of those the sender
   may write on (its requester, a colleague in a paying organization, or staff);
4. mail is unauthenticated, so a staff address never makes a public reply: unless the trusted
   receiving server vouches for it (``authentication.py``) it becomes an internal note marked
   unverified. With a trusted server configured, a customer's mail it does not vouch for is
   kept as a message marked unverified that changes nothing: no confirmation, no reopening;
5. a reply is added to the ticket (within ``LIFEBUOY_REOPEN_DAYS`` of its resolution a reply to a
   resolved or closed ticket reopens it; after that, it goes to a follow-up ticket linked to the
   old one, ``tickets.services.ticket_reply``); anything else opens a ticket, for an unknown
   sender in the Community bucket or not at all, as configured.
A failure in 2–5 leaves the stored message marked ``failed`` with the reason, for a retry; the
message is never lost once the gateway answered 250, and every message that is not a ticket
or a reply keeps its reason for the inbound log.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from lifebuoy.accounts.models import User
from lifebuoy.accounts.services import (
    COMMUNITY_SLUG,
    community_organization_get_or_create,
    customer_create,
)
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.savepoints import whole_write_transaction
from lifebuoy.notifications.inbound.authentication import MailAuth
from lifebuoy.notifications.inbound.errors import MailRejected
from lifebuoy.notifications.inbound.loops import automatic_reason
from lifebuoy.notifications.inbound.parse import (
    ParsedMail,
    header_value,
    message_id_of,
    parse_mail,
)
from lifebuoy.notifications.inbound.sender import Sender as FromHeader
from lifebuoy.notifications.inbound.sender import mail_sender
from lifebuoy.notifications.inbound.statements import (
    MailedSince,
    mailed_tickets_since,
    outcome_record,
    sender_lookup,
    stored_with_sender,
    thread_tickets,
)
from lifebuoy.notifications.models import InboundEmail, InboundStatus
from lifebuoy.tickets.models import Channel, Status, Ticket
from lifebuoy.tickets.services import (
    NewTicket,
    message_add,
    ticket_confirm_resolved,
    ticket_create,
    ticket_reply,
)

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\[Ticket #(\d{1,12})\]", re.IGNORECASE)
# A reply whose first line is only this word confirms a resolved ticket's fix (the resolution
# email asks for exactly that), so confirming works from any mail client.
_CONFIRMATION = re.compile(r"^\s*(confirm|confirmed)\s*[.!]*\s*$", re.IGNORECASE)
_QUOTE_START = re.compile(
    r"^\s*(On\b.{0,300}\bwrote:|-{2,}\s*Original Message\s*-{2,}|Le\b.{0,300}a écrit\s?:"
    r"|Am\b.{0,300}schrieb.{0,100}:|_{10,})\s*$",
    re.MULTILINE,
)
NULL_SENDER = "<>"


@dataclass(frozen=True)
class InboundResult:
    status: str
    reason: str = ""
    ticket_id: int | None = None

    def smtp_reply(self) -> str:
        if self.status == InboundStatus.REJECTED:
            reason = " ".join(self.reason.split())[:200]
            return f"550 5.7.1 {reason.encode('ascii', 'backslashreplace').decode('ascii')}"
        return "250 2.0.0 Message accepted"


def inbound_email_receive(*, raw: bytes, envelope_from: str | None, now: datetime) -> InboundResult:
    """Store, then process. Raises only when storing failed: the sender should try again."""
    read = _read(raw)
    inbound, duplicate, looked_up = _store(raw=raw, envelope_from=envelope_from, now=now, read=read)
    if duplicate:
        logger.info("Inbound %s ignored: %s", inbound.message_id, inbound.reason)
        return InboundResult(InboundStatus.DUPLICATE, inbound.reason, inbound.ticket_id)
    return inbound_email_process(inbound=inbound, now=now, read=read, looked_up=looked_up)


@dataclass(frozen=True)
class _LookedUp:
    user: User | None  # read with the store (None: nobody has exactly that address)
    # Their tickets opened by mail in the past hour, up to the cap, counted with the store when
    # the mail could only open a ticket (None: not counted).
    mailed_recently: int | None = None


@dataclass(frozen=True)
class _Read:
    """A message as read for storing, handed on to its processing so that it is parsed once."""

    msg: Message
    whole: bool  # the body was parsed too (else the headers only)
    sender: FromHeader | None  # None: no one clear sender (processing says why)


def _read(raw: bytes) -> _Read:
    """Parse ``raw`` whole, once. Parsing the body never stands between a message and its
    storage: should it fail, the headers alone give the store its key, and processing parses
    the stored bytes again (and records why it fails)."""
    try:
        msg, whole = message_from_bytes(raw, policy=policy.compat32), True
    except Exception:  # the parser's own failures on hostile input
        msg, whole = BytesHeaderParser(policy=policy.compat32).parsebytes(raw), False
    try:
        sender: FromHeader | None = mail_sender(msg)
    except MailRejected:
        sender = None
    return _Read(msg, whole, sender)


def _store_key(raw: bytes, read: _Read) -> tuple[str, str, str]:
    """The Message-ID, the sender's address ("" when there is no clear one) and the subject."""
    sender = "" if read.sender is None else read.sender.address
    return message_id_of(read.msg, raw), sender, header_value(read.msg, "Subject")[:200]


def inbound_email_store(
    *, raw: bytes, envelope_from: str | None, now: datetime, read: _Read | None = None
) -> tuple[InboundEmail, bool]:
    """Keep the raw message; True as second value when the same sender sent it before."""
    inbound, duplicate, _ = _store(raw=raw, envelope_from=envelope_from, now=now, read=read)
    return inbound, duplicate


def _store(
    *, raw: bytes, envelope_from: str | None, now: datetime, read: _Read | None
) -> tuple[InboundEmail, bool, _LookedUp | None]:
    """``inbound_email_store``, and the sender when the same statement read them."""
    message_id, sender, subject = _store_key(raw, read or _read(raw))
    envelope = NULL_SENDER if envelope_from == "" else (envelope_from or "")
    fields = {
        "message_id": message_id,
        "sender": sender[:320],
        "subject": subject,
        "raw": raw,
        "raw_sha256": hashlib.sha256(raw).hexdigest(),
        "envelope_from": envelope[:320],
        "received_at": now,
    }
    # The sender is read with the store when the processing will use this parse's sender.
    address = sender if read is not None and read.whole and read.sender is not None else ""
    count = None
    if address and read is not None and _opens_a_ticket_if_anything(read.msg, subject):
        count = MailedSince(since=now - CAP_WINDOW, at_most=_cap())
    stored, looked_up = _insert_unless_known(fields, address, count)
    if stored is not None:
        return stored, False, looked_up
    original = (
        InboundEmail.objects.exclude(status=InboundStatus.DUPLICATE)
        .defer("raw")
        .get(message_id=message_id, sender=sender[:320])
    )
    same = "the same bytes" if original.raw_sha256 == fields["raw_sha256"] else "other bytes"
    copy = InboundEmail.objects.create(
        **fields,
        status=InboundStatus.DUPLICATE,
        reason=f"duplicate of message {original.id} from the same sender ({same})",
        ticket_id=original.ticket_id,
        processed_at=now,
    )
    return copy, True, None


def _opens_a_ticket_if_anything(msg: Message, subject: str) -> bool:
    """Whether the mail names no ticket (no In-Reply-To, no References, no ``[Ticket #N]`` in
    its subject): it can then only open one, or be refused or ignored, never be a reply."""
    return (
        msg.get("In-Reply-To") is None
        and msg.get("References") is None
        and _TOKEN.search(subject) is None
    )


def _insert_unless_known(
    fields: dict[str, object], address: str, count: MailedSince | None = None
) -> tuple[InboundEmail | None, _LookedUp | None]:
    """The new row, or None when the sender's Message-ID is already stored. Outside a
    transaction the INSERT commits by itself (no BEGIN and COMMIT around one statement);
    inside one, a savepoint keeps a clash from spoiling the caller's transaction. The
    statement is planned once per process (``insert_rows``); on PostgreSQL, with ``address``,
    the same statement reads its person (``stored_with_sender``)."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return _insert(InboundEmail(**fields), address, count)
        return _insert(InboundEmail(**fields), address, count)
    except IntegrityError:
        return None, None


def _insert(
    inbound: InboundEmail, address: str, count: MailedSince | None
) -> tuple[InboundEmail, _LookedUp | None]:
    if address and connection.vendor == "postgresql":
        user, mailed = stored_with_sender(inbound=inbound, address=address, count=count)
        return inbound, _LookedUp(user, mailed)
    return insert_rows([inbound])[0], None


def inbound_email_process(
    *,
    inbound: InboundEmail,
    now: datetime,
    read: _Read | None = None,
    looked_up: _LookedUp | None = None,
) -> InboundResult:
    """``read``: the message as parsed when it was stored (else the stored bytes are parsed);
    ``looked_up``: its sender, when the store read them."""
    try:
        # A whole transaction (``lifebuoy.core.savepoints``): the services that open the ticket
        # or add the reply open no savepoint of their own inside it, since an exception from
        # them rolls all of it back here anyway, and the failure is recorded below.
        with whole_write_transaction():
            result = _route(inbound, now, read, looked_up)
            # A message that landed on a ticket (opened it, or joined it) leaves its Message-ID
            # for the thread; one already known keeps the ticket it has.
            outcome_record(
                inbound_id=inbound.id,
                status=result.status,
                reason=result.reason,
                ticket_id=result.ticket_id,
                at=now,
                thread_message_id=inbound.message_id if result.ticket_id is not None else None,
            )
    except Exception as exc:
        # Either the work rolled back (the row is still unprocessed: mark it for a retry), or
        # the work committed and a post-commit hook failed (the row holds the real outcome).
        logger.exception("Inbound %s: error while processing", inbound.message_id)
        reason = f"{type(exc).__name__}: {exc}"[:300]
        InboundEmail.objects.filter(
            id=inbound.id, status__in=[InboundStatus.RECEIVED, InboundStatus.FAILED]
        ).update(status=InboundStatus.FAILED, reason=reason, processed_at=now)
        stored = InboundEmail.objects.get(id=inbound.id)
        result = InboundResult(stored.status, stored.reason, stored.ticket_id)
    logger.info(
        "Inbound %s: %s%s",
        inbound.message_id,
        result.status,
        f" ({result.reason})" * bool(result.reason),
    )
    return result


def inbound_email_retry(
    *,
    now: datetime,
    older_than: timedelta = timedelta(minutes=5),
    include_failed: bool = True,
    batch_size: int = 500,
) -> int:
    """Process again what a crash left unprocessed (and, unless told not to, what failed).

    Safe when two runs overlap: each message is claimed by setting its ``processed_at`` with a
    conditional update, only the run whose update changed the row processes it, and a claimed
    message is left alone for ``older_than``.
    """
    statuses = [InboundStatus.RECEIVED] + ([InboundStatus.FAILED] if include_failed else [])
    cutoff = now - older_than
    stuck = InboundEmail.objects.filter(status__in=statuses, received_at__lt=cutoff).filter(
        Q(processed_at__isnull=True) | Q(processed_at__lt=cutoff)  # a claim lasts older_than
    )
    count = 0
    for inbound in stuck.order_by("id").defer("raw")[:batch_size]:
        won = InboundEmail.objects.filter(
            id=inbound.id, status=inbound.status, processed_at=inbound.processed_at
        ).update(processed_at=now)
        if won == 1:
            inbound_email_process(inbound=inbound, now=now)
            count += 1
    return count


def _route(
    inbound: InboundEmail, now: datetime, read: _Read | None, looked_up: _LookedUp | None
) -> InboundResult:
    whole = read if read is not None and read.whole else None
    try:
        mail = parse_mail(
            bytes(inbound.raw),
            max_attachment_bytes=settings.LIFEBUOY_MAX_ATTACHMENT_BYTES,
            trusted_authserv_id=settings.LIFEBUOY_INBOUND_TRUSTED_AUTHSERV_ID,
            msg=None if whole is None else whole.msg,
            sender=None if whole is None else whole.sender,
        )
    except MailRejected as exc:
        return InboundResult(InboundStatus.REJECTED, str(exc))
    envelope = inbound.envelope_from if inbound.envelope_from else None
    reason = automatic_reason(
        mail,
        envelope_from="" if envelope == NULL_SENDER else envelope,
        own_address=settings.LIFEBUOY_SUPPORT_EMAIL,
    )
    if reason:
        return InboundResult(InboundStatus.IGNORED, reason)
    # The sender comes with their organization: opening a ticket would otherwise read it.
    # Already read with the store (the same address: ``whole.sender``'s), when it was.
    if looked_up is not None and looked_up.user is not None and whole is not None:
        sender: User | None = looked_up.user
    else:
        exact = looked_up is not None and whole is not None
        sender = sender_lookup(address=mail.from_address, exact_looked_up=exact)
    ticket = _find_ticket(mail, sender)
    if sender is not None and sender.is_support_staff and mail.authentication != MailAuth.PASS:
        return _staff_note(mail, sender, ticket, now)
    if ticket is not None and sender is not None:
        return _add_reply(mail, sender, ticket, now)
    if mail.authentication == MailAuth.FAIL:
        mail.notes.append(UNVERIFIED_NOTE)
    counted = None
    if looked_up is not None and sender is not None and looked_up.user is sender:
        counted = looked_up.mailed_recently
    return _open_ticket(mail, sender, now, counted)


UNVERIFIED_NOTE = (
    "The receiving server could not confirm that this mail comes from its sender's domain "
    "(DMARC): it may not be from them."
)


def _staff_note(
    mail: ParsedMail, sender: User, ticket: Ticket | None, now: datetime
) -> InboundResult:
    """Mail from a staff address proves nothing: an internal note at most, never a reply."""
    if ticket is None:
        return InboundResult(
            InboundStatus.REJECTED,
            "unverified mail from a staff address matched no ticket; staff answer on the desk",
        )
    body = (
        f"**Unverified mail from a staff address** ({mail.from_address}). Mail does not prove "
        "who sent it, so it was kept as this internal note and sent to no one.\n\n"
        f"{_reply_text(mail.text)}"
    )
    message_add(
        ticket=ticket,
        author=sender,
        body=_with_notes(body, mail),
        files=_files(mail),
        is_internal=True,
        unverified=True,
        now=now,
    )
    return InboundResult(
        InboundStatus.ATTACHED,
        "unverified mail from a staff address: kept as an internal note",
        ticket.id,
    )


def _find_ticket(mail: ParsedMail, sender: User | None) -> Ticket | None:
    """The first ticket the mail answers that its sender may write on."""
    if sender is None:
        return None
    ids = mail.thread_ids
    candidates: list[int] = []
    tickets: dict[int, Ticket] = {}
    if ids:  # the references come with their tickets: one query for a threaded reply
        by_id = thread_tickets(message_ids=ids)
        for message_id in ids:
            found = by_id.get(message_id)
            if found is not None:
                candidates.append(found.id)
                tickets[found.id] = found
    token = _TOKEN.search(mail.subject)
    if token:
        candidates.append(int(token[1]))
    missing = [ticket_id for ticket_id in candidates if ticket_id not in tickets]
    if missing:
        tickets.update(Ticket.objects.select_related("organization").in_bulk(missing))
    for ticket_id in dict.fromkeys(candidates):
        ticket = tickets.get(ticket_id)
        if ticket is not None and _may_write(sender, ticket):
            return ticket
    return None


def _may_write(sender: User, ticket: Ticket) -> bool:
    if not sender.is_active:
        return False
    if sender.is_support_staff or sender.id == ticket.requester_id:
        return True
    # Colleagues may follow up; strangers sharing the Community bucket may not.
    return (
        sender.organization_id == ticket.organization_id
        and ticket.organization.slug != COMMUNITY_SLUG
    )


def _files(mail: ParsedMail) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(a.filename, a.data, a.content_type) for a in mail.attachments]


def _with_notes(text: str, mail: ParsedMail) -> str:
    notes = "\n".join(f"- {note}" for note in mail.notes)
    return f"{text}\n\n---\n*Received by email:*\n{notes}" if notes else text


def _reply_text(text: str) -> str:
    """The new part of a reply: quoted history cut off, when something is left."""
    match = _QUOTE_START.search(text)
    fresh = text[: match.start()] if match else text
    lines = fresh.rstrip().splitlines()
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    fresh = "\n".join(lines).strip()
    return fresh or text


def _confirms_fix(ticket: Ticket, text: str) -> bool:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return ticket.status == Status.RESOLVED and bool(_CONFIRMATION.match(first_line))


def _add_reply(mail: ParsedMail, sender: User, ticket: Ticket, now: datetime) -> InboundResult:
    reply = _reply_text(mail.text)
    unverified = mail.authentication == MailAuth.FAIL
    if unverified:
        mail.notes.append(f"{UNVERIFIED_NOTE} It changed nothing on the ticket.")
    if not unverified and _confirms_fix(ticket, reply) and not mail.attachments:
        ticket_confirm_resolved(ticket=ticket, actor=sender, now=now)
        return InboundResult(InboundStatus.ATTACHED, ticket_id=ticket.id)
    body = _with_notes(reply, mail) or "(The message had no text.)"
    # Within the reopening window the reply joins (and reopens) the ticket; after it, the
    # customer's news goes to a follow-up ticket linked to the old one, as in the portal.
    landed = ticket_reply(
        ticket=ticket,
        author=sender,
        body=body,
        files=_files(mail),
        channel=Channel.EMAIL,
        unverified=unverified,
        now=now,
    )
    status = InboundStatus.CREATED if landed.created else InboundStatus.ATTACHED
    return InboundResult(status, ticket_id=landed.ticket.id)


def _first_contact(mail: ParsedMail) -> User:
    """A customer for an unknown address; another worker may be creating them right now."""
    try:
        with transaction.atomic():
            return customer_create(
                email=mail.from_address,
                full_name=mail.from_name,
                organization=community_organization_get_or_create(),
            )
    except IntegrityError:
        return User.objects.get(email=mail.from_address)


CAP_WINDOW = timedelta(hours=1)


def _cap() -> int:
    return int(settings.LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR)


def _over_hourly_cap(sender: User, now: datetime, counted: int | None = None) -> bool:
    """``counted``: the sender's count, when the store already made it."""
    cap = _cap()
    if counted is None:
        counted = mailed_tickets_since(requester_id=sender.id, since=now - CAP_WINDOW, at_most=cap)
    return counted >= cap


def _open_ticket(
    mail: ParsedMail, sender: User | None, now: datetime, counted: int | None = None
) -> InboundResult:
    """``counted``: see ``_over_hourly_cap`` (for the sender the store read)."""
    if sender is None:
        if settings.LIFEBUOY_INBOUND_UNKNOWN_SENDERS == "reject":
            return InboundResult(InboundStatus.REJECTED, "unknown sender")
        sender = _first_contact(mail)
    if not sender.is_customer or not sender.is_active:
        return InboundResult(
            InboundStatus.REJECTED, "only customers open tickets by email; no ticket matched"
        )
    if _over_hourly_cap(sender, now, counted):
        return InboundResult(InboundStatus.IGNORED, "too many new tickets from this sender")
    text = mail.text or "(The message had no text.)"
    subject = " ".join(_TOKEN.sub("", mail.subject).split()).strip(" -:") or "(no subject)"
    ticket = ticket_create(
        actor=sender,
        data=NewTicket(subject=subject, description=_with_notes(text, mail), channel=Channel.EMAIL),
        files=_files(mail),
        now=now,
    )
    return InboundResult(InboundStatus.CREATED, ticket_id=ticket.id)


def inbound_log_purge(*, now: datetime) -> int:
    """Drop the raw bytes of logged mail (refused, ignored, duplicate) past the log's window."""
    cutoff = now - timedelta(days=settings.LIFEBUOY_INBOUND_LOG_DAYS)
    expired = InboundEmail.objects.filter(
        status__in=[InboundStatus.REJECTED, InboundStatus.IGNORED, InboundStatus.DUPLICATE],
        received_at__lt=cutoff,
    ).exclude(raw=b"")
    return expired.update(raw=b"")
