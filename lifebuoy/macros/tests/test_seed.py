"""The playbook's three replies are shared macros from the start, and follow the leads' edits
of their templates."""

from __future__ import annotations

import pytest

from lifebuoy.macros.models import Audience, Macro
from lifebuoy.macros.services import macro_apply, macro_render
from lifebuoy.notifications.services.templates import template_update
from lifebuoy.tickets.models import Status

pytestmark = pytest.mark.django_db


def test_the_playbook_macros_are_shared_with_everyone_and_linked_to_their_templates():
    seeded = Macro.objects.filter(template__isnull=False, owner=None).order_by("position")
    assert [(m.template.key, m.name, m.set_status) for m in seeded if m.template] == [
        ("initial_response", "Initial response", "open"),
        ("status_update", "Status update", ""),
        ("resolution", "Resolution", "resolved"),
    ]
    for macro in seeded:
        assert macro.template is not None
        assert macro.audience == Audience.EVERYONE
        assert macro.body == ""
        assert not any([macro.set_priority, macro.set_category, macro.add_tags])


def test_a_seeded_macro_follows_its_templates_edits(ticket, bob, lena):
    macro = Macro.objects.get(template__key="status_update")
    assert macro.template is not None
    before = macro_render(macro=macro, ticket=ticket, agent=bob)
    assert before.startswith("Hello Alice,")
    assert "[diagnosis]" in before
    template_update(
        template=macro.template,
        actor=lena,
        name="Status update",
        subject="Update: {ticket_token}",
        body="Dear {customer_name}, still on it. {agent_name}",
    )
    macro.refresh_from_db()
    assert macro_render(macro=macro, ticket=ticket, agent=bob) == "Dear Alice, still on it. Bob"


def test_the_resolution_macro_resolves_the_ticket(ticket, bob, now):
    macro = Macro.objects.get(template__key="resolution")
    macro_apply(macro=macro, ticket=ticket, actor=bob, now=now)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
