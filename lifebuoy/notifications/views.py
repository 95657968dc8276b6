"""Reply templates in the desk: every agent reads them, support leads edit them."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.views import ServiceCall

from . import selectors
from .forms import TemplateForm
from .placeholders import PLACEHOLDERS
from .services.templates import EDITOR_ROLES, template_update


@staff_required
def template_list_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "notifications/template_list.html",
        {"templates": selectors.template_list(user=user), "can_edit": user.role in EDITOR_ROLES},
    )


@staff_required
def template_edit_view(request: WSGIRequest, key: str) -> HttpResponse:
    user = signed_in_user(request)
    template = selectors.template_get(user=user, key=key)
    initial = {"name": template.name, "subject": template.subject, "body": template.body}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            template_update(template=template, actor=user, **form.cleaned_data)
            messages.success(request, f"“{template.name}” saved.")
            return redirect("notifications:list")
    context = {"template": template, "form": form, "placeholders": PLACEHOLDERS}
    status = 400 if form.errors else 200
    return render(request, "notifications/template_edit.html", context, status=status)
