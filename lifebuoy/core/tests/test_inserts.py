"""insert_rows stores what Model.objects.create would, and refuses what it cannot do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from lifebuoy.core.inserts import insert_rows
from lifebuoy.notifications.models import Delivery
from lifebuoy.sla.models import Summary
from lifebuoy.tickets.models import TicketEvent
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def _stored(model: type[Model], pk: object) -> dict[str, object]:
    row = model._default_manager.get(pk=pk)
    return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}


def test_a_row_is_stored_as_create_stores_it(delivery_values):
    values = delivery_values
    by_orm = Delivery.objects.create(idempotency_key="orm", **values)
    with CaptureQueriesContext(connection) as queries:
        (fast,) = insert_rows([Delivery(idempotency_key="fast", **values)])
    assert len(queries) == 1
    assert fast.pk is not None
    assert fast.pk != by_orm.pk
    assert not fast._state.adding
    orm_row, fast_row = _stored(Delivery, by_orm.pk), _stored(Delivery, fast.pk)
    for row in (orm_row, fast_row):
        row.pop("id"), row.pop("idempotency_key")
    assert fast_row == orm_row
    fast.attempts = 3
    fast.save(update_fields=["attempts"])  # saved again as an ordinary instance
    assert Delivery.objects.get(pk=fast.pk).attempts == 3


def test_several_rows_in_one_statement_get_their_keys_in_order(alice, now):
    ticket = ticket_opened(alice, now)
    events = [
        TicketEvent(ticket=ticket, action="note", new_value=str(i), created_at=now + timedelta(i))
        for i in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        insert_rows(events)
    assert len(queries) == 1
    for event in events:
        assert TicketEvent.objects.get(pk=event.pk).new_value == event.new_value


def test_a_model_keyed_by_another_row_is_written_with_its_key(alice, now):
    ticket = ticket_opened(alice, now)
    Summary.objects.filter(ticket=ticket).delete()
    insert_rows([Summary(ticket_id=ticket.id, next_due_at=now, state="ok")])
    assert Summary.objects.get(ticket=ticket).next_due_at == now


def test_it_refuses_a_mix_of_models(alice, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(TypeError):
        insert_rows([TicketEvent(ticket=ticket, created_at=now), Summary(ticket_id=ticket.id)])


def test_values_the_orm_would_convert_are_converted(alice, now):
    from django.utils.functional import lazy

    from lifebuoy.tickets.models import Priority

    ticket = ticket_opened(alice, now)
    lazy_text = lazy(lambda: "lazy words", str)()
    event = TicketEvent(
        ticket=ticket, action=Priority.P1, new_value=lazy_text, old_value=7, created_at=now
    )
    insert_rows([event])
    stored = TicketEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.new_value, stored.old_value) == ("P1", "lazy words", "7")


def test_rows_along_are_written_with_the_main_rows(alice, now):
    from lifebuoy.notifications.models import MailReference

    ticket = ticket_opened(alice, now)
    Summary.objects.filter(ticket=ticket).delete()
    event = TicketEvent(ticket=ticket, action="note", new_value="with along", created_at=now)
    summary = Summary(ticket_id=ticket.id, next_due_at=now, state="ok")
    reference = MailReference(message_id="<along@x>", ticket=ticket, direction="in", created_at=now)
    with CaptureQueriesContext(connection) as queries:
        insert_rows([event], along=[summary])
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert TicketEvent.objects.get(pk=event.pk).new_value == "with along"
    assert Summary.objects.get(ticket=ticket).next_due_at == now
    assert not summary._state.adding
    insert_rows([TicketEvent(ticket=ticket, action="note", created_at=now)], along=[reference])
    assert MailReference.objects.get(message_id="<along@x>").ticket_id == ticket.id


def test_statements_also_carried_read_the_new_rows_key(alice, now):
    from lifebuoy.tickets.models import Ticket

    ticket = ticket_opened(alice, now)
    event = TicketEvent(ticket=ticket, action="note", new_value="carried", created_at=now)
    summary = Summary(ticket_id=ticket.id, next_due_at=now, state="ok")
    follow_up = Ticket(
        subject="Follow-up",
        description="",
        description_html="",
        requester=alice,
        organization=alice.organization,
        follow_up_of_id=ticket.id,
        last_activity_at=now,
        created_at=now,
    )
    also = (
        'UPDATE "tickets_ticket" SET "subject" = %s || (SELECT id FROM main_rows)::text '
        "WHERE id = %s"
    )
    if connection.vendor != "postgresql":
        with pytest.raises(TypeError, match="on PostgreSQL"):
            insert_rows([follow_up], along=[event], along_key="ticket", also=[(also, ["x", 1])])
        return
    with pytest.raises(TypeError, match="along_key"):
        insert_rows([event], along=[summary], also=[(also, ["x", ticket.id])])
    with CaptureQueriesContext(connection) as queries:
        insert_rows(
            [follow_up], along=[event], along_key="ticket", also=[(also, ["after ", ticket.id])]
        )
    assert len(queries) == 1
    ticket.refresh_from_db()
    assert ticket.subject == f"after {follow_up.pk}"
    assert TicketEvent.objects.get(ticket=follow_up).new_value == "carried"


def test_a_naive_datetime_is_made_aware_as_the_orm_makes_it(alice, now):
    ticket = ticket_opened(alice, now)
    naive = now.replace(tzinfo=None)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        by_orm = TicketEvent.objects.create(ticket=ticket, action="note", created_at=naive)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        (fast,) = insert_rows([TicketEvent(ticket=ticket, action="note", created_at=naive)])
    stored = TicketEvent.objects.get(pk=fast.pk).created_at
    assert stored == TicketEvent.objects.get(pk=by_orm.pk).created_at
    assert stored.utcoffset() is not None
