"""REST handlers for tickets: parse, gate, call a service, return a schema. Nothing else."""

from __future__ import annotations

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.accounts.models import User
from lifebuoy.accounts.selectors import customer_get, staff_list

from . import selectors, services
from .models import Message, Ticket, TicketEvent
from .schemas import (
    EventOut,
    MessageIn,
    MessageOut,
    TicketCreateIn,
    TicketOut,
    TicketPageOut,
    TicketUpdateIn,
)

router = Router(tags=["tickets"])


class TicketListQuery(Schema):
    status: list[str] = []
    priority: list[str] = []
    tier: list[int] = []
    category: list[str] = []
    assignee: str = ""
    organization: int | None = None
    q: str = ""
    sla: str = ""
    sort: str = "newest"
    cursor: str | None = None
    limit: int = 50

    def filters(self) -> selectors.TicketFilters:
        return selectors.TicketFilters(
            status=tuple(self.status),
            priority=tuple(self.priority),
            tier=tuple(self.tier),
            category=tuple(self.category),
            assignee=self.assignee,
            organization=self.organization,
            text=self.q,
            extra={"sla": self.sla},
            sort=self.sort,
        )


def _requester(request: AuthedRequest, requester_id: int | None) -> User | None:
    if requester_id is None:
        return None
    return customer_get(user_id=requester_id)


@router.get("/", response=TicketPageOut)
def ticket_list_api(request: AuthedRequest, query: Query[TicketListQuery]) -> TicketPageOut:
    page = selectors.ticket_list_for_user(
        user=request.auth, filters=query.filters(), cursor=query.cursor, limit=query.limit
    )
    return TicketPageOut(items=page.items, next_cursor=page.next_cursor)  # type: ignore[arg-type]  # ninja validates models


@router.post("/", response={201: TicketOut})
def ticket_create_api(request: AuthedRequest, payload: TicketCreateIn) -> Status[Ticket]:
    payload.check_staff_only(request.auth)
    data = services.NewTicket(
        subject=payload.subject,
        description=payload.description,
        priority=payload.priority,
        category=payload.category,
        channel=payload.channel,
        tags=tuple(payload.tags),
        deployment_url=payload.deployment_url,
    )
    ticket = services.ticket_create(
        actor=request.auth,
        data=data,
        now=timezone.now(),
        requester=_requester(request, payload.requester_id),
    )
    return Status(201, ticket)


@router.get("/{ticket_id}", response=TicketOut)
def ticket_detail_api(request: AuthedRequest, ticket_id: int) -> Ticket:
    return selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)


@router.patch("/{ticket_id}", response=TicketOut)
def ticket_update_api(request: AuthedRequest, ticket_id: int, payload: TicketUpdateIn) -> Ticket:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    payload.check_staff_only(request.auth)
    changes = services.TicketChanges(
        status=payload.status,
        priority=payload.priority,
        category=payload.category,
        assignee_id=payload.assignee_id or None,
        unassign=payload.assignee_id == 0,
        tags=tuple(payload.tags) if payload.tags is not None else None,
    )
    services.ticket_update(
        ticket=ticket,
        actor=request.auth,
        changes=changes,
        now=timezone.now(),
        version=payload.version,
    )
    return selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)


@router.post("/{ticket_id}/confirm-resolved", response=TicketOut)
def ticket_confirm_resolved_api(request: AuthedRequest, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    services.ticket_confirm_resolved(ticket=ticket, actor=request.auth, now=timezone.now())
    return selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)


@router.get("/{ticket_id}/messages", response=list[MessageOut])
def message_list_api(request: AuthedRequest, ticket_id: int) -> list[Message]:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return list(selectors.message_list_for_user(user=request.auth, ticket=ticket))


@router.post("/{ticket_id}/messages", response={201: MessageOut})
def message_add_api(request: AuthedRequest, ticket_id: int, payload: MessageIn) -> Status[Message]:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    message = services.message_add(
        ticket=ticket,
        author=request.auth,
        body=payload.body,
        is_internal=payload.is_internal,
        now=timezone.now(),
    )
    return Status(201, message)


@router.post("/{ticket_id}/attachments", response={201: MessageOut})
def message_add_with_files_api(
    request: AuthedRequest,
    ticket_id: int,
    files: File[list[UploadedFile]],
    body: Form[str] = "",
    is_internal: Form[bool] = False,
) -> Status[Message]:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    message = services.message_add(
        ticket=ticket,
        author=request.auth,
        body=body,
        is_internal=is_internal,
        files=files,
        now=timezone.now(),
    )
    return Status(201, message)


@router.get("/{ticket_id}/events", response=list[EventOut])
def event_list_api(request: AuthedRequest, ticket_id: int) -> list[TicketEvent]:
    ticket = selectors.ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return list(selectors.event_list_for_user(user=request.auth, ticket=ticket))


attachments_router = Router(tags=["tickets"])


@attachments_router.get("/{attachment_id}", url_name="attachment_download_api")
def attachment_download_api(request: AuthedRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_get_for_user(user=request.auth, attachment_id=attachment_id)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


class StaffOut(Schema):
    id: int
    name: str
    role: str
    tier: int | None

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


staff_router = Router(tags=["people"])


@staff_router.get("/", response=list[StaffOut])
def staff_list_api(request: AuthedRequest) -> list[User]:
    if not request.auth.is_support_staff:
        return []
    return list(staff_list())
