"""The macros page of the desk: list, search, create, change, reorder and delete macros.

Every page is open to signed-in people and gated inside, so that for a customer each macro URL
is the same 404 as a macro that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_required, signed_in_user
from lifebuoy.accounts.models import User
from lifebuoy.core.views import ServiceCall
from lifebuoy.notifications.placeholders import PLACEHOLDERS

from .forms import MacroForm
from .models import Macro
from .selectors import (
    MANAGER_ROLES,
    macro_check_editable,
    macro_get_for_user,
    macro_rows_for_user,
    macro_templates_for_user,
)
from .services import macro_create, macro_delete, macro_move, macro_update


def _form(request: WSGIRequest, user: User, macro: Macro | None = None) -> MacroForm:
    templates = macro_templates_for_user(user=user)
    initial = MacroForm.initial_for(macro) if macro is not None else {}
    return MacroForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        templates=templates,
        may_share=user.role in MANAGER_ROLES,
    )


def _form_page(request: WSGIRequest, form: MacroForm, macro: Macro | None) -> HttpResponse:
    context = {"form": form, "macro": macro, "placeholders": PLACEHOLDERS}
    return render(request, "macros/macro_form.html", context, status=400 if form.errors else 200)


@signed_in_required
def macro_list_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    search = request.GET.get("q", "")
    mine, shared = macro_rows_for_user(user=user, search=search)
    context = {"mine": mine, "shared": shared, "search": search}
    return render(request, "macros/macro_list.html", context)


@signed_in_required
def macro_create_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = _form(request, user)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            macro = macro_create(actor=user, data=form.macro_data(), now=timezone.now())
            messages.success(request, f"Saved the macro “{macro.name}”.")
            return redirect("macros:list")
    return _form_page(request, form, None)


@signed_in_required
def macro_edit_view(request: WSGIRequest, macro_id: int) -> HttpResponse:
    user = signed_in_user(request)
    macro = macro_get_for_user(user=user, macro_id=macro_id)
    macro_check_editable(user=user, macro=macro)
    form = _form(request, user, macro)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            macro_update(macro=macro, actor=user, data=form.macro_data())
            messages.success(request, f"Saved the macro “{macro.name}”.")
            return redirect("macros:list")
    return _form_page(request, form, macro)


@signed_in_required
@require_POST
def macro_move_view(request: WSGIRequest, macro_id: int) -> HttpResponse:
    user = signed_in_user(request)
    macro = macro_get_for_user(user=user, macro_id=macro_id)
    with ServiceCall(request):
        macro_move(macro=macro, actor=user, up=request.POST.get("direction") == "up")
    return redirect("macros:list")


@signed_in_required
@require_POST
def macro_delete_view(request: WSGIRequest, macro_id: int) -> HttpResponse:
    user = signed_in_user(request)
    macro = macro_get_for_user(user=user, macro_id=macro_id)
    with ServiceCall(request):
        macro_delete(macro=macro, actor=user)
        messages.success(request, f"Deleted the macro “{macro.name}”.")
    return redirect("macros:list")
