from __future__ import annotations

from datetime import datetime

from ninja import Schema

from .models import MessageTemplate
from .placeholders import placeholders_in


class TemplateOut(Schema):
    key: str
    name: str
    subject: str
    body: str
    placeholders: list[str]

    @staticmethod
    def resolve_placeholders(obj: MessageTemplate) -> list[str]:
        return placeholders_in(obj.subject + "\n" + obj.body)


class TemplateUpdateIn(Schema):
    name: str = ""
    subject: str
    body: str


class MacroIn(Schema):
    ticket_id: int
    values: dict[str, str] = {}


class RenderedTemplateOut(Schema):
    subject: str
    body: str


class DeliveryOut(Schema):
    id: int
    kind: str
    status: str
    target: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
