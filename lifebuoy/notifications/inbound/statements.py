"""The statements every inbound message runs, planned once per process instead of compiled by the
ORM for each message (which cost more CPU than the database spent answering them).

- ``stored_with_sender``: on PostgreSQL, the raw mail stored and the person its address belongs
  to read, with their organization (and, for mail that is to open a ticket, how many tickets
  they opened by mail lately), by one statement;
- ``sender_lookup``: the person an address belongs to, with their organization (one query);
- ``mailed_tickets_since``: how many tickets they opened by mail lately (the hourly cap), only
  when their mail is to open a ticket;
- ``thread_tickets``: the tickets that known Message-IDs belong to, each with its organization.
- ``outcome_record``: what became of a stored message (its status, reason and ticket).

Rows are read fresh every time (``lifebuoy.core.planned``): a deactivated sender or a ticket
that just moved is seen by the very next message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from django.db import connections

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.inserts import insert_rows, insert_statement, inserted
from lifebuoy.core.planned import model_columns
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.notifications.models import InboundEmail, MailReference
from lifebuoy.tickets.models import Channel, Ticket


@cache
def _sender_statement(using: str, case_insensitive: bool) -> str:
    quote = connections[using].ops.quote_name
    users = model_columns(User, "u", using)
    organizations = model_columns(Organization, "o", using)
    email = f"u.{quote(User._meta.get_field('email').column)}"
    where = f"UPPER({email}) = UPPER(%s)" if case_insensitive else f"{email} = %s"
    return (
        f"SELECT {users.select}, {organizations.select} "  # noqa: S608  # names from models
        f"FROM {quote(User._meta.db_table)} u "
        f"LEFT JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{quote('id')} = u.{quote(User._meta.get_field('organization').column)} "
        f"WHERE {where} ORDER BY u.{quote('id')}"
    )


def sender_lookup(
    *, address: str, using: str = "default", exact_looked_up: bool = False
) -> User | None:
    """Whoever ``address`` belongs to, with their organization. Addresses are stored lower-case
    (an index hit); older rows may differ in case, so a miss is looked up again regardless of
    case (``exact_looked_up``: the exact address was already looked up and missed)."""
    for case_insensitive in (False, True)[exact_looked_up:]:
        with prepared_cursor(using) as cursor:
            cursor.execute(_sender_statement(using, case_insensitive), [address])
            row = cursor.fetchone()
        if row is not None:
            break
    else:
        return None
    return _sender_of(row, using)


def _sender_of(row: Any, using: str) -> User:
    users = model_columns(User, "u", using)
    organizations = model_columns(Organization, "o", using)
    user = users.build(row[: users.width], User)
    organization = None
    if user.organization_id is not None:
        organization = organizations.build(row[users.width :], Organization)
    User.organization.field.set_cached_value(user, organization)
    return user


def _range_of(ticket: str, requester: str, quote: Any) -> str:
    """The condition of a requester's mailed tickets since a time (two parameters: the time,
    then the channel), as a row comparison that only the (requester, created_at) index can
    serve (see ``mailed_tickets_since``)."""
    meta = Ticket._meta
    column = quote(meta.get_field("requester").column)
    created_at = quote(meta.get_field("created_at").column)
    return (
        f"{ticket}.{column} = {requester} "
        f"AND ({ticket}.{column}, {ticket}.{created_at}) >= ({requester}, %s) "
        f"AND {ticket}.{quote(meta.get_field('channel').column)} = %s"
    )


@cache
def _stored_statement(using: str, insert: str, counted: bool) -> str:
    quote = connections[using].ops.quote_name
    users = model_columns(User, "u", using)
    organizations = model_columns(Organization, "o", using)
    email = f"u.{quote(User._meta.get_field('email').column)}"
    count = ""
    if counted:  # a correlated count, at most %s rows of the person's range
        count = (
            ", (SELECT COUNT(*) FROM (SELECT 1 "  # noqa: S608  # names from models
            f"FROM {quote(Ticket._meta.db_table)} t WHERE {_range_of('t', 'u.id', quote)} "
            "LIMIT %s) counted)"
        )
    return (
        f"WITH stored AS ({insert}) "  # noqa: S608  # names from models
        f"SELECT stored.{quote('id')}, {users.select}, {organizations.select}{count} "
        f"FROM stored LEFT JOIN {quote(User._meta.db_table)} u ON {email} = %s "
        f"LEFT JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{quote('id')} = u.{quote(User._meta.get_field('organization').column)}"
    )


@dataclass(frozen=True)
class MailedSince:
    """For ``stored_with_sender``: count the person's tickets opened by mail since ``since``,
    up to ``at_most`` (``mailed_tickets_since``)."""

    since: datetime
    at_most: int


def stored_with_sender(
    *,
    inbound: InboundEmail,
    address: str,
    count: MailedSince | None = None,
    using: str = "default",
) -> tuple[User | None, int | None]:
    """INSERT ``inbound`` and read whoever ``address`` is exactly (lower-case, as stored; see
    ``sender_lookup`` for older rows) with their organization, in one statement: the raw mail
    is stored as by ``insert_rows`` (committed by this statement alone outside a transaction),
    and the processing that follows needs no lookup of its own. With ``count``, the same
    statement also counts the person's tickets opened by mail lately, as
    ``mailed_tickets_since`` would (for mail that is to open a ticket). Returns the person (None:
    nobody has that address) and the count (None when not asked for or nobody was found).
    PostgreSQL only (a data-modifying WITH); raises IntegrityError as the INSERT alone would."""
    insert, params = insert_statement(inbound, using=using)
    if count is not None:
        connection = connections[using]
        since = Ticket._meta.get_field("created_at").get_db_prep_value(count.since, connection)
        params.extend([since, Channel.EMAIL.value, count.at_most])
    with prepared_cursor(using) as cursor:
        cursor.execute(_stored_statement(using, insert, count is not None), [*params, address])
        row = cursor.fetchone()
    inserted(inbound, row[0], using=using)
    if row[1] is None:  # row[1]: the person's id
        return None, None
    if count is None:
        return _sender_of(row[1:], using), None
    return _sender_of(row[1:-1], using), int(row[-1])


@cache
def _count_statement(using: str) -> str:
    quote = connections[using].ops.quote_name
    return (
        "SELECT COUNT(*) FROM (SELECT 1 "  # noqa: S608  # names from models
        f"FROM {quote(Ticket._meta.db_table)} t WHERE {_range_of('t', '%s', quote)} "
        "LIMIT %s) counted"
    )


def mailed_tickets_since(
    *, requester_id: int, since: datetime, at_most: int, using: str = "default"
) -> int:
    """How many tickets the person opened by mail since ``since``, counted up to ``at_most``
    (the per-sender hourly cap only asks whether the cap is reached). The sender's tickets are
    found by the (requester, created_at) index from ``since`` on and the count stops at
    ``at_most``, so a sender who mailed thousands of tickets costs no more than any other.

    Prepared on the server (planning it cost PostgreSQL more than running it). The range is
    written as a row comparison, ``(requester, created_at) >= (sender, since)``, which only an
    index on those two columns can serve: a plan made for any sender and time (the generic plan
    PostgreSQL keeps for a prepared statement) still walks that sender's own range, where with
    ``created_at >= since`` alone it may prefer the ``created_at`` index and read every ticket
    of the past hour (which a test holds on PostgreSQL)."""
    connection = connections[using]
    created_at = Ticket._meta.get_field("created_at").get_db_prep_value(since, connection)
    params = [requester_id, requester_id, created_at, Channel.EMAIL.value, at_most]
    with prepared_cursor(using) as cursor:
        cursor.execute(_count_statement(using), params)
        row = cursor.fetchone()
    return int(row[0]) if row is not None else 0


@lru_cache(maxsize=64)
def _thread_statement(using: str, count: int) -> str:
    quote = connections[using].ops.quote_name
    tickets = model_columns(Ticket, "t", using)
    organizations = model_columns(Organization, "o", using)
    reference = MailReference._meta
    message_id = f"r.{quote(reference.get_field('message_id').column)}"
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT {message_id}, {tickets.select}, {organizations.select} "  # noqa: S608
        f"FROM {quote(reference.db_table)} r "
        f"JOIN {quote(Ticket._meta.db_table)} t "
        f"ON t.{quote('id')} = r.{quote(reference.get_field('ticket').column)} "
        f"JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{quote('id')} = t.{quote(Ticket._meta.get_field('organization').column)} "
        f"WHERE {message_id} IN ({placeholders})"
    )


def thread_tickets(*, message_ids: list[str], using: str = "default") -> dict[str, Ticket]:
    """The ticket each known Message-ID of ``message_ids`` belongs to (organization loaded)."""
    if not message_ids:
        return {}
    tickets = model_columns(Ticket, "t", using)
    organizations = model_columns(Organization, "o", using)
    with prepared_cursor(using) as cursor:
        cursor.execute(_thread_statement(using, len(message_ids)), message_ids)
        rows = cursor.fetchall()
    found: dict[str, Ticket] = {}
    for row in rows:
        ticket = tickets.build(row[1 : 1 + tickets.width], Ticket)
        organization = organizations.build(row[1 + tickets.width :], Organization)
        Ticket.organization.field.set_cached_value(ticket, organization)
        found[row[0]] = ticket
    return found


@cache
def _outcome_statement(using: str, with_reference: bool) -> str:
    """The outcome's UPDATE; on PostgreSQL, with the thread's reference written by the same
    statement (a data-modifying WITH: one round trip instead of two)."""
    quote = connections[using].ops.quote_name
    meta = InboundEmail._meta
    columns = (
        meta.get_field("status").column,
        meta.get_field("reason").column,
        meta.get_field("ticket").column,
        meta.get_field("processed_at").column,
    )
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    update = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    if not with_reference:
        return update
    reference = MailReference._meta
    names = ", ".join(
        quote(column)
        for column in (
            reference.get_field("message_id").column,
            reference.get_field("ticket").column,
            reference.get_field("direction").column,
            reference.get_field("created_at").column,
        )
    )
    return (
        f"WITH remembered AS (INSERT INTO {quote(reference.db_table)} ({names}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING) {update}"
    )


def outcome_record(
    *,
    inbound_id: int,
    status: str,
    reason: str,
    ticket_id: int | None,
    at: datetime,
    thread_message_id: str | None = None,
    using: str = "default",
) -> None:
    """Record what became of stored message ``inbound_id``, processed at ``at``; with
    ``thread_message_id``, also remember that Message-ID as ticket ``ticket_id``'s (unless it
    is known already: the first ticket keeps it)."""
    connection = connections[using]
    processed_at = InboundEmail._meta.get_field("processed_at")
    params: list[Any] = [
        str(status),
        reason[: InboundEmail._meta.get_field("reason").max_length],
        ticket_id,
        processed_at.get_db_prep_value(at, connection),
        inbound_id,
    ]
    remembered = thread_message_id is not None and ticket_id is not None
    together = remembered and connection.vendor == "postgresql"
    if together:  # the reference's values as its model would send them, without building it
        created_at = MailReference._meta.get_field("created_at")
        params = [
            thread_message_id,
            ticket_id,
            str(MailReference.Direction.INBOUND),
            created_at.get_db_prep_value(at, connection),
            *params,
        ]
    elif thread_message_id is not None and ticket_id is not None:
        reference = MailReference(
            message_id=thread_message_id,
            ticket_id=ticket_id,
            direction=MailReference.Direction.INBOUND,
            created_at=at,
        )
        insert_rows([reference], using=using, ignore_conflicts=True)
    with prepared_cursor(using) as cursor:
        cursor.execute(_outcome_statement(using, together), params)
