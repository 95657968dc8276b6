"""The one page every role shares: downloading an attachment (the desk's pages are in
``lifebuoy.desk``, the customers' in ``lifebuoy.portal``)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.handlers.wsgi import WSGIRequest
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import LifebuoyError

from . import selectors


def attachment_download_view(request: WSGIRequest, attachment_id: int) -> HttpResponseBase:
    """Shared by the desk and the portal; the selector decides who may see the file."""
    if not isinstance(request.user, User):
        return redirect_to_login(request.get_full_path())
    try:
        attachment = selectors.attachment_get_for_user(
            user=request.user, attachment_id=attachment_id
        )
    except LifebuoyError as exc:
        raise Http404(exc.message) from exc
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
