"""How one message of a conversation reads on a page, for the desk's timeline and the portal.

Built in Python rather than an included template: a long conversation shows a hundred of them,
and a template per message cost more than the rest of the ticket page."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from lifebuoy.tickets.models import Message

register = template.Library()

_NOTE = SafeString(' <span class="badge note-label">Internal note</span>')
_UNVERIFIED = SafeString(
    ' <span class="badge warn" title="The mail did not prove who sent it">Unverified sender</span>'
)


@register.simple_tag
def message_entry(m: Message) -> SafeString:
    """Who wrote ``m`` and when (in the viewer's time zone), its text (already rendered and
    sanitized when it was stored) and its files."""
    local = template_localtime(m.created_at)
    meta = format_html(
        '<div class="meta"><strong>{}</strong>{}{} · <time datetime="{}">{}</time></div>',
        m.author.display_name,
        _NOTE if m.is_internal else "",
        _UNVERIFIED if m.unverified else "",
        local.isoformat(),
        date_format(local, "Y-m-d H:i T"),
    )
    body = format_html('<div class="body">{}</div>', SafeString(m.body_html))
    files = format_html_join(
        "",
        '<div class="attachment">📎 <a href="{}">{}</a> ({})</div>',
        (
            (reverse("attachment", args=[a.id]), a.filename, filesizeformat(a.size))
            for a in m.attachments.all()
        ),
    )
    return SafeString(f"{meta}\n{body}\n{files}")
