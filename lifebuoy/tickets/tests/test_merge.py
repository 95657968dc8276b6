"""Merging duplicates: what the agent and the customers see afterwards, and every refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.notifications.models import Delivery
from lifebuoy.notifications.services.delivery import delivery_attempt
from lifebuoy.sla.models import Clock
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Message, Ticket, TicketEvent
from lifebuoy.tickets.services import (
    TicketChanges,
    message_add,
    ticket_confirm_resolved,
    ticket_merge,
    ticket_update,
)
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged_at(now):
    return now + timedelta(hours=1)


@pytest.fixture
def target(alice, bob, now):
    """Alice's ticket, answered by Bob, with Alice's answer after Carol wrote on hers."""
    ticket = ticket_opened(alice, now, subject="C2 stopped committing", tags=("c2", "git"))
    message_add(
        ticket=ticket, author=bob, body="Restart C2, please.", now=now + timedelta(minutes=10)
    )
    return ticket


@pytest.fixture
def source(carol, alice, target, now):
    """Carol's duplicate of Alice's problem, opened a little later, with a log attached."""
    ticket = ticket_opened(
        carol,
        now + timedelta(minutes=5),
        subject="No commits from C2",
        description="The build agent has been quiet all morning.",
        tags=("git", "urgent"),
    )
    log = SimpleUploadedFile("git.log", b"abc123 C2: build", content_type="text/plain")
    message_add(
        ticket=ticket,
        author=carol,
        body="Here is the log.",
        files=[log],
        now=now + timedelta(minutes=15),
    )
    message_add(
        ticket=target,
        author=alice,
        body="Restarted; still nothing.",
        now=now + timedelta(minutes=20),
    )
    return ticket


def _conversation(ticket: Ticket) -> list[tuple[str, str, bool, list[str]]]:
    return [
        (m.author.email, m.body, m.is_internal, [a.filename for a in m.attachments.all()])
        for m in ticket.messages.select_related("author").prefetch_related("attachments")
    ]


def _state() -> tuple[object, ...]:
    """Everything a merge could touch, to show that a refused one touched nothing."""
    tickets = [
        (
            t.id,
            t.status,
            t.merged_into_id,
            t.last_activity_at,
            sorted(t.tags.values_list("name", flat=True)),
        )
        for t in Ticket.objects.order_by("id")
    ]
    messages = list(Message.objects.order_by("id").values_list("id", "ticket_id"))
    clocks = list(Clock.objects.order_by("id").values_list("id", "state", "stopped_at"))
    return tickets, messages, clocks, TicketEvent.objects.count(), Delivery.objects.count()


# What the agent sees on the target


def test_the_targets_conversation_reads_in_time_order_with_the_sources_messages(
    target, source, bob, merged_at
):
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert _conversation(target) == [
        (
            "bob@lifebuoy.test",
            f"Merged from #{source.id}: No commits from C2\n\n"
            "The build agent has been quiet all morning.",
            True,
            [],
        ),
        ("bob@lifebuoy.test", "Restart C2, please.", False, []),
        ("carol@acme.example", "Here is the log.", False, ["git.log"]),
        ("alice@acme.example", "Restarted; still nothing.", False, []),
    ]
    note = target.messages.get(is_internal=True)
    assert note.created_at == source.created_at  # heads the source's own messages
    assert "The build agent has been quiet all morning." in note.body_html


def test_the_tags_of_both_end_up_on_the_target(target, source, bob, merged_at):
    merged = ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert sorted(merged.tags.values_list("name", flat=True)) == ["c2", "git", "urgent"]
    assert sorted(source.tags.values_list("name", flat=True)) == ["git", "urgent"]
    assert merged.last_activity_at == merged_at


# What becomes of the sources


def test_each_source_is_closed_with_a_public_notice_linking_the_target(
    target, source, alice, carol, bob, now, merged_at
):
    other = ticket_opened(alice, now + timedelta(minutes=30), subject="C2 silent again")
    merged = ticket_merge(actor=bob, target=target, sources=[other.id, source.id], now=merged_at)
    assert merged == target
    for ticket in (source, other):
        ticket.refresh_from_db()
        assert (ticket.status, ticket.closed_at, ticket.merged_into) == (
            "closed",
            merged_at,
            target,
        )
        assert _conversation(ticket) == [
            (
                "bob@lifebuoy.test",
                f"This request was merged into #{target.id}, where we continue.",
                False,
                [],
            )
        ]
    assert set(merged.merged_from.all()) == {source, other}
    assert merged.status == "open"  # Bob's reply opened it; the merge leaves it so


def test_the_sources_requester_is_told_once_by_the_notice_and_not_asked_to_confirm(
    target, source, carol, bob, merged_at
):
    # Resolved before the merge: its "please confirm" mail has gone, and must not go again.
    ticket_update(ticket=source, actor=bob, changes=TicketChanges(status="resolved"), now=merged_at)
    before = set(Delivery.objects.values_list("id", flat=True))
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    new = Delivery.objects.exclude(id__in=before)
    assert [(d.kind, d.target) for d in new] == [("email", carol.email)]
    notice = new.get()
    assert notice.payload["subject"] == f"Re: [Ticket #{source.id}] No commits from C2"
    assert notice.payload["text"].startswith(
        f"This request was merged into #{target.id}, where we continue."
    )
    assert "CONFIRMED" not in notice.payload["text"]
    assert notice.payload["headers"] == {"Auto-Submitted": "auto-generated"}
    assert delivery_attempt(delivery_id=notice.id, now=merged_at).outcome == "sent"
    assert [m.to for m in mail.outbox] == [[carol.email]]


def test_the_sources_clocks_stop_and_the_targets_run_on_untouched(target, source, bob, merged_at):
    fields = ("id", "kind", "state", "due_at", "running_since", "paused_at", "stopped_at")
    targets_before = list(Clock.objects.filter(ticket=target).values_list(*fields))
    assert Clock.objects.filter(ticket=source, stopped_at=None).exists()
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert set(Clock.objects.filter(ticket=source).values_list("stopped_at", flat=True)) == {
        merged_at
    }
    assert list(Clock.objects.filter(ticket=target).values_list(*fields)) == targets_before
    source.refresh_from_db()
    assert source.first_response_at is None  # the notice answered nobody's question


def test_both_audit_trails_record_the_merge(target, source, bob, now, merged_at):
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    rows = ("actor__email", "action", "field", "old_value", "new_value")
    assert list(source.events.filter(created_at=merged_at).values_list(*rows)) == [
        ("bob@lifebuoy.test", "merged", "merged_into", "", f"#{target.id}"),
        ("bob@lifebuoy.test", "changed", "status", "new", "closed"),
        ("bob@lifebuoy.test", "reply_added", "", "", ""),
        ("bob@lifebuoy.test", "changed", "owner", "", str(bob)),
    ]
    assert list(target.events.filter(created_at=merged_at).values_list(*rows)) == [
        ("bob@lifebuoy.test", "merged", "merged_from", "", f"#{source.id}"),
        ("bob@lifebuoy.test", "changed", "tags", "c2,git", "c2,git,urgent"),
    ]


def test_the_merge_is_announced_once_its_writes_are_done(
    monkeypatch, target, source, bob, merged_at
):
    seen: list[tuple[int, tuple[int, ...], str]] = []

    def probe(event: events.TicketMerged) -> None:
        seen.append((event.target.id, event.source_ids, Ticket.objects.get(id=source.id).status))

    handlers = {k: list(v) for k, v in events._handlers.items()}
    monkeypatch.setattr(events, "_handlers", handlers)
    events.subscribe(events.TicketMerged, probe, order=99)
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert seen == [(target.id, (source.id,), "closed")]


def test_a_failure_after_the_writes_undoes_the_whole_merge(
    monkeypatch, target, source, bob, merged_at
):
    def broken(event: events.TicketMerged) -> None:
        raise RuntimeError("subscriber failed")

    handlers = {k: list(v) for k, v in events._handlers.items()}
    monkeypatch.setattr(events, "_handlers", handlers)
    events.subscribe(events.TicketMerged, broken, order=99)
    before = _state()
    with pytest.raises(RuntimeError, match="subscriber failed"):
        ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert _state() == before


# Refusals: each names the ticket, and leaves everything as it was


def test_a_customer_cannot_merge(target, source, alice, merged_at):
    before = _state()
    with pytest.raises(PermissionDenied, match=r"^Only support staff can merge tickets\.$"):
        ticket_merge(actor=alice, target=target, sources=[source], now=merged_at)
    assert _state() == before


def test_another_customers_ticket_is_never_merged_in(target, source, charlie, bob, merged_at):
    theirs = ticket_opened(charlie, merged_at - timedelta(minutes=1), subject="C2 stopped")
    before = _state()
    message = (
        f"#{theirs.id} belongs to another organization than #{target.id}; "
        "tickets of different customers are never merged."
    )
    with pytest.raises(ValidationFailed, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=target, sources=[source, theirs], now=merged_at)
    assert _state() == before


@pytest.mark.parametrize("closed", ["target", "source"])
def test_a_closed_ticket_is_refused(request, closed, target, source, bob, merged_at):
    ticket = request.getfixturevalue(closed)
    for _ in range(2):  # resolved by the customer's word, closed by their confirmation
        ticket_confirm_resolved(ticket=ticket, actor=ticket.requester, now=merged_at)
    before = _state()
    message = f"Ticket #{ticket.id} is closed; closed tickets are not merged."
    with pytest.raises(InvalidState, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    assert _state() == before


def test_a_ticket_already_merged_is_refused(target, source, alice, bob, now, merged_at):
    ticket_merge(actor=bob, target=target, sources=[source], now=merged_at)
    elsewhere = ticket_opened(alice, now, subject="C2 once more")
    before = _state()
    message = f"Ticket #{source.id} was already merged into #{target.id}."
    with pytest.raises(InvalidState, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=elsewhere, sources=[source], now=merged_at)
    assert _state() == before


def test_the_target_cannot_be_one_of_its_sources(target, source, bob, merged_at):
    before = _state()
    message = f"Ticket #{target.id} cannot be merged into itself."
    with pytest.raises(ValidationFailed, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=target, sources=[source, target], now=merged_at)
    assert _state() == before


def test_merging_nothing_is_refused(target, bob, merged_at):
    before = _state()
    message = f"Choose at least one ticket to merge into #{target.id}."
    with pytest.raises(ValidationFailed, match=f"^{re.escape(message)}$") as refused:
        ticket_merge(actor=bob, target=target, sources=[], now=merged_at)
    assert refused.value.extra == {"fields": {"sources": message}}
    assert _state() == before


def test_a_ticket_named_twice_is_refused(target, source, bob, merged_at):
    before = _state()
    message = f"Name each ticket once; listed more than once: #{source.id}."
    with pytest.raises(ValidationFailed, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=target, sources=[source.id, source.id], now=merged_at)
    assert _state() == before


def test_an_unknown_ticket_is_refused(target, source, bob, merged_at):
    missing = source.id + 1000
    before = _state()
    message = f"These tickets were not found: #{missing}."
    with pytest.raises(NotFound, match=f"^{re.escape(message)}$"):
        ticket_merge(actor=bob, target=target, sources=[source.id, missing], now=merged_at)
    assert _state() == before
