"""Reads for the inbound log: every mail that did not become a ticket or a plain reply.

Support leads and admins only: the log holds other people's raw mail. One gate,
``inbound_log_access``, guards the list and the downloads.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.notifications.models import InboundEmail, InboundStatus

LOGGED = (
    InboundStatus.REJECTED,
    InboundStatus.IGNORED,
    InboundStatus.DUPLICATE,
    InboundStatus.FAILED,
)
UNVERIFIED = "unverified"  # a filter: accepted, but its sender was not proven
FILTERS = {
    "": "Everything not delivered as sent",
    **{status.value: status.label for status in LOGGED},
    UNVERIFIED: "Accepted with a reason (unverified sender)",
}
PAGE_SIZE = 50


def inbound_log_access(*, user: User) -> None:
    if not (user.is_active and user.role in (Role.LEAD, Role.ADMIN)):
        raise PermissionDenied("not_allowed", "The inbound mail log is for support leads.")


def _logged() -> QuerySet[InboundEmail]:
    return InboundEmail.objects.filter(Q(status__in=LOGGED) | ~Q(reason=""))


def inbound_log_list(
    *, user: User, kind: str = "", query: str = "", before: int | None = None
) -> list[InboundEmail]:
    """A page of the log, newest first; ``before`` is the id the previous page ended on."""
    inbound_log_access(user=user)
    rows = _logged()
    if kind == UNVERIFIED:
        rows = rows.filter(status__in=[InboundStatus.CREATED, InboundStatus.ATTACHED])
    elif kind:
        rows = rows.filter(status=kind)
    if query:
        rows = rows.filter(
            Q(sender__icontains=query)
            | Q(envelope_from__icontains=query)
            | Q(subject__icontains=query)
            | Q(message_id__icontains=query)
        )
    if before is not None:
        rows = rows.filter(id__lt=before)
    rows = rows.annotate(
        has_raw=Case(
            When(raw=b"", then=Value(False)), default=Value(True), output_field=BooleanField()
        )
    )
    return list(rows.defer("raw").select_related("ticket").order_by("-id")[:PAGE_SIZE])


def inbound_raw_downloadable(row: InboundEmail, *, now: datetime) -> bool:
    return row.received_at >= now - timedelta(days=settings.LIFEBUOY_INBOUND_LOG_DAYS)


def inbound_raw_get(*, user: User, inbound_id: int, now: datetime) -> InboundEmail:
    """A logged message with its raw bytes, while they are kept."""
    inbound_log_access(user=user)
    row = _logged().filter(id=inbound_id).first()
    if row is None or not inbound_raw_downloadable(row, now=now) or not row.raw:
        raise NotFound("inbound_not_found", "No such message in the inbound log, or it expired.")
    return row
