from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone

from lifebuoy.notifications.inbound.imap import Mailbox, imap_poll
from lifebuoy.notifications.inbound.services import inbound_email_receive
from lifebuoy.notifications.inbound.tasks import imap_poll as imap_poll_task
from lifebuoy.notifications.models import InboundEmail
from lifebuoy.tickets.models import Ticket

from .fake_imap import imap_server
from .mailmaker import mail

pytestmark = pytest.mark.django_db


def box(port: int, **kw) -> Mailbox:
    return Mailbox(host="127.0.0.1", port=port, user="support", password="pw", use_ssl=False, **kw)


def receive(raw: bytes) -> str:
    return inbound_email_receive(raw=raw, envelope_from=None, now=timezone.now()).status


def test_polling_turns_unseen_mail_into_tickets_once(alice):
    messages = [mail(subject=f"Mailbox {i}")[0] for i in range(3)]
    with imap_server(messages) as (store, port):
        assert imap_poll(box=box(port), receive=receive) == 3
        assert imap_poll(box=box(port), receive=receive) == 0
    assert store.seen == {1, 2, 3}
    assert Ticket.objects.count() == 3


def test_a_crash_before_flagging_fetches_again_and_the_duplicate_is_ignored(alice):
    messages = [mail(subject=f"Mailbox {i}")[0] for i in range(3)]
    calls = []

    def crash_after_storing_the_second(raw: bytes) -> str:
        outcome = receive(raw)
        calls.append(outcome)
        if len(calls) == 2:
            raise ConnectionResetError("worker lost its connection")
        return outcome

    with imap_server(messages) as (store, port):
        with pytest.raises(ConnectionResetError, match="worker lost its connection"):
            imap_poll(box=box(port), receive=crash_after_storing_the_second)
        assert store.seen == {1}
        assert imap_poll(box=box(port, delete_after=True), receive=receive) == 2
        assert store.messages.keys() == {1}  # the handled ones were deleted
    assert Ticket.objects.count() == 3
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["created", "created", "created", "duplicate"]  # the refetch is logged


def test_the_task_does_nothing_without_a_mailbox_and_polls_the_configured_one(alice):
    assert imap_poll_task() == 0
    with (
        imap_server([mail(subject="From the task")[0]]) as (_store, port),
        override_settings(
            LIFEBUOY_IMAP_HOST="127.0.0.1", LIFEBUOY_IMAP_PORT=port, LIFEBUOY_IMAP_SSL=False
        ),
    ):
        assert imap_poll_task() == 1
    assert Ticket.objects.get().subject == "From the task"
