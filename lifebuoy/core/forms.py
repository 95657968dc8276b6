"""The forms' base: error lists that cost nothing while there are no errors.

Django renders every error list through its template, empty or not, and a page prints one per
field and form (the ticket page about ten, each a template and an include). An empty list here
returns nothing at once; a list with errors renders exactly as Django's own.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import ErrorList
from django.utils.safestring import SafeString


class QuietErrorList(ErrorList):
    def render(
        self, template_name: str | None = None, context: Any = None, renderer: Any = None
    ) -> SafeString:
        if not self.data:
            return SafeString("")
        return SafeString(super().render(template_name, context, renderer))

    # Django binds these to its own ``render``: printing a list in a template calls them.
    __str__ = render
    __html__ = render


class Form(forms.Form):
    """``forms.Form`` with ``QuietErrorList`` unless a caller gives another ``error_class``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", QuietErrorList)
        super().__init__(*args, **kwargs)
