"""In and Out schemas for /api/webhooks. No Out schema of a list carries the secret."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from lifebuoy.notifications.models import Delivery


class WebhookDeliveryOut(Schema):
    id: int
    event: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str = Field(description="Why the last attempt failed, e.g. the HTTP status.")

    @staticmethod
    def resolve_event(obj: Delivery) -> str:
        return str(obj.payload.get("event", ""))


class WebhookEndpointOut(Schema):
    id: int
    organization_id: int
    url: str
    events: list[str] = Field(description="Subscribed events; empty means every event.")
    is_active: bool
    created_at: datetime
    updated_at: datetime
    recent_deliveries: list[WebhookDeliveryOut]


class WebhookEndpointSecretOut(WebhookEndpointOut):
    secret: str = Field(description="Shown only in this answer: store it to verify signatures.")


class WebhookEndpointCreateIn(Schema):
    url: str = Field(max_length=500)
    events: list[str] = []
    is_active: bool = True
    organization_id: int | None = Field(
        None, description="Staff only: the organization; customers add to their own."
    )


class WebhookEndpointUpdateIn(Schema):
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = None
    is_active: bool | None = None


class WebhookPingOut(Schema):
    delivery_id: int
    status: str
