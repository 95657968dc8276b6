"""The inbound mail log (/desk/inbound/): what mail did not become a ticket or a reply, and why."""

from __future__ import annotations

from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.parsing import parse_id

from . import selectors


@staff_required
def inbound_log_view(request: WSGIRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()[:200]
    before = parse_id(request.GET.get("before", ""))
    errors = {}
    if kind not in selectors.FILTERS:
        errors["kind"] = "Choose one of the listed kinds."
        kind = ""
    if request.GET.get("before") and before is None:
        errors["before"] = "The page marker is not valid; showing the newest."
    rows = selectors.inbound_log_list(
        user=signed_in_user(request), kind=kind, query=query, before=before
    )
    now = timezone.now()
    context = {
        "rows": [(row, selectors.inbound_raw_downloadable(row, now=now)) for row in rows],
        "kind": kind,
        "query": query,
        "filters": selectors.FILTERS,
        "errors": errors,
        "next_before": rows[-1].id if len(rows) == selectors.PAGE_SIZE else None,
    }
    status = 400 if errors else 200
    return render(request, "notifications/inbound_log.html", context, status=status)


@staff_required
def inbound_raw_view(request: WSGIRequest, inbound_id: int) -> HttpResponse:
    row = selectors.inbound_raw_get(
        user=signed_in_user(request), inbound_id=inbound_id, now=timezone.now()
    )
    response = HttpResponse(bytes(row.raw), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="inbound-{row.id}.eml"'
    response["Cache-Control"] = "no-store"
    return response
