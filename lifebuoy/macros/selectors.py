"""Reads of macros: the ones a person may use, the gate to one of them, and who may change it.

A staff member uses their own macros and the shared ones for everyone or for their tier. Leads
and admins look after the shared macros, so they see every shared one, whatever its tier.
Customers have no macros: for them every macro "does not exist" (404), like any other one they
may not use.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.core.parsing import parse_id
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.notifications.selectors import template_list

from .actions import macro_actions_describe
from .models import TIER_AUDIENCE, Audience, Macro

MANAGER_ROLES = frozenset({Role.LEAD, Role.ADMIN})


def _not_found() -> NotFound:
    return NotFound("macro_not_found", "That macro was not found.")


def macro_list_for_user(*, user: User, search: str = "") -> QuerySet[Macro]:
    """The macros ``user`` may use, theirs first, each group in its order; ``search`` keeps
    those whose name contains it, in any case. Customers get NotFound."""
    if not user.is_support_staff:
        raise _not_found()
    usable = Q(owner=user) | Q(audience=Audience.EVERYONE)
    if user.role in MANAGER_ROLES:
        usable |= Q(owner__isnull=True)
    elif user.tier in TIER_AUDIENCE:
        usable |= Q(audience=TIER_AUDIENCE[user.tier])
    macros = Macro.objects.filter(usable)
    if search.strip():
        macros = macros.filter(name__icontains=search.strip())
    return macros.select_related("template", "set_assignee").order_by(
        F("owner").asc(nulls_last=True), "position", "id"
    )


def macro_get_for_user(*, user: User, macro_id: int | str | None) -> Macro:
    """The gate: a macro ``user`` may use. One that does not exist, someone else's personal
    macro, one shared with another tier and every macro for a customer are the same 404."""
    number = macro_id if isinstance(macro_id, int) else parse_id(macro_id)
    macro = macro_list_for_user(user=user).filter(id=number).first() if number else None
    if macro is None:
        raise _not_found()
    return macro


def macro_chosen_for_user(*, user: User, macro_id: str | None) -> Macro | None:
    """The macro a reply form names in its ``macro`` field: None when it names none, else
    through the gate (a macro deleted or unshared since the page loaded is a NotFound)."""
    if not (macro_id or "").strip():
        return None
    return macro_get_for_user(user=user, macro_id=macro_id)


def macro_editable(*, user: User, macro: Macro) -> bool:
    """Its owner changes a personal macro; leads and admins change the shared ones."""
    if macro.owner_id is not None:
        return macro.owner_id == user.id
    return user.role in MANAGER_ROLES


def macro_check_editable(*, user: User, macro: Macro) -> None:
    """Refuse (403) a change to a macro ``user`` may use but not change."""
    if macro_editable(user=user, macro=macro):
        return
    if macro.owner_id is not None:
        raise PermissionDenied("not_allowed", "Only its owner changes a personal macro.")
    raise PermissionDenied("not_allowed", "Only support leads and admins change shared macros.")


def macro_templates_for_user(*, user: User) -> QuerySet[MessageTemplate]:
    """The reply templates a macro of ``user`` may take its text from (NotFound for customers,
    like every macro page)."""
    if not user.is_support_staff:
        raise _not_found()
    return template_list(user=user)


@dataclass(frozen=True)
class MacroRow:
    macro: Macro
    actions: list[str]
    editable: bool


def macro_rows_for_user(*, user: User, search: str = "") -> tuple[list[MacroRow], list[MacroRow]]:
    """The macros page: ``user``'s own macros and the shared ones they may use, each with its
    actions in words and whether ``user`` may change it. One query."""
    rows = [
        MacroRow(
            macro=macro,
            actions=macro_actions_describe(macro),
            editable=macro_editable(user=user, macro=macro),
        )
        for macro in macro_list_for_user(user=user, search=search)
    ]
    return [r for r in rows if not r.macro.is_shared], [r for r in rows if r.macro.is_shared]
