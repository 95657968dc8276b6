"""The portal's Colleagues page, for organization admins: the organization's people (deactivate,
reactivate, make admin), open invitations, inviting a colleague, and which tickets members see.
Everyone else gets the 403 page (the gate is ``accounts.people.selectors``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import customer_required, signed_in_user
from lifebuoy.accounts.models import PLANS_SHARING_TICKETS
from lifebuoy.accounts.people import selectors, services
from lifebuoy.accounts.people.forms import InviteForm, TicketAccessForm
from lifebuoy.accounts.people.views import invite
from lifebuoy.core.views import ServiceCall


@customer_required
def colleagues_view(request: WSGIRequest) -> HttpResponse:
    actor = signed_in_user(request)
    people = selectors.person_list_for_manager(user=actor)  # the gate: admins only
    form = InviteForm(request.POST or None, actor=actor)
    if request.method == "POST" and (sent := invite(request, form, actor)) is not None:
        return sent
    organization = actor.organization
    assert organization is not None  # noqa: S101  # every customer has one (a constraint)
    context = {
        "people": people,
        "invitations": selectors.invitation_open_list_for_user(user=actor),
        "form": form,
        "access_form": TicketAccessForm(
            initial={"member_ticket_access": organization.member_ticket_access}
        ),
        "organization": organization,
        "plan_shares": organization.plan in PLANS_SHARING_TICKETS,
        "now": timezone.now(),
        "invitation_days": settings.LIFEBUOY_INVITATION_DAYS,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/colleagues.html", context, status=status)


@customer_required
@require_POST
def ticket_access_view(request: WSGIRequest) -> HttpResponse:
    actor = signed_in_user(request)
    selectors.person_list_for_manager(user=actor)  # the same gate as the page
    form = TicketAccessForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which tickets members see.")
        return redirect("portal:colleagues")
    organization = actor.organization
    assert organization is not None  # noqa: S101  # every customer has one (a constraint)
    with ServiceCall(request):
        services.organization_ticket_access_set(
            actor=actor,
            organization=organization,
            access=form.cleaned_data["member_ticket_access"],
        )
        messages.success(request, "Saved: which tickets members see.")
    return redirect("portal:colleagues")
