from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lifebuoy.core.errors import InvalidState, ValidationFailed
from lifebuoy.macros.actions import MacroData
from lifebuoy.macros.models import Audience, Macro
from lifebuoy.macros.services import (
    FieldChange,
    macro_apply,
    macro_create,
    macro_delete,
    macro_move,
    macro_render,
    macro_reply_send,
    macro_update,
)
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.tickets.models import Message, Status, TicketEvent
from lifebuoy.tickets.services import TicketChanges, ticket_update

pytestmark = pytest.mark.django_db


def _refused(actor, now, **fields) -> dict[str, str]:
    data = MacroData(**{"name": "Bad", "body": "Hello.", **fields})
    with pytest.raises(ValidationFailed) as info:
        macro_create(actor=actor, data=data, now=now)
    assert not Macro.objects.filter(name="Bad").exists()
    return info.value.extra["fields"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"set_status": "done"}, "set_status", "“done” is not a status; use one of: new, open"),
        ({"set_status": "escalated"}, "set_status", "A macro cannot escalate"),
        ({"set_priority": "P9"}, "set_priority", "“P9” is not a priority; use one of: P1, P2"),
        ({"set_category": "misc"}, "set_category", "“misc” is not a category; use one of:"),
        ({"add_tags": ("x" * 51,)}, "add_tags", "Keep each tag to 50 characters"),
        ({"add_tags": ("a",), "remove_tags": ("A ",)}, "remove_tags", "both added and removed: a"),
        ({"audience": "friends"}, "audience", "Share the macro with one of the listed audiences"),
        ({"name": "   "}, "name", "Give the macro a name."),
        ({"name": "n" * 81}, "name", "Keep the name to 80 characters."),
        ({"body": " "}, "body", "Write the macro's text, or choose a template"),
        ({"body": "Hi {custmer_name}"}, "body", "Unknown placeholder {custmer_name}"),
    ],
)
def test_a_bad_value_gets_a_message_on_its_own_field(lena, now, fields, field, message):
    errors = _refused(lena, now, **fields)
    assert list(errors) == [field]
    assert message in errors[field]


def test_every_bad_field_is_named_at_once(lena, now):
    errors = _refused(lena, now, set_status="done", set_priority="P9", set_category="misc")
    assert set(errors) == {"set_status", "set_priority", "set_category"}


def test_an_assignee_must_be_active_staff_and_not_besides_the_applier(lena, bob, alice, now):
    assert (
        "active member of the support staff"
        in _refused(lena, now, set_assignee=alice)["set_assignee"]
    )
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert "set_assignee" in _refused(lena, now, set_assignee=bob)
    both = _refused(lena, now, set_assignee=lena, assign_to_applier=True)
    assert both == {"set_assignee": "Assign to one person or to the agent applying it, not both."}


def test_text_comes_from_the_macro_or_its_template_not_both(lena, now):
    template = MessageTemplate.objects.get(key="resolution")
    assert "Leave the text empty" in _refused(lena, now, template=template)["body"]


def test_names_are_unique_per_owner_and_among_shared_macros_in_any_case(ted, bob, lena, now):
    macro_create(actor=ted, data=MacroData(name="Logs please", body="Send logs."), now=now)
    # Another agent may use the same name for their own.
    macro_create(actor=bob, data=MacroData(name="Logs please", body="Send logs."), now=now)
    again = MacroData(name="logs PLEASE", body="Send logs.")
    with pytest.raises(ValidationFailed) as info:
        macro_create(actor=ted, data=again, now=now)
    assert info.value.extra["fields"] == {"name": "You already have a macro with this name."}
    shared = MacroData(name="resolution", body="Done.", audience=Audience.EVERYONE)
    with pytest.raises(ValidationFailed) as info:
        macro_create(actor=lena, data=shared, now=now)
    assert info.value.extra["fields"] == {"name": "A shared macro with this name already exists."}


def test_create_tidies_the_name_and_the_tags_and_appends_to_its_list(ted, now):
    first = macro_create(actor=ted, data=MacroData(name="One", body="1"), now=now)
    data = MacroData(
        name="  Needs   logs ", body="2", add_tags=(" Logs", "logs", "", "C2 "), remove_tags=("x",)
    )
    second = macro_create(actor=ted, data=data, now=now)
    second.refresh_from_db()
    assert second.name == "Needs logs"
    assert second.add_tags == ["logs", "c2"]
    assert second.remove_tags == ["x"]
    assert second.position == first.position + 1
    assert (second.owner, second.created_by, second.created_at) == (ted, ted, now)


def test_moving_a_macro_swaps_it_with_its_neighbour(make_macro, ted):
    one, _two, three = (make_macro(n, owner=ted, position=i) for i, n in enumerate("abc", 1))
    macro_move(macro=three, actor=ted, up=True)
    assert list(Macro.objects.filter(owner=ted).values_list("name", flat=True)) == ["a", "c", "b"]
    macro_move(macro=one, actor=ted, up=True)  # already first: nothing moves
    assert list(Macro.objects.filter(owner=ted).values_list("name", flat=True)) == ["a", "c", "b"]


