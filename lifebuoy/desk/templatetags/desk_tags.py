"""Template filters of the desk's pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]

from lifebuoy.desk.selectors import COUNT_CAP
from lifebuoy.sla.templatetags.sla_tags import deadline_cell
from lifebuoy.tickets.models import Ticket

register = template.Library()


@register.filter
def view_count(count: int | None) -> str:
    """A view's count: "1,234", or "10k+" past the exact limit."""
    if count is None:
        return "…"
    if count > COUNT_CAP:
        return f"{COUNT_CAP // 1000}k+"
    return f"{count:,}"


@register.filter
def age(then: datetime, now: datetime) -> str:
    """How long ago, in its largest unit: "just now", "12m ago", "7h ago", "3d ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


@register.filter
def event_words(action: str) -> str:
    """An audit action as words: "reply_added" reads "reply added"."""
    return action.replace("_", " ")


@register.filter
def checkboxes(field: BoundField) -> SafeString:
    """A multiple-choice field's boxes, each inside its label, as Django's checkbox widget
    renders them (same ids, ``checked``, ``aria-invalid``), but built in one pass: the queue's
    filters hold dozens of boxes, and a widget template per box cost more than the rest of
    the filter form."""
    return format_html_join(
        "",
        '<label class="check"><input type="{}" name="{}" value="{}"{}> {}</label>',
        (
            (
                box.data["type"],
                box.data["name"],
                box.data["value"],
                _attrs(box.data["attrs"]),
                box.choice_label,
            )
            for box in field.subwidgets
        ),
    )


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Attributes in their order, as Django's widget templates write them: ``True`` names the
    attribute alone, ``False`` leaves it out."""
    return format_html_join(
        "",
        " {}{}",
        (
            (name, "" if value is True else format_html('="{}"', value))
            for name, value in attrs.items()
            if value is not False
        ),
    )


_UNREAD_MARK = SafeString(
    '<span class="unread-dot" title="Changed since you last opened it"></span>'
    '<span class="visually-hidden">Changed since you last opened it: </span>'
)


def _when(label: str, at: datetime, now: datetime) -> SafeString:
    local = template_localtime(at)
    return format_html(
        '<td class="nowrap" data-label="{}"><time datetime="{}" title="{}">{}</time></td>',
        label,
        local.isoformat(),  # what the template's |date:"c" gave
        localize(local),
        age(at, now),
    )


# The optional columns, in the order the table shows them, each with how its cell reads.
_CELLS: tuple[tuple[str, Callable[[Ticket, datetime], SafeString]], ...] = (
    (
        "requester",
        lambda t, now: format_html('<td data-label="Requester">{}</td>', t.requester.display_name),
    ),
    (
        "organization",
        lambda t, now: format_html('<td data-label="Organization">{}</td>', t.organization.name),
    ),
    (
        "priority",
        lambda t, now: format_html(
            '<td class="prio-cell nowrap" data-label="Priority"><span class="prio">{}</span></td>',
            t.priority,
        ),
    ),
    (
        "status",
        lambda t, now: format_html(
            '<td class="nowrap" data-label="Status">{}</td>', t.get_status_display()
        ),
    ),
    (
        "category",
        lambda t, now: format_html('<td data-label="Category">{}</td>', t.get_category_display()),
    ),
    (
        "channel",
        lambda t, now: format_html('<td data-label="Channel">{}</td>', t.get_channel_display()),
    ),
    (
        "assignee",
        lambda t, now: format_html(
            '<td data-label="Assignee">{}</td>', t.assignee.display_name if t.assignee else "—"
        ),
    ),
    ("created", lambda t, now: _when("Created", t.created_at, now)),
    ("activity", lambda t, now: _when("Activity", t.last_activity_at, now)),
    ("deadline", deadline_cell),
)


@register.simple_tag
def queue_rows(
    tickets: list[Ticket], columns: tuple[str, ...], unread: set[int], now: datetime
) -> SafeString:
    """The queue's rows. Built in Python rather than a template loop: fifty rows of a dozen
    cells each cost more through the template engine than the rest of the page."""
    if not tickets:
        return format_html('<tr><td colspan="{}">No tickets match.</td></tr>', len(columns) + 3)
    shown = [cell for name, cell in _CELLS if name in columns]
    base = reverse("desk:detail", args=[0]).removesuffix("0/")
    return SafeString(
        "\n".join(_row(t, shown, t.id in unread, f"{base}{t.id}/", now) for t in tickets)
    )


def _row(
    t: Ticket,
    cells: list[Callable[[Ticket, datetime], SafeString]],
    unread: bool,
    href: str,
    now: datetime,
) -> str:
    return format_html(
        '<tr class="prio-{}{}" data-ticket-url="{}">'
        '<td class="select"><input type="checkbox" name="ticket" value="{}" form="bulk-form"'
        ' aria-label="Select {}"></td>'
        '<td class="ticket-number" data-label="#">{}</td>'
        '<td class="subject">{}<a href="{}">{}</a></td>{}</tr>',
        t.priority,
        " unread" if unread else "",
        href,
        t.id,
        t.number,
        t.number,
        _UNREAD_MARK if unread else "",
        href,
        t.subject,
        SafeString("".join(cell(t, now) for cell in cells)),
    )


@register.filter
def select_group(field: BoundField) -> SafeString:
    """A single-choice field as its label, its errors and its select box, the markup Django's
    field group gives, built in one pass (a select's options each cost a widget template)."""
    # Django's own attributes (aria-invalid and aria-describedby when the field has errors).
    attrs = {**field.build_widget_attrs(dict(field.field.widget.attrs)), "id": field.auto_id}
    value = field.value()
    chosen = "" if value is None else str(value)
    options = format_html_join(
        "\n",
        '<option value="{}"{}>{}</option>',
        (
            (str(key), " selected" if str(key) == chosen else "", label)
            for key, label in field.field.choices  # type: ignore[attr-defined]
        ),
    )
    errors = (
        format_html_join("", "<li>{}</li>", ((e,) for e in field.errors)) if field.errors else ""
    )
    return format_html(
        '<label for="{}">{}:</label>{}<select name="{}"{}>{}</select>',
        field.id_for_label,
        field.label,
        format_html('<ul class="errorlist" id="{}_error">{}</ul>', field.auto_id, errors)
        if errors
        else "",
        field.html_name,
        _attrs(attrs),
        options,
    )
