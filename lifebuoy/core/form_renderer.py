"""The forms' renderer: plain inputs and labels written in Python, everything else by template.

Django renders each ``<input>`` through three small templates (the widget's, ``input.html`` and
``attrs.html``) and each label through two; a page with a dozen fields runs forty of them,
which is a measurable share of the ticket page. These few templates are simple enough to write
directly, and ``FormRenderer`` produces exactly the HTML they would (a test compares the two for
every input type, with attribute values that need escaping, booleans and ``None``). Any other
template, and any of these a project overrides under ``templates/django/forms/``, is rendered
by Django as before: this project overrides none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import SafeString

_PLAIN_INPUTS = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
_LABEL = "django/forms/label.html"


def _text(value: object) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescaping: safe text as it is, else escaped."""
    html = getattr(value, "__html__", None)  # as conditional_escape: SafeData and the like
    return str(html()) if callable(html) else str(escape(str(value)))


def _attributes(attrs: Mapping[str, Any] | None) -> str:
    """``attrs.html``: False leaves an attribute out, True writes its name alone."""
    parts = []
    for name, value in (attrs or {}).items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget: Mapping[str, Any]) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attributes(widget['attrs'])}>"
    )


def _label(context: Mapping[str, Any]) -> str:
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attributes(context['attrs'])}>{label}</{tag}>"


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        if template_name in _PLAIN_INPUTS:
            return SafeString(_input(context["widget"]).strip())
        if template_name == _LABEL:
            return SafeString(_label(context).strip())
        return str(super().render(template_name, context, request))
