"""REST handlers for macros: list the ones the caller may use, fill one in for a ticket, and
apply one's actions to a ticket. Parse, gate, call a service, return a schema."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Query, Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.tickets.selectors import ticket_get_for_user

from .actions import macro_actions_describe
from .models import Macro
from .schemas import (
    FieldChangeOut,
    MacroAppliedOut,
    MacroApplyIn,
    MacroListQuery,
    MacroOut,
    MacroRenderOut,
)
from .selectors import macro_get_for_user, macro_list_for_user
from .services import macro_apply, macro_render

router = Router(tags=["macros"])
LIMIT_MAX = 100


@router.get("/", response=list[MacroOut])
def macro_list_api(request: AuthedRequest, query: Query[MacroListQuery]) -> QuerySet[Macro]:
    """The caller's own macros, then the shared ones; ``q`` keeps names containing it."""
    limit = min(max(query.limit, 1), LIMIT_MAX)
    return macro_list_for_user(user=request.auth, search=query.q)[:limit]


@router.get("/{macro_id}/render", response=MacroRenderOut)
def macro_render_api(request: AuthedRequest, macro_id: int, ticket_id: int) -> MacroRenderOut:
    """The macro's text filled in for a ticket, to edit before sending, and its actions."""
    macro = macro_get_for_user(user=request.auth, macro_id=macro_id)
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    body = macro_render(macro=macro, ticket=ticket, agent=request.auth)
    actions = macro_actions_describe(macro, applier="you")
    return MacroRenderOut(id=macro.id, name=macro.name, body=body, actions=actions)


@router.post("/{macro_id}/apply", response=MacroAppliedOut)
def macro_apply_api(
    request: AuthedRequest, macro_id: int, payload: MacroApplyIn
) -> MacroAppliedOut:
    """Make the macro's changes to a ticket (no reply is sent); says what changed."""
    macro = macro_get_for_user(user=request.auth, macro_id=macro_id)
    ticket = ticket_get_for_user(user=request.auth, ticket_id=payload.ticket_id)
    applied = macro_apply(macro=macro, ticket=ticket, actor=request.auth, now=timezone.now())
    changes = [FieldChangeOut(field=c.field, old=c.old, new=c.new) for c in applied.changes]
    return MacroAppliedOut(ticket_id=ticket.id, changes=changes)
