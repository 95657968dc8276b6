"""What a macro is made of, checked field by field, and its actions in words and as changes.

Pure functions over a macro's fields: the services check and store them, the pages and the
picker describe them ("set status to Resolved, add tag x"), and ``macro_apply`` turns them into
the tickets app's ``TicketChanges``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.notifications.placeholders import PlaceholderError, placeholders_in
from lifebuoy.tickets.models import Category, Priority, Status
from lifebuoy.tickets.services import TicketChanges

from .models import NAME_MAX, Audience, Macro

TAG_MAX = 50  # as long as a ticket's tag may be
TAGS_MAX = 20
# Escalating needs the escalation checklist and a next level (lifebuoy.escalations).
MACRO_STATUSES = tuple(s for s in Status if s != Status.ESCALATED)


@dataclass(frozen=True)
class MacroData:
    """A macro as a form or API client sends it, before it is checked."""

    name: str
    body: str = ""
    template: MessageTemplate | None = None
    audience: str = ""  # "" is personal: only its owner uses it
    set_status: str = ""
    set_priority: str = ""
    set_category: str = ""
    set_assignee: User | None = None
    assign_to_applier: bool = False
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()


def macro_data_check(data: MacroData) -> tuple[MacroData, dict[str, str]]:
    """``data`` tidied (name spaces, tags in lower case, no duplicates), and one message per
    field that is wrong."""
    errors: dict[str, str] = {}
    name = " ".join(data.name.split())
    if not name:
        errors["name"] = "Give the macro a name."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    _check_text(errors, data)
    if data.audience and data.audience not in Audience.values:
        errors["audience"] = "Share the macro with one of the listed audiences, or keep it yours."
    _check_choice(errors, "set_status", data.set_status, MACRO_STATUSES, "status")
    if data.set_status == Status.ESCALATED:
        errors["set_status"] = "A macro cannot escalate: use “Escalate…”, which has a checklist."
    _check_choice(errors, "set_priority", data.set_priority, tuple(Priority), "priority")
    _check_choice(errors, "set_category", data.set_category, tuple(Category), "category")
    _check_assignee(errors, data)
    add_tags = _clean_tags(errors, "add_tags", data.add_tags)
    remove_tags = _clean_tags(errors, "remove_tags", data.remove_tags)
    both = [tag for tag in add_tags if tag in remove_tags]
    if both and "remove_tags" not in errors:
        errors["remove_tags"] = f"A tag cannot be both added and removed: {', '.join(both)}."
    cleaned = MacroData(
        name=name,
        body=data.body,
        template=data.template,
        audience=data.audience,
        set_status=data.set_status,
        set_priority=data.set_priority,
        set_category=data.set_category,
        set_assignee=data.set_assignee,
        assign_to_applier=data.assign_to_applier,
        add_tags=add_tags,
        remove_tags=remove_tags,
    )
    return cleaned, errors


def _check_text(errors: dict[str, str], data: MacroData) -> None:
    if data.template is not None:
        if data.body.strip():
            errors["body"] = "Leave the text empty: this macro takes its text from a template."
        return
    if not data.body.strip():
        errors["body"] = "Write the macro's text, or choose a template to take it from."
        return
    try:
        placeholders_in(data.body)
    except PlaceholderError as exc:
        errors["body"] = str(exc)


def _check_choice(
    errors: dict[str, str], field: str, value: str, allowed: tuple[str, ...], what: str
) -> None:
    if value and value not in allowed:
        errors[field] = f"“{value}” is not a {what}; use one of: {', '.join(allowed)}."


def _check_assignee(errors: dict[str, str], data: MacroData) -> None:
    assignee = data.set_assignee
    if assignee is not None and data.assign_to_applier:
        errors["set_assignee"] = "Assign to one person or to the agent applying it, not both."
    elif assignee is not None and not (assignee.is_active and assignee.is_support_staff):
        errors["set_assignee"] = "Assign the ticket to an active member of the support staff."


def _clean_tags(errors: dict[str, str], field: str, tags: Iterable[str]) -> tuple[str, ...]:
    clean: list[str] = []
    for raw in tags:
        tag = raw.strip().lower()
        if not tag or tag in clean:
            continue
        if len(tag) > TAG_MAX:
            errors[field] = f"Keep each tag to {TAG_MAX} characters (“{tag[:20]}…” is longer)."
        clean.append(tag)
    if len(clean) > TAGS_MAX:
        errors[field] = f"A macro changes at most {TAGS_MAX} tags."
    return tuple(clean)


def macro_actions_describe(macro: Macro, *, applier: str = "the agent applying it") -> list[str]:
    """The macro's actions in words, in the order they read best: ``["set status to
    Resolved", "add tag x"]``. ``applier`` names whoever applies it ("you" in the picker)."""
    said: list[str] = []
    if macro.set_status:
        said.append(f"set status to {_label(Status, macro.set_status)}")
    if macro.set_priority:
        said.append(f"set priority to {_label(Priority, macro.set_priority)}")
    if macro.set_category:
        said.append(f"set category to {_label(Category, macro.set_category)}")
    if macro.assign_to_applier:
        said.append(f"assign to {applier}")
    elif macro.set_assignee is not None:
        said.append(f"assign to {macro.set_assignee.display_name}")
    for verb, tags in (("add", macro.add_tags), ("remove", macro.remove_tags)):
        if tags:
            said.append(f"{verb} tag{'s' if len(tags) > 1 else ''} {', '.join(tags)}")
    return said


def _label(choices: type[Status] | type[Priority] | type[Category], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def macro_ticket_changes(
    macro: Macro, *, applier: User, current_tags: Iterable[str]
) -> TicketChanges:
    """The macro's actions as ``ticket_update`` takes them, for a ticket that has
    ``current_tags`` now (its tags are replaced as a whole, so this reads them under lock)."""
    tags: tuple[str, ...] | None = None
    if macro.add_tags or macro.remove_tags:
        now_tags = set(current_tags)
        wanted = (now_tags | set(macro.add_tags)) - set(macro.remove_tags)
        tags = tuple(sorted(wanted)) if wanted != now_tags else None
    return TicketChanges(
        status=macro.set_status or None,
        priority=macro.set_priority or None,
        category=macro.set_category or None,
        assignee_id=applier.id if macro.assign_to_applier else macro.set_assignee_id,
        tags=tags,
    )
