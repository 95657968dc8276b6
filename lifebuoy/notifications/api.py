"""REST handlers for reply templates and macros: parse, gate, call a service, return a schema."""

from __future__ import annotations

from ninja import Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.tickets.selectors import ticket_get_for_user

from . import selectors
from .models import Delivery, MessageTemplate
from .schemas import DeliveryOut, MacroIn, RenderedTemplateOut, TemplateOut, TemplateUpdateIn
from .services.templates import Rendered, template_render, template_update

router = Router(tags=["notifications"])


@router.get("/templates", response=list[TemplateOut])
def template_list_api(request: AuthedRequest) -> list[MessageTemplate]:
    return list(selectors.template_list(user=request.auth))


@router.put("/templates/{key}", response=TemplateOut)
def template_update_api(
    request: AuthedRequest, key: str, payload: TemplateUpdateIn
) -> MessageTemplate:
    template = selectors.template_get(user=request.auth, key=key)
    return template_update(
        template=template,
        actor=request.auth,
        name=payload.name,
        subject=payload.subject,
        body=payload.body,
    )


@router.post("/templates/{key}/render", response=RenderedTemplateOut)
def template_render_api(request: AuthedRequest, key: str, payload: MacroIn) -> Rendered:
    """A macro: the template filled for one ticket, for the agent to edit before sending."""
    template = selectors.template_get(user=request.auth, key=key)
    ticket = ticket_get_for_user(user=request.auth, ticket_id=payload.ticket_id)
    return template_render(
        template=template, ticket=ticket, agent=request.auth, values=payload.values
    )


@router.get("/tickets/{ticket_id}/deliveries", response=list[DeliveryOut])
def delivery_list_api(request: AuthedRequest, ticket_id: int) -> list[Delivery]:
    """What the outbox sent (or is retrying) for a ticket, newest first. Staff only."""
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return list(selectors.delivery_list_for_user(user=request.auth, ticket_id=ticket.id)[:100])