def test_delete_removes_the_macro(make_macro, ted):
    macro = make_macro("Gone", owner=ted)
    macro_delete(macro=macro, actor=ted)
    assert not Macro.objects.filter(id=macro.id).exists()


def test_render_fills_what_the_desk_knows_and_marks_the_rest(make_macro, ticket, bob):
    macro = make_macro(
        "Logs", owner=bob, body="Hi {customer_name}, {ticket_token}: {diagnosis}. {agent_name}"
    )
    text = macro_render(macro=macro, ticket=ticket, agent=bob)
    assert text == f"Hi Alice, [Ticket #{ticket.id}]: [diagnosis]. Bob"


def test_apply_sets_the_fields_through_ticket_update_and_audits_each(
    make_macro, ticket, bob, lena, now
):
    macro = make_macro(
        "Escalate to bob",
        set_status=Status.PENDING,
        set_priority="P2",
        set_category="performance",
        set_assignee=bob,
        add_tags=["needs-logs", "acme"],
        remove_tags=["missing"],
    )
    applied = macro_apply(macro=macro, ticket=ticket, actor=lena, now=now)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.category) == ("pending", "P2", "performance")
    assert ticket.assignee == bob
    assert sorted(t.name for t in ticket.tags.all()) == ["acme", "needs-logs"]
    assert applied.changes == [
        FieldChange("status", "new", "pending"),
        FieldChange("priority", "P3", "P2"),
        FieldChange("category", "bug", "performance"),
        FieldChange("assignee", "", str(bob.id)),
        FieldChange("tags", "acme", "acme,needs-logs"),
    ]
    events = TicketEvent.objects.filter(ticket=ticket, action="changed", actor=lena, created_at=now)
    assert set(events.values_list("field", flat=True)) == {
        "status",
        "priority",
        "category",
        "assignee",
        "tags",
    }


def test_apply_assigns_the_applier_and_keeps_tags_it_does_not_name(
    make_macro, ticket, bob, ted, now
):
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(tags=("acme", "vip")), now=now)
    macro = make_macro("Take it", assign_to_applier=True, remove_tags=["acme"])
    applied = macro_apply(macro=macro, ticket=ticket, actor=bob, now=now)
    ticket.refresh_from_db()
    assert ticket.assignee == bob
    assert [t.name for t in ticket.tags.all()] == ["vip"]
    assert {c.field for c in applied.changes} == {"assignee", "tags"}


def test_applying_what_is_already_so_changes_nothing(make_macro, ticket, bob, now):
    macro = make_macro("Same", set_status=Status.NEW, set_priority="P3", add_tags=["acme"])
    before = TicketEvent.objects.count()
    assert macro_apply(macro=macro, ticket=ticket, actor=bob, now=now).changes == []
    text_only = make_macro("Text only")
    assert macro_apply(macro=text_only, ticket=ticket, actor=bob, now=now).changes == []
    assert TicketEvent.objects.count() == before


def test_a_refused_change_changes_nothing(make_macro, ticket, bob, now):
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="closed"), now=now)
    macro = make_macro("Resolve", set_status=Status.RESOLVED, set_priority="P1")
    with pytest.raises(InvalidState):
        macro_apply(macro=macro, ticket=ticket, actor=bob, now=now)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("closed", "P3")


def test_a_reply_with_a_macro_sends_and_applies_in_one_go(make_macro, ticket, bob, now):
    macro = make_macro("Resolve", set_status=Status.RESOLVED, add_tags=["fixed"])
    message = macro_reply_send(
        ticket=ticket, actor=bob, macro=macro, body="Fixed.", is_internal=False, now=now
    )
    ticket.refresh_from_db()
    assert message.body == "Fixed."
    assert ticket.status == Status.RESOLVED
    assert "fixed" in {t.name for t in ticket.tags.all()}


def test_a_reply_whose_macro_is_refused_is_not_sent(make_macro, ticket, bob, now):
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="closed"), now=now)
    macro = make_macro("Resolve", set_status=Status.RESOLVED)
    with pytest.raises(InvalidState):
        macro_reply_send(
            ticket=ticket,
            actor=bob,
            macro=macro,
            body="Fixed.",
            is_internal=False,
            files=[SimpleUploadedFile("log.txt", b"x")],
            now=now,
        )
    assert not Message.objects.filter(ticket=ticket, body="Fixed.").exists()


def test_a_reply_without_a_macro_is_just_a_reply(ticket, bob, now):
    macro_reply_send(ticket=ticket, actor=bob, macro=None, body="Hi.", is_internal=True, now=now)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # an internal note moves nothing
    assert Message.objects.filter(ticket=ticket, body="Hi.", is_internal=True).exists()


def test_update_changes_the_actions(make_macro, lena):
    macro = make_macro("Shared", set_status=Status.OPEN)
    data = MacroData(name="Shared", body="New text.", audience=Audience.TIER_2, set_priority="P1")
    macro_update(macro=macro, actor=lena, data=data)
    macro.refresh_from_db()
    assert (macro.body, macro.audience, macro.set_status, macro.set_priority) == (
        "New text.",
        "tier2",
        "",
        "P1",
    )
