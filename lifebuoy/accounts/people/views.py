"""People pages: accepting an invitation (public, the link is the credential), the desk's
people page, and the actions both the desk and the portal's Colleagues page post to."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_required, signed_in_user, staff_required
from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall

from . import selectors, services
from .forms import AcceptForm, InviteForm

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept_view(request: WSGIRequest, token: str) -> HttpResponse:
    now = timezone.now()
    invitation = selectors.invitation_get_by_token(token=token, now=now)
    if invitation is None:
        return render(request, "accounts/invitation_accept.html", {"invitation": None}, status=404)
    initial = {"full_name": invitation.full_name}
    form = AcceptForm(request.POST or None, invitation=invitation, initial=initial)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        with call:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                now=now,
            )
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(request, f"Welcome, {user.display_name}. You are signed in.")
            return redirect("home")
    context = {"invitation": invitation, "form": form}
    return render(request, "accounts/invitation_accept.html", context, status=call.status(200))


def invite(request: WSGIRequest, form: InviteForm, actor: User) -> HttpResponse | None:
    """Send the invitation ``form`` holds; a redirect when sent, None to show the form's
    errors (shared by the desk's people page and the portal's Colleagues page)."""
    if not form.is_valid():
        return None
    data = services.NewInvitation(
        email=form.cleaned_data["email"],
        full_name=form.cleaned_data["full_name"],
        role=form.value("role", "customer"),
        tier=form.value("tier"),
        organization=form.value("organization"),
        is_organization_admin=form.cleaned_data["is_organization_admin"],
    )
    with ServiceCall(request, form):
        invitation = services.invitation_create(actor=actor, data=data, now=timezone.now())
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return _back(actor, invitation.organization_id)
    return None


@staff_required
def people_view(request: WSGIRequest) -> HttpResponse:
    """The desk: invite people, see open invitations, and (leads, admins) manage the people of
    one organization or the staff."""
    actor = signed_in_user(request)
    form = InviteForm(request.POST or None, actor=actor)
    if request.method == "POST" and (sent := invite(request, form, actor)) is not None:
        return sent
    chosen = parse_id(request.GET.get("organization"))
    organization = Organization.objects.filter(id=chosen).first() if chosen else None
    people = None
    if selectors.may_manage_people(actor):
        everyone = selectors.person_list_for_manager(user=actor)
        people = (
            everyone.filter(organization=organization)
            if organization
            else everyone.filter(organization__isnull=True)
        )
    context = {
        "form": form,
        "invitations": selectors.invitation_open_list_for_user(user=actor)[:100],
        "organizations": Organization.objects.order_by("name"),
        "organization": organization,
        "people": people,
        "now": timezone.now(),
        "invitation_days": settings.LIFEBUOY_INVITATION_DAYS,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/people.html", context, status=status)


def _back(actor: User, organization_id: int | None = None) -> HttpResponse:
    if actor.is_customer:
        return redirect("portal:colleagues")
    url = reverse("people:list")
    return redirect(f"{url}?organization={organization_id}" if organization_id else url)


@signed_in_required
@require_POST
def invitation_resend_view(request: WSGIRequest, invitation_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    invitation = selectors.invitation_get_for_user(user=actor, invitation_id=invitation_id)
    with ServiceCall(request):
        services.invitation_resend(actor=actor, invitation=invitation, now=timezone.now())
        messages.success(request, f"A new link is on its way to {invitation.email}.")
    return _back(actor, invitation.organization_id)


@signed_in_required
@require_POST
def invitation_revoke_view(request: WSGIRequest, invitation_id: int) -> HttpResponse:
    actor = signed_in_user(request)
    invitation = selectors.invitation_get_for_user(user=actor, invitation_id=invitation_id)
    with ServiceCall(request):
        services.invitation_revoke(actor=actor, invitation=invitation, now=timezone.now())
        messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return _back(actor, invitation.organization_id)


@signed_in_required
@require_POST
def person_active_view(request: WSGIRequest, person_id: int) -> HttpResponse:
    """``active=0`` deactivates, ``active=1`` reactivates."""
    actor = signed_in_user(request)
    person = selectors.person_get_for_manager(user=actor, person_id=person_id)
    with ServiceCall(request):
        if request.POST.get("active") == "1":
            services.person_reactivate(actor=actor, person=person)
            messages.success(request, f"{person.display_name} can sign in again.")
        else:
            services.person_deactivate(actor=actor, person=person)
            messages.success(request, f"{person.display_name} is deactivated.")
    return _back(actor, person.organization_id)


@signed_in_required
@require_POST
def person_admin_view(request: WSGIRequest, person_id: int) -> HttpResponse:
    """``admin=1`` makes a customer an organization admin, ``admin=0`` a plain member."""
    actor = signed_in_user(request)
    person = selectors.person_get_for_manager(user=actor, person_id=person_id)
    admin = request.POST.get("admin") == "1"
    with ServiceCall(request):
        services.person_organization_admin_set(actor=actor, person=person, admin=admin)
        role = "an organization admin" if admin else "a member"
        messages.success(request, f"{person.display_name} is {role} now.")
    return _back(actor, person.organization_id)
