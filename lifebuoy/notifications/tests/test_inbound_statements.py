"""What one inbound message costs the database: no lookup the mail path can do without."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from lifebuoy.accounts.models import User
from lifebuoy.notifications.inbound import sender
from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.inbound.statements import mailed_tickets_since
from lifebuoy.notifications.models import InboundEmail, InboundStatus, MailReference
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create
from tests.concurrency import PROJECT_APPS

from .mailmaker import mail

# Commits for real, so the store runs outside any transaction, as in the gateway.
committing = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, available_apps=PROJECT_APPS
)


def receive(raw: bytes, now, envelope_from: str = "alice@acme.example"):
    return inbound_email_receive(raw=raw, envelope_from=envelope_from, now=now)


@pytest.mark.django_db
def test_a_message_id_another_ticket_holds_keeps_that_ticket(alice, charlie, now):
    raw, message_id = mail(subject="First")
    first = receive(raw, now)
    # Another customer's mail reusing the Message-ID opens its own ticket; the reference stays.
    raw, _ = mail(sender="Charlie <charlie@globex.example>", subject="Other", message_id=message_id)
    second = receive(raw, now, envelope_from="charlie@globex.example")
    assert (first.status, second.status) == ("created", "created")
    assert first.ticket_id != second.ticket_id
    assert MailReference.objects.get(message_id=message_id).ticket_id == first.ticket_id


@pytest.mark.django_db
def test_the_senders_organization_comes_with_the_sender(alice, now):
    raw, _ = mail(subject="One query fewer")
    with CaptureQueriesContext(connection) as queries:
        assert receive(raw, now).status == "created"
    alone = [q["sql"] for q in queries if q["sql"].startswith('SELECT "accounts_organization"')]
    assert alone == []


@pytest.mark.django_db
def test_remembering_the_message_id_is_one_statement(alice, now):
    raw, message_id = mail(subject="Remembered")
    with CaptureQueriesContext(connection) as queries:
        receive(raw, now)
    about = [q["sql"] for q in queries if message_id in q["sql"] and "mailreference" in q["sql"]]
    assert len(about) == 1
    assert MailReference.objects.get(message_id=message_id).direction == "in"
    if connection.vendor == "postgresql":  # with the outcome's UPDATE, in one statement
        assert about[0].startswith("WITH remembered AS (INSERT")
        assert "UPDATE" in about[0]
        assert "ON CONFLICT DO NOTHING" in about[0]
    else:
        assert about[0].startswith("INSERT OR IGNORE")


@pytest.mark.django_db
def test_a_message_that_opened_no_ticket_leaves_no_reference(alice, now):
    raw, message_id = mail(subject="Out of office", headers={"Auto-Submitted": "auto-replied"})
    assert receive(raw, now).status == "ignored"
    assert not MailReference.objects.filter(message_id=message_id).exists()
    assert InboundEmail.objects.get(message_id=message_id).status == "ignored"


@pytest.mark.django_db
def test_automatic_mail_is_known_by_its_headers_written_in_any_case(alice, now):
    raw, _ = mail(subject="Digest", headers={"LIST-ID": "<users.lists.example>"})
    result = receive(raw, now)
    assert (result.status, result.reason) == ("ignored", "mailing-list traffic")
    raw, _ = mail(subject="Away", headers={"auto-SUBMITTED": "auto-replied"})
    assert receive(raw, now).reason == "Auto-Submitted: auto-replied"


@committing
def test_outside_a_transaction_the_raw_mail_is_stored_by_one_statement(alice, now):
    raw, _ = mail(subject="Stored at once")
    with CaptureQueriesContext(connection) as queries:
        result = receive(raw, now)
    if connection.vendor == "postgresql":  # reading the sender, committed by itself
        assert queries[0]["sql"].startswith(
            'WITH stored AS (INSERT INTO "notifications_inboundemail"'
        )
        assert queries[1]["sql"] == "BEGIN"
    else:
        assert queries[0]["sql"].startswith('INSERT INTO "notifications_inboundemail"')
    assert result.status == "created"
    assert Ticket.objects.count() == 1
    # The same sender's second copy clashes on the unique Message-ID: a logged duplicate.
    again = receive(raw, now)
    assert again.status == InboundStatus.DUPLICATE
    assert again.ticket_id == result.ticket_id
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_a_threaded_reply_finds_its_ticket_with_its_reference(alice, now):
    raw, first_id = mail(subject="Threaded")
    ticket = Ticket.objects.get(id=receive(raw, now).ticket_id)
    raw, _ = mail(subject=f"Re: {ticket.subject_token} Threaded", in_reply_to=first_id)
    with CaptureQueriesContext(connection) as queries:
        result = receive(raw, now)
    assert (result.status, result.ticket_id) == ("attached", ticket.id)
    lookups = [q["sql"] for q in queries if 'FROM "notifications_mailreference"' in q["sql"]]
    assert len(lookups) == 1
    assert '"tickets_ticket"' in lookups[0]  # joined: no query of its own for the ticket
    # The token alone still finds it (no known Message-ID): then the ticket is read by id.
    raw, _ = mail(subject=f"Re: {ticket.subject_token} By token")
    assert receive(raw, now).ticket_id == ticket.id


@pytest.mark.django_db
def test_only_mail_that_opens_a_ticket_counts_the_senders_recent_tickets(alice, now):
    raw, first_id = mail(subject="Counted")
    with CaptureQueriesContext(connection) as opening:
        assert receive(raw, now).status == "created"
    raw, _ = mail(subject="Re: Counted", in_reply_to=first_id)
    with CaptureQueriesContext(connection) as replying:
        assert receive(raw, now).status == "attached"

    def counts(queries):
        return [q["sql"] for q in queries if "SELECT COUNT(*)" in q["sql"]]

    assert len(counts(opening)) == 1  # on PostgreSQL, in the statement that stores the mail
    assert counts(opening)[0].startswith("WITH stored AS") == (connection.vendor == "postgresql")
    assert counts(replying) == []  # a reply is not capped: no count


@committing
def test_a_new_ticket_by_mail_costs_seven_statements_on_postgresql(alice, now):
    # The first ticket reads the desk's settings (routing, SLA policy, rules) into the cache.
    assert receive(mail(subject="Warming up")[0], now).status == "created"
    raw, _ = mail(subject="Counted statements")
    with CaptureQueriesContext(connection) as queries:
        result = receive(raw, now)
    assert result.status == "created"
    statements = [q["sql"] for q in queries]
    if connection.vendor != "postgresql":
        assert "SELECT COUNT(*)" in " ".join(statements)
        return
    # Stored with its sender and their recent count; the ticket with its audit event and search
    # documents; the clocks with their summary; the acknowledgement with its Message-ID; the
    # outcome with the mail's own Message-ID.
    assert len(statements) == 7, statements
    assert statements[0].startswith('WITH stored AS (INSERT INTO "notifications_inboundemail"')
    assert "SELECT COUNT(*)" in statements[0]
    assert statements[1] == "BEGIN"
    assert statements[-1] == "COMMIT"
    assert all("COUNT(*)" not in sql for sql in statements[1:])


@pytest.mark.django_db
@override_settings(LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR=1)
def test_mail_naming_a_ticket_it_cannot_reply_to_is_still_capped(alice, now):
    assert receive(mail(subject="First this hour")[0], now).status == "created"
    raw, _ = mail(subject="Re: something long gone", in_reply_to="<unknown@elsewhere.example>")
    with CaptureQueriesContext(connection) as queries:
        result = receive(raw, now)
    assert (result.status, result.reason) == ("ignored", "too many new tickets from this sender")
    # Counted by a statement of its own, once it was clear that the mail opens a ticket.
    counts = [q["sql"] for q in queries if "SELECT COUNT(*)" in q["sql"]]
    assert len(counts) == 1
    assert counts[0].startswith("SELECT COUNT(*)")


@pytest.mark.django_db
@override_settings(LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR=1)
def test_the_hourly_cap_counts_only_tickets_opened_by_mail_in_the_past_hour(alice, now):
    ticket_create(actor=alice, data=NewTicket(subject="In the portal", description="x"), now=now)
    earlier = mail(subject="Two hours ago")[0]
    assert receive(earlier, now - timedelta(hours=2)).status == "created"
    assert receive(mail(subject="First this hour")[0], now).status == "created"
    second = receive(mail(subject="Second this hour")[0], now + timedelta(minutes=59))
    assert (second.status, second.reason) == ("ignored", "too many new tickets from this sender")


@pytest.mark.django_db
@override_settings(LIFEBUOY_INBOUND_MAX_TICKETS_PER_SENDER_HOUR=50)
def test_the_senders_count_stops_at_what_the_cap_asks(alice, now):
    ticket_create(actor=alice, data=NewTicket(subject="In the portal", description="x"), now=now)
    for minute in range(3):
        subject = f"Mailed at minute {minute}"
        assert (
            receive(mail(subject=subject)[0], now + timedelta(minutes=minute)).status == "created"
        )
    since = now - timedelta(minutes=1)
    assert mailed_tickets_since(requester_id=alice.id, since=since, at_most=50) == 3
    assert mailed_tickets_since(requester_id=alice.id, since=since, at_most=2) == 2
    later = now + timedelta(minutes=1)
    assert mailed_tickets_since(requester_id=alice.id, since=later, at_most=50) == 2


@pytest.mark.django_db
def test_an_older_address_stored_in_capitals_still_finds_its_person(alice, now):
    User.objects.filter(id=alice.id).update(email="Alice@ACME.example")
    result = receive(mail(subject="Old row")[0], now)
    ticket = Ticket.objects.get(id=result.ticket_id)
    assert (ticket.requester_id, ticket.organization_id) == (alice.id, alice.organization_id)


@pytest.mark.django_db
def test_the_from_header_is_read_once_per_message(alice, now, monkeypatch):
    from lifebuoy.notifications.inbound import parse, services

    calls = []

    def counted(msg):
        calls.append(msg)
        return sender.mail_sender(msg)

    monkeypatch.setattr(services, "mail_sender", counted)
    monkeypatch.setattr(parse, "mail_sender", counted)
    assert receive(mail(subject="Read once")[0], now).status == "created"
    assert len(calls) == 1


@pytest.mark.django_db
def test_mail_whose_body_the_store_cannot_parse_is_stored_and_processed(alice, now, monkeypatch):
    from lifebuoy.notifications.inbound import services

    def broken(raw, policy):
        raise RecursionError("nested too deep")

    monkeypatch.setattr(services, "message_from_bytes", broken)
    raw, message_id = mail(subject="Parsed when processed")
    result = receive(raw, now)
    assert result.status == "created"
    stored = InboundEmail.objects.get(message_id=message_id)
    assert (stored.sender, stored.subject) == ("alice@acme.example", "Parsed when processed")


@committing
def test_a_new_ticket_or_a_reply_by_mail_opens_no_savepoint(alice, now):
    raw, first_id = mail(subject="No savepoint")
    with CaptureQueriesContext(connection) as opening:
        ticket_id = receive(raw, now).ticket_id
    raw, _ = mail(subject="Re: No savepoint", in_reply_to=first_id)
    with CaptureQueriesContext(connection) as replying:
        assert receive(raw, now).ticket_id == ticket_id
    for queries in (opening, replying):
        assert [q["sql"] for q in queries if "SAVEPOINT" in q["sql"]] == []


@committing
def test_a_reply_that_fails_halfway_leaves_nothing_of_it_but_the_failed_mail(
    alice, now, monkeypatch
):
    from lifebuoy.tickets.services import conversation

    raw, first_id = mail(subject="Half a reply")
    ticket = Ticket.objects.get(id=receive(raw, now).ticket_id)

    def broken(*args, **kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(conversation, "_event", broken)  # after the message's INSERT
    raw, reply_id = mail(subject="Re: Half a reply", in_reply_to=first_id)
    result = receive(raw, now)
    assert (result.status, result.reason) == ("failed", "RuntimeError: audit trail unavailable")
    assert not ticket.messages.exists()
    assert not MailReference.objects.filter(message_id=reply_id).exists()
    assert InboundEmail.objects.get(message_id=reply_id).status == "failed"


def test_a_from_header_seen_before_is_not_parsed_again_and_a_refusal_holds():
    from email import message_from_bytes

    from lifebuoy.notifications.inbound.errors import MailRejected

    sender._sender_of.cache_clear()
    first = message_from_bytes(b"From: Once Seen <once.seen@acme.example>\r\n\r\nhi\r\n")
    again = message_from_bytes(b"From: Once Seen <once.seen@acme.example>\r\n\r\nagain\r\n")
    assert sender.mail_sender(first) == sender.mail_sender(again)
    assert sender.mail_sender(again) == sender.Sender("once.seen@acme.example", "Once Seen")
    assert (sender._sender_of.cache_info().misses, sender._sender_of.cache_info().hits) == (1, 2)
    two = message_from_bytes(b"From: a@acme.example, b@acme.example\r\n\r\nhi\r\n")
    for _ in range(2):
        with pytest.raises(MailRejected, match="names 2 addresses"):
            sender.mail_sender(two)
    assert sender._sender_of.cache_info().misses == 3  # a refusal is read again each time


@pytest.mark.django_db
def test_on_postgresql_the_sender_is_read_by_the_statement_that_stores_the_mail(alice, now):
    raw, _ = mail(subject="Read with the store")
    with CaptureQueriesContext(connection) as queries:
        result = receive(raw, now)
    assert result.status == "created"
    ticket = Ticket.objects.get(id=result.ticket_id)
    assert (ticket.requester_id, ticket.organization_id) == (alice.id, alice.organization_id)
    users = [q["sql"] for q in queries if '"accounts_user" u ' in q["sql"]]
    assert len(users) == 1  # one lookup of the sender, whichever the database
    stored_with_it = connection.vendor == "postgresql"
    assert users[0].startswith("WITH stored AS (INSERT") == stored_with_it


def _generic_plan(statement: str, params: list[Any]) -> str:
    """PostgreSQL's plan for ``statement`` made for any values, as a prepared statement keeps it
    once it stops planning for the values at hand."""
    numbers = iter(range(1, len(params) + 1))
    numbered = re.sub("%s", lambda _: f"${next(numbers)}", statement)
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # the test's tables are tiny
        cursor.execute(f"PREPARE planned AS {numbered}")
        try:
            cursor.execute(f"EXPLAIN EXECUTE planned({placeholders})", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE planned")


def _many_tickets_of_few_senders(count: int) -> None:
    """``count`` copies of the one ticket there is, and statistics that know it: a desk whose
    senders each have many tickets, like a grown one."""
    columns = ", ".join(
        connection.ops.quote_name(field.column)
        for field in Ticket._meta.concrete_fields
        if not field.primary_key
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO tickets_ticket ({columns}) SELECT {columns} "  # noqa: S608
            "FROM tickets_ticket, generate_series(1, %s)",
            [count],
        )
        cursor.execute("ANALYZE tickets_ticket")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_hourly_count_walks_only_the_senders_range_whatever_plan_is_kept(alice, now):
    from lifebuoy.core.inserts import insert_statement
    from lifebuoy.notifications.inbound.statements import _count_statement, _stored_statement

    ticket_create(actor=alice, data=NewTicket(subject="Many", description="x"), now=now)
    _many_tickets_of_few_senders(5000)
    since = now - timedelta(hours=1)
    counted = _generic_plan(_count_statement("default"), [alice.id, alice.id, since, "email", 20])
    assert "ticket_requester_created" in counted
    assert "tickets_ticket_created_at" not in counted
    # The same count with the range on created_at alone is served by created_at's index here,
    # walking every sender's tickets of the hour: the reason the range is a row comparison.
    alone = _count_statement("default").replace(
        '(t."requester_id", t."created_at") >= (%s, %s)', 't."created_at" >= %s'
    )
    assert alone != _count_statement("default")
    across = _generic_plan(alone, [alice.id, since, "email", 20])
    assert "tickets_ticket_created_at" in across
    # And where the store counts with the sender's lookup, the person's id read by the join.
    inbound = InboundEmail(
        message_id="<planned@acme.example>", sender="alice@acme.example", raw=b"x", received_at=now
    )
    insert, values = insert_statement(inbound)
    with_store = _stored_statement("default", insert, True)
    joined = _generic_plan(with_store, [*values, since, "email", 20, "alice@acme.example"])
    assert "ticket_requester_created" in joined
    assert "tickets_ticket_created_at" not in joined


@committing
def test_the_hourly_count_is_prepared_once_per_connection(alice, now):
    mailed_tickets_since(requester_id=alice.id, since=now - timedelta(hours=1), at_most=20)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert any("COUNT(*)" in statement for statement in prepared)
    assert mailed_tickets_since(requester_id=alice.id, since=now, at_most=20) == 0
