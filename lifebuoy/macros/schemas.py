from __future__ import annotations

from ninja import Schema

from .actions import macro_actions_describe
from .models import Macro


class MacroListQuery(Schema):
    q: str = ""
    limit: int = 50


class MacroOut(Schema):
    """A macro as its user sees it; ``actions`` says in words what applying it also does."""

    id: int
    name: str
    shared: bool
    audience: str
    template_key: str | None
    set_status: str
    set_priority: str
    set_category: str
    set_assignee_id: int | None
    assign_to_applier: bool
    add_tags: list[str]
    remove_tags: list[str]
    actions: list[str]

    @staticmethod
    def resolve_shared(obj: Macro) -> bool:
        return obj.is_shared

    @staticmethod
    def resolve_template_key(obj: Macro) -> str | None:
        return obj.template.key if obj.template is not None else None

    @staticmethod
    def resolve_actions(obj: Macro) -> list[str]:
        return macro_actions_describe(obj, applier="you")


class MacroRenderOut(Schema):
    id: int
    name: str
    body: str
    actions: list[str]


class MacroApplyIn(Schema):
    ticket_id: int


class FieldChangeOut(Schema):
    field: str
    old: str
    new: str


class MacroAppliedOut(Schema):
    ticket_id: int
    changes: list[FieldChangeOut]
